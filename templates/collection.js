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
    // fields lists a token request's parameters in the order of assertion.Profile.fields:
    // grant_type, client_id, the grant's own parameters, the assertion, extra parameters.
    function fields(grant, a, params) {
        var f = [{ key: 'grant_type', value: grant }];
        if (v('sendClientId') === 'true') {
            f.push({ key: 'client_id', value: v('clientId') });
        }
        f = f.concat(params);
        if (grant === cfg.jwtBearerGrant) {
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
    // form is the profile's own grant (client credentials or the JWT grant).
    function form(a) {
        return fields(v('grantType'), a, scopeIn() !== 'claim' && v('scope') ? [{ key: 'scope', value: v('scope') }] : []);
    }
    // refreshForm is RFC 6749 §6, authenticated with the assertion.
    function refreshForm(a) {
        return fields('refresh_token', a, [{ key: 'refresh_token', value: v('refreshToken') }]);
    }
    // isAuthRequest tells the Auth requests (a token request carrying an assertion, or the
    // authorization request carrying a PKCE challenge) from API requests.
    function isAuthRequest() {
        var b = pm.request.body;
        if (b && b.mode === 'urlencoded' && b.urlencoded && (b.urlencoded.has('client_assertion') || b.urlencoded.has('assertion'))) {
            return true;
        }
        return !!(pm.request.url && pm.request.url.query && pm.request.url.query.has('code_challenge'));
    }
    // ensureToken fetches a token with pm.sendRequest when bearerToken is missing or has
    // under minValidity seconds left; the request waits for it.
    function ensureToken() {
        var expiresAt = parseInt(v('bearerTokenExpiresAt'), 10) || 0;
        if (v('bearerToken') && expiresAt - now() >= cfg.minValidity) {
            return;
        }
        var code = v('grantType') === 'authorization_code';
        if (!v('privateKey') || (code && !v('refreshToken'))) {
            if (!v('bearerToken') || expiresAt) {
                console.warn('postmint: bearerToken is missing or expires within ' + cfg.minValidity + ' s' + (code ? ' and there is no refreshToken: send Auth / Authorize, then Auth / Exchange code' : ' and privateKey is empty: run postmint refresh -e <environment>, or send Auth / Get token'));
            }
            return;
        }
        pm.sendRequest({
            url: v('idpServer'),
            method: 'POST',
            header: [{ key: 'Accept', value: 'application/json' }],
            body: { mode: 'urlencoded', urlencoded: code ? refreshForm(assertion()) : form(assertion()) }
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
            if (body.refresh_token) {
                pm.environment.set('refreshToken', body.refresh_token);
            }
            pm.environment.set('bearerTokenExpiresAt', String(now() + (Number(body.expires_in) > 0 ? Number(body.expires_in) : cfg.defaultExpiresIn)));
        });
    }
    return { assertion: assertion, form: form, refreshForm: refreshForm, isAuthRequest: isAuthRequest, ensureToken: ensureToken, pkce: signer.pkce };
})(postmintConfig);
if (!postmint.isAuthRequest()) {
    postmint.ensureToken();
}
