// Start the authorization code flow (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636): a fresh
// code verifier, state and nonce for every attempt. With a PAR endpoint the request is pushed
// first (RFC 9126) and this request is not sent: its request_uri is good for one login, in the
// browser.
if (typeof postmint === 'undefined') {
    throw new Error('postmint: the collection-level pre-request script did not run; import the whole collection, not this request alone');
}
var start = postmint.pkce();
pm.environment.set('codeVerifier', start.verifier);
pm.environment.set('codeChallenge', start.challenge);
pm.environment.set('state', start.state);
pm.environment.set('nonce', start.nonce);
var postmintOpen = 'postmint: open this URL in a browser, log in, and paste the code from the redirect into the authorizationCode variable, then send Auth / Exchange code: ';
if (postmint.pushes(pm)) {
    postmint.push(pm, function (problem, authorizeURL) {
        pm.test('PAR endpoint accepted the authorization request' + (problem ? ': ' + problem : ''), function () {
            if (problem) {
                throw new Error(problem);
            }
        });
        if (!problem) {
            console.log(postmintOpen + authorizeURL);
        }
        if (pm.execution && pm.execution.skipRequest) {
            pm.execution.skipRequest();
        }
    });
} else {
    console.log(postmintOpen + pm.variables.replaceIn(pm.request.url.toString()));
}
