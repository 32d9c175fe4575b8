// postmint collection script: runs before every request of this collection.
// It defines `postmint`, the one client the Auth requests and the automatic fetch share: the
// token request is built by request() alone, from the environment's variables alone (postmint
// generate wrote them; oauth's table in Go reads the same ones). Before every request that is
// not itself a token request it makes sure bearerToken is valid for at least minValidity more
// seconds, fetching a new one when a privateKey is set. Every failure to get a token is a
// failing pm.test that names the cause, so Newman and the Postman CLI exit non-zero.
// postmintConfig, postmintSigner and postmintAccept are placed above this text by postmint
// generate. `postmint` is a global: the Auth requests' scripts and the collection's test script
// (which run later, each with its own pm) call it.
postmint = (function (cfg) {
    var signer = null;
    // sign builds the signer on first use: a request with a valid token never pays for it.
    function sign() {
        if (!signer) {
            signer = postmintSigner(require('crypto-js'));
        }
        return signer;
    }
    // P is the pm of the script that called in: each script of a request has its own, and a
    // change (a variable, the request body) counts only through the caller's.
    var P = null;
    // v reads a variable the way Postman resolves {{name}} (environment before collection);
    // an empty or missing one means what oauth's table says (cfg.absent), as in Go.
    function v(name) {
        var x = P.variables.get(name);
        x = x === undefined || x === null ? '' : String(x);
        var a = cfg.absent[name];
        if (!x.trim() && a) {
            return a.from ? v(a.from) : a.value;
        }
        return x;
    }
    function Problem(message) {
        this.message = message;
    }
    // need reads a variable every postmint environment has.
    function need(name) {
        var x = v(name);
        if (!x.trim()) {
            throw new Problem('variable ' + name + ' is ' + cfg.missingHint);
        }
        return x;
    }
    function json(name) {
        try {
            return JSON.parse(need(name));
        } catch (e) {
            if (e instanceof Problem) {
                throw e;
            }
            throw new Problem('variable ' + name + ' is not valid JSON; regenerate the environment with `postmint generate`');
        }
    }
    function now() {
        return Math.floor(Date.now() / 1000);
    }
    // fail records the cause as a failing test: runners count it, reporters print it.
    function fail(cause) {
        P.test('postmint: no token: ' + cause, function () {
            throw new Error(cause);
        });
    }
    // assertion signs a fresh RFC 7523 assertion with the header and claims of oauth.Profile in
    // Go: extra claims first, the ones postmint sets over them.
    function assertion() {
        cfg.required.forEach(need);
        var key = v('privateKey');
        if (!key.trim()) {
            throw new Problem(cfg.noKey);
        }
        var header = { alg: v('alg') };
        if (v('typ')) {
            header.typ = v('typ');
        }
        if (v('kid')) {
            header.kid = v('kid');
        }
        if (v('x5c')) {
            header.x5c = JSON.parse(v('x5c'));
        }
        if (v('x5tS256')) {
            header['x5t#S256'] = v('x5tS256');
        }
        if (v('x5t')) {
            header.x5t = v('x5t');
        }
        // The same checks as oauth's table in Go: a value it refuses is refused here too.
        if (cfg.scopePlacements.indexOf(v('scopeIn')) < 0) {
            throw new Problem('variable scopeIn must be ' + cfg.scopePlacements.join(', '));
        }
        if (v('sendClientId') !== 'true' && v('sendClientId') !== 'false') {
            throw new Problem('variable sendClientId must be true or false');
        }
        var claims = json('extraClaims');
        var t = now();
        var lifetime = parseInt(v('assertionLifetime'), 10);
        if (!(lifetime > 0)) {
            throw new Problem('variable assertionLifetime must be a positive number of seconds');
        }
        claims.iss = v('iss');
        claims.aud = v('aud');
        claims.iat = t;
        claims.exp = t + lifetime;
        claims.jti = sign().uuid4();
        if (v('sub')) {
            claims.sub = v('sub');
        }
        var scopeIn = v('scopeIn');
        if ((scopeIn === 'claim' || scopeIn === 'both') && v('scope')) {
            claims.scope = v('scope');
        }
        return sign().jwt(header, claims, key);
    }
    // fields lists a token request's parameters in the order of oauth.Profile.fields in Go:
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
            f.push({ key: 'client_assertion_type', value: v('clientAssertionType') });
            f.push({ key: 'client_assertion', value: a });
        }
        var extra = json('extraForm');
        Object.keys(extra).sort().forEach(function (k) {
            f.push({ key: k, value: String(extra[k]) });
        });
        return f;
    }
    // request is the one token request of this client: kind 'grant' (the profile's own grant),
    // 'code' (RFC 6749 §4.1.3 with PKCE) or 'refresh' (§6), each with a fresh assertion.
    function request(p, kind) {
        P = p;
        var a = assertion();
        var params;
        if (kind === 'code') {
            params = [{ key: 'code', value: v('authorizationCode') }, { key: 'redirect_uri', value: v('redirectUri') }];
            if (v('codeVerifier')) {
                params.push({ key: 'code_verifier', value: v('codeVerifier') });
            }
            params = fields('authorization_code', a, params);
        } else if (kind === 'refresh') {
            params = fields('refresh_token', a, [{ key: 'refresh_token', value: v('refreshToken') }]);
        } else {
            var scopeIn = v('scopeIn');
            params = fields(v('grantType'), a, (scopeIn === 'form' || scopeIn === 'both') && v('scope') ? [{ key: 'scope', value: v('scope') }] : []);
        }
        P.environment.set('clientAssertion', a);
        return { assertion: a, form: params };
    }
    // prepare fills the Auth request being sent with the token request (its form in the
    // collection only shows which variables go where).
    function prepare(p, kind) {
        P = p;
        try {
            var r = request(P, kind);
            P.request.body.update({ mode: 'urlencoded', urlencoded: r.form });
        } catch (e) {
            if (!(e instanceof Problem)) {
                throw e;
            }
            fail(e.message);
            // Nothing worth sending: a request without a fresh assertion would only add a
            // second, misleading failure.
            if (P.execution && P.execution.skipRequest) {
                P.execution.skipRequest();
            }
        }
    }
    // isAuthRequest tells the Auth requests (a token request carrying an assertion, or the
    // authorization request carrying a PKCE challenge) from API requests.
    function isAuthRequest(p) {
        P = p;
        var b = P.request.body;
        if (b && b.mode === 'urlencoded' && b.urlencoded && (b.urlencoded.has('client_assertion') || b.urlencoded.has('assertion'))) {
            return true;
        }
        return !!(P.request.url && P.request.url.query && P.request.url.query.has('code_challenge'));
    }
    function unreachable(err) {
        if (err && err.code && err.address) {
            return err.code + ' ' + err.address + (err.port ? ':' + err.port : '');
        }
        return String(err && (err.message || err.code) || err).replace(/^connect /, '');
    }
    // ensureToken fetches a token with pm.sendRequest when bearerToken is missing or has
    // under minValidity seconds left; the request waits for it.
    function ensureToken(p) {
        P = p;
        var expiresAt = parseInt(v('bearerTokenExpiresAt'), 10) || 0;
        if (v('bearerToken') && (expiresAt - now() >= cfg.minValidity || (!expiresAt && !v('privateKey').trim()))) {
            return;
        }
        var code = v('grantType') === 'authorization_code';
        if (code && !v('refreshToken')) {
            fail('no refreshToken and no valid bearerToken: send Auth / Authorize, then Auth / Exchange code');
            return;
        }
        var r;
        try {
            r = request(P, code ? 'refresh' : 'grant');
        } catch (e) {
            if (!(e instanceof Problem)) {
                throw e;
            }
            fail(e.message === cfg.noKey ? cfg.noKeyNoToken : e.message);
            return;
        }
        var url = v('idpServer');
        P.sendRequest({
            url: url,
            method: 'POST',
            header: [{ key: 'Accept', value: 'application/json' }],
            body: { mode: 'urlencoded', urlencoded: r.form }
        }, function (err, res) {
            if (err) {
                fail('token endpoint unreachable: ' + unreachable(err) + ' (' + url + ')');
                return;
            }
            var problem = accept(P, res.code, res.text(), r.assertion);
            if (problem) {
                fail(problem);
            }
        });
    }
    // accept checks the answer to an Auth request (its test script calls it).
    function accept(p, status, text, sent) {
        P = p;
        if (!status) {
            return 'token endpoint unreachable: no response from ' + v('idpServer');
        }
        return postmintAccept(p, status, text, sent, cfg.defaultExpiresIn);
    }
    // checkAPI is the collection-level test: an API request that the API refuses with 401 or
    // 403 fails, with the WWW-Authenticate challenge, so a token the API rejects fails the run.
    function checkAPI(p) {
        if (isAuthRequest(p)) {
            return;
        }
        P = p;
        var code = P.response.code;
        var challenge = P.response.headers.get('WWW-Authenticate') || '';
        var refused = code === 401 || code === 403;
        P.test('API accepted the token' + (refused ? ': HTTP ' + code + (challenge ? ' ' + challenge : '') : ''), function () {
            if (refused) {
                throw new Error('HTTP ' + code + ' from the API' + (challenge ? ': WWW-Authenticate: ' + challenge : '') + '; check scope and audience, or run postmint refresh');
            }
        });
    }
    function pkce() {
        return sign().pkce();
    }
    return { request: request, prepare: prepare, accept: accept, checkAPI: checkAPI, isAuthRequest: isAuthRequest, ensureToken: ensureToken, pkce: pkce };
})(postmintConfig);
if (!postmint.isAuthRequest(pm)) {
    postmint.ensureToken(pm);
}
