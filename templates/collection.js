// postmint collection script: runs before every request of this collection.
// It defines `postmint` (signer and token logic, shared with the Auth requests' scripts),
// and before every request that is not itself a token request it makes sure bearerToken is
// valid for at least minValidity more seconds, fetching a new one when a privateKey is set.
// postmintConfig and postmintSigner are placed above this text by postmint generate.
postmint = (function (cfg) {
    var signer = postmintSigner(require('crypto-js'));
    // v reads a variable the way Postman resolves {{name}} (environment before collection).
    function v(name) {
        var x = pm.variables.get(name);
        return x === undefined || x === null ? '' : String(x);
    }
    function parsed(name, fallback) {
        var s = v(name);
        if (!s) {
            return fallback;
        }
        try {
            return JSON.parse(s);
        } catch (e) {
            throw new Error('postmint: variable ' + name + ' is not valid JSON');
        }
    }
    function now() {
        return Math.floor(Date.now() / 1000);
    }
    function scopeIn() {
        return v('scopeIn') || (v('grantType') === cfg.jwtBearerGrant ? 'claim' : 'form');
    }
    // assertion signs a fresh RFC 7523 assertion with exactly the header and claims of
    // postmint's Go code (assertion.Profile): extra claims first, reserved claims over them.
    function assertion() {
        var key = v('privateKey');
        if (!key) {
            throw new Error('postmint: privateKey is empty: paste your private key (PEM or JWK) into the environment variable privateKey, or run postmint refresh');
        }
        var header = { alg: v('alg') };
        if (v('typ')) {
            header.typ = v('typ');
        }
        if (v('kid')) {
            header.kid = v('kid');
        }
        var x5c = parsed('x5c', null);
        if (x5c && x5c.length) {
            header.x5c = x5c;
        }
        if (v('x5tS256')) {
            header['x5t#S256'] = v('x5tS256');
        }
        if (v('x5t')) {
            header.x5t = v('x5t');
        }
        var claims = parsed('extraClaims', {});
        var t = now();
        claims.iss = v('iss') || v('clientId');
        claims.aud = v('aud');
        claims.iat = t;
        claims.exp = t + (parseInt(v('assertionLifetime'), 10) || cfg.defaultLifetime);
        claims.jti = signer.uuid4();
        if (v('sub')) {
            claims.sub = v('sub');
        }
        if (scopeIn() === 'claim' && v('scope')) {
            claims.scope = v('scope');
        }
        return signer.jwt(header, claims, key);
    }
    // form lists the token request parameters in the order of assertion.Profile.FormFields.
    function form(a) {
        var f = [{ key: 'grant_type', value: v('grantType') }];
        if (v('sendClientId') === 'true') {
            f.push({ key: 'client_id', value: v('clientId') });
        }
        if (scopeIn() !== 'claim' && v('scope')) {
            f.push({ key: 'scope', value: v('scope') });
        }
        if (v('grantType') === cfg.jwtBearerGrant) {
            f.push({ key: 'assertion', value: a });
        } else {
            f.push({ key: 'client_assertion_type', value: cfg.clientAssertionType });
            f.push({ key: 'client_assertion', value: a });
        }
        var extra = parsed('extraForm', {});
        Object.keys(extra).sort().forEach(function (k) {
            f.push({ key: k, value: String(extra[k]) });
        });
        return f;
    }
    // isTokenRequest tells the Auth requests (which carry an assertion) from API requests.
    function isTokenRequest() {
        var b = pm.request.body;
        return !!(b && b.mode === 'urlencoded' && b.urlencoded && (b.urlencoded.has('client_assertion') || b.urlencoded.has('assertion')));
    }
    // ensureToken fetches a token with pm.sendRequest when bearerToken is missing or has
    // under minValidity seconds left; the request waits for it.
    function ensureToken() {
        var expiresAt = parseInt(v('bearerTokenExpiresAt'), 10) || 0;
        if (v('bearerToken') && expiresAt - now() >= cfg.minValidity) {
            return;
        }
        if (!v('privateKey')) {
            if (!v('bearerToken') || expiresAt) {
                console.warn('postmint: bearerToken is missing or expires within ' + cfg.minValidity + ' s and privateKey is empty: run postmint refresh -e <environment>, or send Auth / Get token');
            }
            return;
        }
        pm.sendRequest({
            url: v('idpServer'),
            method: 'POST',
            header: [{ key: 'Accept', value: 'application/json' }],
            body: { mode: 'urlencoded', urlencoded: form(assertion()) }
        }, function (err, res) {
            if (err) {
                throw new Error('postmint: token request to ' + v('idpServer') + ' failed: ' + err.message);
            }
            var body = null;
            try {
                body = res.json();
            } catch (e) {
                body = null;
            }
            if (res.code !== 200 || !body || typeof body.access_token !== 'string' || !body.access_token) {
                throw new Error('postmint: token request failed: HTTP ' + res.code + (body && body.error ? ': ' + body.error + (body.error_description ? ': ' + body.error_description : '') : ''));
            }
            pm.environment.set('bearerToken', body.access_token);
            pm.environment.set('bearerTokenExpiresAt', String(now() + (Number(body.expires_in) > 0 ? Number(body.expires_in) : cfg.defaultExpiresIn)));
        });
    }
    return { assertion: assertion, form: form, isTokenRequest: isTokenRequest, ensureToken: ensureToken, signer: signer };
})(postmintConfig);
if (!postmint.isTokenRequest()) {
    postmint.ensureToken();
}
