// postmintAccept checks a token response (RFC 6749 §5.1 and §5.2) and, when it carries an
// access token, stores it through the caller's pm (with its expiry and any refresh token). It returns '' or the
// problem in words, never a secret: an error_description that echoes the assertion (sent) or
// any other JWT is redacted. The Auth requests' test scripts and the collection's automatic
// fetch both call it.
function postmintAccept(pm, status, text, sent, defaultExpiresIn) {
    var body = postmintJSON(text);
    function redact(s) {
        return postmintRedact(s, sent);
    }
    if (!status) {
        return 'token endpoint unreachable: no response';
    }
    if (body && typeof body === 'object' && typeof body.error === 'string' && body.error) {
        return redact(body.error + (body.error_description ? ': ' + body.error_description : '')) + ' (HTTP ' + status + ')';
    }
    if (status !== 200) {
        return 'the token endpoint answered HTTP ' + status + (body ? ' without an OAuth error' : ' with a body that is not JSON');
    }
    if (!body || typeof body !== 'object') {
        return 'the token endpoint answered HTTP 200 with a body that is not a JSON object';
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
        return 'the token response has no access_token' + (body.access_token === undefined ? '' : ' string');
    }
    if (!/^[\x20-\x7e]+$/.test(body.access_token)) {
        return 'the access_token holds characters RFC 6749 does not allow';
    }
    pm.environment.set('bearerToken', body.access_token);
    if (typeof body.refresh_token === 'string' && body.refresh_token) {
        pm.environment.set('refreshToken', body.refresh_token);
    }
    var life = Number(body.expires_in) > 0 ? Number(body.expires_in) : defaultExpiresIn;
    pm.environment.set('bearerTokenExpiresAt', String(Math.floor(Date.now() / 1000) + life));
    return '';
}
// postmintRedact is an error text without secrets: the assertion sent, and any other JWT.
function postmintRedact(s, sent) {
    s = String(s);
    if (sent) {
        s = s.split(sent).join('[the assertion]');
    }
    return s.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '[a JWT]');
}

// postmintJSON is text parsed as JSON, or null when it is not JSON.
function postmintJSON(text) {
    try {
        return JSON.parse(text);
    } catch (e) {
        return null;
    }
}
