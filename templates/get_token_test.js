// Check the token response and keep the access token (and any refresh token) for the API requests.
var body = null;
try {
    body = pm.response.json();
} catch (e) {
    body = null;
}
var problem = '';
if (pm.response.code !== 200) {
    problem = 'HTTP ' + pm.response.code + (body && body.error ? ': ' + body.error + (body.error_description ? ': ' + body.error_description : '') : '');
} else if (!body || typeof body.access_token !== 'string' || !body.access_token) {
    problem = 'the response has no access_token';
}
pm.test('token endpoint returned 200', function () {
    pm.expect(pm.response.code, problem).to.equal(200);
});
pm.test('response has an access_token', function () {
    pm.expect(problem, problem).to.equal('');
});
if (problem) {
    console.error('postmint: token request failed: ' + problem);
} else {
    pm.environment.set('bearerToken', body.access_token);
    if (body.refresh_token) {
        pm.environment.set('refreshToken', body.refresh_token);
    }
    pm.environment.set('bearerTokenExpiresAt', String(Math.floor(Date.now() / 1000) + (Number(body.expires_in) > 0 ? Number(body.expires_in) : 300)));
}
