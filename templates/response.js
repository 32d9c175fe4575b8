// postmintAccept checks a token response (RFC 6749 §5.1 and §5.2) and, when it carries an
// access token, stores it through the caller's pm (with its expiry, any refresh token and, for
// a DPoP client, the token type). It returns '' or the problem in words, never a secret: an
// error_description that echoes the assertion (sent) or any other JWT is redacted. Every value
// it stores is first checked against its grammar (cfg.serverText, oauth.ServerTextRules in Go):
// server text is data, never a Postman template, and a refused answer stores nothing. dpop
// is whether the client asked for a DPoP-bound token. The Auth requests' test scripts and the
// collection's automatic fetch both call it.
function postmintAccept(pm, status, text, sent, cfg, dpop) {
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
    var fields = ['access_token', 'refresh_token', 'token_type'];
    for (var i = 0; i < fields.length; i++) {
        var x = body[fields[i]];
        if (x === undefined || x === null || x === '') {
            continue;
        }
        var problem = typeof x === 'string' ? postmintCheckText(cfg.serverText, fields[i], x) : fields[i] + ' is not a string (it is ' + postmintKind(x) + ')';
        if (problem) {
            return 'token response is not usable: ' + problem;
        }
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
        return 'the token response has no access_token';
    }
    var type = body.token_type || '';
    if (dpop && !/^dpop$/i.test(type)) {
        return cfg.notBound + ' (token_type ' + JSON.stringify(type) + ')';
    }
    pm.environment.set('bearerToken', body.access_token);
    if (body.refresh_token) {
        pm.environment.set('refreshToken', body.refresh_token);
    }
    if (dpop) {
        pm.environment.set('tokenType', type);
    }
    var e = body.expires_in;
    var life = postmintClamp(cfg, typeof e === 'number' ? e : typeof e === 'string' ? Number(e.trim() || 'x') : 0) || cfg.defaultExpiresIn;
    pm.environment.set('bearerTokenExpiresAt', String(Math.floor(Date.now() / 1000) + life));
    return '';
}

// postmintCheckText is oauth.CheckServerText of Go: '' when value fits field's rule, or the
// problem naming the field and the rule, never the value.
function postmintCheckText(rules, field, value) {
    var r = rules[field];
    if (!r) {
        return 'postmint has no rule for the server field ' + field;
    }
    var n = postmintBytes(value);
    if (n > r.max) {
        return "the server's " + field + ' is ' + n + ' bytes long; postmint accepts at most ' + r.max;
    }
    if (!new RegExp(r.pattern).test(value)) {
        return "the server's " + field + ' is not ' + r.grammar;
    }
    if (r.noBraces && value.indexOf('{{') >= 0) {
        return "the server's " + field + ' holds {{, which Postman would expand as a variable';
    }
    return '';
}

// postmintClamp is oauth.ClampExpiresIn: seconds as postmint believes them, 0 for none.
function postmintClamp(cfg, seconds) {
    if (!(seconds > 0)) {
        return 0;
    }
    return Math.floor(Math.min(seconds, cfg.maxExpiresIn));
}

// postmintBytes is the length of s in UTF-8, as Go's len counts it.
function postmintBytes(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
        var c = s.charCodeAt(i);
        if (c < 0x80) {
            n += 1;
        } else if (c < 0x800) {
            n += 2;
        } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
            n += 4;
            i++;
        } else {
            n += 3;
        }
    }
    return n;
}

// postmintKind names the JSON type of a value, as token's jsonKind in Go.
function postmintKind(x) {
    if (Array.isArray(x)) {
        return 'an array';
    }
    return { object: 'an object', boolean: 'a boolean', number: 'a number' }[typeof x] || 'not JSON';
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
