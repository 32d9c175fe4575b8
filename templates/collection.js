// postmint collection script: runs before every request of this collection.
// It defines `postmint`, the one client the Auth requests and the automatic fetch share: the
// token request is built by request() alone, from the environment's variables alone (postmint
// generate wrote them; oauth's table in Go reads the same ones). Before every request that is
// not itself a token request it makes sure bearerToken is valid for at least minValidity more
// seconds, fetching a new one when a privateKey is set; before postmint's own token requests
// (Get token, Exchange code, Refresh token) it builds their body with a fresh assertion. Every failure to get a token is a
// failing pm.test that names the cause, so Newman and the Postman CLI exit non-zero.
// postmintConfig, postmintSigner, postmintAccept, postmintRedact and postmintJSON are placed above this text by postmint
// generate. `postmint` is a global: the Auth requests' scripts and the collection's test script
// (which run later, each with its own pm) call it.
postmint = (function (cfg) {
    var signer = null;
    // sign builds the signer on first use: a request with a valid token never pays for it.
    // The sandbox keeps globals for the whole run (that is how the Auth requests find
    // `postmint`), so the signer an earlier request built from this very code is reused: its
    // arithmetic stays compiled and warm instead of starting cold in every token request. It
    // holds no key and no token (keys are read from the environment on every call).
    function sign() {
        if (!signer) {
            var code = String(postmintSigner);
            if (typeof postmintWarm === 'object' && postmintWarm && postmintWarm.code === code) {
                signer = postmintWarm.signer;
            } else {
                signer = postmintSigner(require('crypto-js'));
                postmintWarm = { code: code, signer: signer };
            }
        }
        return signer;
    }
    // Every function takes the pm of the script that called in (the way Go passes ctx): each
    // script of a request has its own, and a change (a variable, the request body, a test)
    // counts only through the caller's. No pm is kept between calls.
    // held are keys read from the Postman Vault for this request (never stored in a variable):
    // this object is made anew for every request, by the collection script.
    var held = {};
    // v reads a variable the way Postman resolves {{name}} (environment before collection);
    // an empty or missing one means what oauth's table says (cfg.absent), as in Go.
    function v(pm, name) {
        if (Object.prototype.hasOwnProperty.call(held, name)) {
            return held[name];
        }
        var x = pm.variables.get(name);
        x = x === undefined || x === null ? '' : String(x);
        var a = cfg.absent[name];
        if (!x.trim() && a) {
            return a.from ? v(pm, a.from) : a.value;
        }
        return x;
    }
    function Problem(message) {
        this.message = message;
    }
    // need reads a variable every postmint environment has.
    function need(pm, name) {
        var x = v(pm, name);
        if (!x.trim()) {
            throw new Problem('variable ' + name + ' is ' + cfg.missingHint);
        }
        return x;
    }
    function json(pm, name) {
        try {
            return JSON.parse(need(pm, name));
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
    function fail(pm, cause) {
        pm.test('postmint: no token: ' + cause, function () {
            throw new Error(cause);
        });
    }
    // assertion signs a fresh RFC 7523 assertion with the header and claims of oauth.Profile in
    // Go: extra claims first, the ones postmint sets over them.
    function assertion(pm) {
        cfg.required.forEach(function (name) {
            need(pm, name);
        });
        var key = v(pm, 'privateKey');
        if (!key.trim()) {
            throw new Problem(cfg.noKey);
        }
        var header = { alg: v(pm, 'alg') };
        if (v(pm, 'typ')) {
            header.typ = v(pm, 'typ');
        }
        if (v(pm, 'kid')) {
            header.kid = v(pm, 'kid');
        }
        if (v(pm, 'x5c')) {
            header.x5c = JSON.parse(v(pm, 'x5c'));
        }
        if (v(pm, 'x5tS256')) {
            header['x5t#S256'] = v(pm, 'x5tS256');
        }
        if (v(pm, 'x5t')) {
            header.x5t = v(pm, 'x5t');
        }
        // The same checks as oauth's table in Go: a value it refuses is refused here too.
        if (cfg.scopePlacements.indexOf(v(pm, 'scopeIn')) < 0) {
            throw new Problem('variable scopeIn must be ' + cfg.scopePlacements.join(', '));
        }
        if (v(pm, 'sendClientId') !== 'true' && v(pm, 'sendClientId') !== 'false') {
            throw new Problem('variable sendClientId must be true or false');
        }
        var claims = json(pm, 'extraClaims');
        var t = now();
        var lifetime = parseInt(v(pm, 'assertionLifetime'), 10);
        if (!(lifetime > 0)) {
            throw new Problem('variable assertionLifetime must be a positive number of seconds');
        }
        claims.iss = v(pm, 'iss');
        claims.aud = v(pm, 'aud');
        claims.iat = t;
        claims.exp = t + lifetime;
        claims.jti = sign().uuid4();
        if (v(pm, 'sub')) {
            claims.sub = v(pm, 'sub');
        }
        var scopeIn = v(pm, 'scopeIn');
        if ((scopeIn === 'claim' || scopeIn === 'both') && v(pm, 'scope')) {
            claims.scope = v(pm, 'scope');
        }
        return sign().jwt(header, claims, key);
    }
    // fields lists a token request's parameters in the order of oauth.Profile.fields in Go:
    // grant_type, client_id, the grant's own parameters, the assertion, extra parameters.
    function fields(pm, grant, a, params) {
        var f = [{ key: 'grant_type', value: grant }];
        if (v(pm, 'sendClientId') === 'true') {
            f.push({ key: 'client_id', value: v(pm, 'clientId') });
        }
        f = f.concat(params);
        if (grant === cfg.jwtBearerGrant) {
            f.push({ key: 'assertion', value: a });
        } else {
            f.push({ key: 'client_assertion_type', value: v(pm, 'clientAssertionType') });
            f.push({ key: 'client_assertion', value: a });
        }
        var extra = json(pm, 'extraForm');
        Object.keys(extra).sort().forEach(function (k) {
            f.push({ key: k, value: String(extra[k]) });
        });
        return f;
    }
    // request is the one token request of this client: kind 'grant' (the profile's own grant),
    // 'code' (RFC 6749 §4.1.3 with PKCE) or 'refresh' (§6), each with a fresh assertion.
    function request(pm, kind) {
        var a = assertion(pm);
        var params;
        if (kind === 'code') {
            params = [{ key: 'code', value: v(pm, 'authorizationCode') }, { key: 'redirect_uri', value: v(pm, 'redirectUri') }];
            if (v(pm, 'codeVerifier')) {
                params.push({ key: 'code_verifier', value: v(pm, 'codeVerifier') });
            }
            params = fields(pm, 'authorization_code', a, params);
        } else if (kind === 'refresh') {
            params = fields(pm, 'refresh_token', a, [{ key: 'refresh_token', value: v(pm, 'refreshToken') }]);
        } else {
            var scopeIn = v(pm, 'scopeIn');
            params = fields(pm, v(pm, 'grantType'), a, (scopeIn === 'form' || scopeIn === 'both') && v(pm, 'scope') ? [{ key: 'scope', value: v(pm, 'scope') }] : []);
        }
        pm.environment.set('clientAssertion', a);
        return { assertion: a, form: params, dpop: dpopOn(pm) ? proof(pm, 'POST', v(pm, 'idpServer'), v(pm, 'dpopNonce'), '') : '' };
    }
    // ---- The Postman Vault: privateKey and dpopKey may be references {{vault:NAME}} ----
    function vaultRef(pm, name) {
        var m = new RegExp(cfg.vaultPattern).exec(String(pm.variables.get(name) || ''));
        return m ? m[1] : '';
    }
    function say(template, name, secret, why) {
        return template.split('{var}').join(name).split('{secret}').join(secret).split('{why}').join(why || '');
    }
    // unlock reads the variables of names that are vault references from the Postman Vault
    // (pm.vault, the Postman app with "Enable support in scripts") into held, then calls done
    // with '' or the problem. A DPoP key the vault does not have yet is made and put there.
    // Without references it calls done at once; in a runner without a vault, done names the
    // Postman Vault and the CI fix.
    function unlock(pm, names, done) {
        var name = names.filter(function (n) {
            return vaultRef(pm, n) && !Object.prototype.hasOwnProperty.call(held, n);
        })[0];
        if (!name) {
            done('');
            return;
        }
        var secret = vaultRef(pm, name);
        if (!pm.vault || typeof pm.vault.get !== 'function') {
            done(say(cfg.vaultMissing, name, secret));
            return;
        }
        var refused = function (e) {
            done(say(cfg.vaultDenied, name, secret, String(e && e.message || e)));
        };
        pm.vault.get(secret).then(function (value) {
            value = value === undefined || value === null ? '' : String(value);
            if (value.trim()) {
                held[name] = value;
                unlock(pm, names, done);
            } else if (name === 'dpopKey') {
                var made = sign().newDpopKey(v(pm, 'dpopAlg'));
                pm.vault.set(secret, made).then(function () {
                    held[name] = made;
                    unlock(pm, names, done);
                }, refused);
            } else {
                done(say(cfg.vaultEmpty, name, secret));
            }
        }, refused);
    }
    // keys are the variables a token request signs with.
    function keys(pm) {
        return dpopOn(pm) ? ['privateKey', 'dpopKey'] : ['privateKey'];
    }
    // ---- DPoP (RFC 9449): on when the environment names dpopAlg ----
    function dpopOn(pm) {
        return !!v(pm, 'dpopAlg').trim();
    }
    // dpopKey is the environment's DPoP key; where it has none, one is made (and kept) when
    // the sandbox has a CSPRNG (the signer refuses otherwise, with the fix).
    function dpopKey(pm) {
        var k = v(pm, 'dpopKey');
        if (!k.trim()) {
            k = sign().newDpopKey(v(pm, 'dpopAlg'));
            pm.environment.set('dpopKey', k);
        }
        return k;
    }
    // proof signs a DPoP proof for one request; a signer refusal becomes a Problem.
    function proof(pm, method, url, nonce, token) {
        try {
            return sign().dpopProof({ alg: v(pm, 'dpopAlg'), key: dpopKey(pm), htm: method, htu: url, nonce: nonce, accessToken: token });
        } catch (e) {
            throw new Problem('DPoP: ' + String(e.message).replace(/^postmint: /, ''));
        }
    }
    // origin is scheme://host[:port] of a URL, lowercase: API nonces are kept per origin.
    function origin(url) {
        var m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i.exec(url);
        return m ? m[1].toLowerCase() : '';
    }
    // apiNonces is dpopApiNonces; what is not a JSON object counts as none (dpop.Nonces too).
    function apiNonces(pm) {
        try {
            var all = JSON.parse(v(pm, 'dpopApiNonces') || '{}');
            return all && typeof all === 'object' && !Array.isArray(all) ? all : {};
        } catch (e) {
            return {};
        }
    }
    // sentURL is the URL the request being sent goes to, variables and path variables resolved.
    function sentURL(pm) {
        var u = pm.request.url;
        var base = (u.protocol ? u.protocol + '://' : '') + u.getHost() + (u.port ? ':' + u.port : '') + u.getPath();
        return pm.variables.replaceIn(base);
    }
    // signAPIRequest gives the API request being sent its own proof, bound to the token (ath)
    // and carrying the nonce its server last gave.
    function signAPIRequest(pm) {
        var url = sentURL(pm);
        var nonce = apiNonces(pm)[origin(url)];
        pm.request.headers.upsert({ key: 'DPoP', value: proof(pm, pm.request.method, url, typeof nonce === 'string' ? nonce : '', v(pm, 'bearerToken')) });
    }
    // prepare fills the Auth request being sent with the token request (its form in the
    // collection only shows which variables go where).
    function prepare(pm, kind) {
        // refuse fails the request: nothing worth sending, and a request without a fresh
        // assertion would only add a second, misleading failure.
        var refuse = function (problem) {
            fail(pm, problem);
            if (pm.execution && pm.execution.skipRequest) {
                pm.execution.skipRequest();
            }
        };
        unlock(pm, keys(pm), function (problem) {
            if (problem) {
                refuse(problem);
                return;
            }
            try {
                var r = request(pm, kind);
                pm.request.body.update({ mode: 'urlencoded', urlencoded: r.form });
                if (r.dpop) {
                    pm.request.headers.upsert({ key: 'DPoP', value: r.dpop });
                }
            } catch (e) {
                if (!(e instanceof Problem)) {
                    throw e;
                }
                refuse(e.message);
            }
        });
    }
    // isAuthRequest tells the Auth requests (a token request carrying an assertion, or the
    // authorization request carrying a PKCE challenge) from API requests.
    function isAuthRequest(pm) {
        var b = pm.request.body;
        if (b && b.mode === 'urlencoded' && b.urlencoded && (b.urlencoded.has('client_assertion') || b.urlencoded.has('assertion'))) {
            return true;
        }
        var q = pm.request.url && pm.request.url.query;
        return !!(q && (q.has('code_challenge') || q.has('request_uri')));
    }
    // tokenKind names the token request kind of postmint's own Auth token requests (Get token,
    // Exchange code, Refresh token): the only requests whose form carries {{clientAssertion}}
    // as client_assertion or assertion (the variable is postmint's; an OpenAPI or definition
    // request never uses it). grant_type tells the kind. '' for every other request.
    function tokenKind(pm) {
        var b = pm.request.body;
        var f = b && b.mode === 'urlencoded' && b.urlencoded;
        if (!f || typeof f.get !== 'function' || (f.get('client_assertion') !== cfg.assertionRef && f.get('assertion') !== cfg.assertionRef)) {
            return '';
        }
        var grant = f.get('grant_type');
        return grant === 'authorization_code' ? 'code' : grant === 'refresh_token' ? 'refresh' : 'grant';
    }
    // run is the collection-level pre-request script's work for the request being sent: one
    // script per token request, so Get token pays for one sandbox run, not two. postmint's own
    // token requests get their freshly signed body here; other Auth requests (Authorize) do
    // their own work; every other request gets a valid token first.
    function run(pm) {
        var kind = tokenKind(pm);
        if (kind) {
            prepare(pm, kind);
        } else if (!isAuthRequest(pm)) {
            ensureToken(pm);
        }
    }
    function unreachable(err) {
        if (err && err.code && err.address) {
            return err.code + ' ' + err.address + (err.port ? ':' + err.port : '');
        }
        return String(err && (err.message || err.code) || err).replace(/^connect /, '');
    }
    // ensureToken fetches a token with pm.sendRequest when bearerToken is missing or has
    // under minValidity seconds left (the request waits for it); with DPoP the request then
    // gets its own proof.
    function ensureToken(pm) {
        var then = function () {
            if (!dpopOn(pm)) {
                return;
            }
            unlock(pm, ['dpopKey'], function (problem) {
                if (problem) {
                    fail(pm, problem);
                    return;
                }
                try {
                    signAPIRequest(pm);
                } catch (e) {
                    if (!(e instanceof Problem)) {
                        throw e;
                    }
                    fail(pm, e.message);
                }
            });
        };
        var expiresAt = parseInt(v(pm, 'bearerTokenExpiresAt'), 10) || 0;
        if (v(pm, 'bearerToken') && (expiresAt - now() >= cfg.minValidity || (!expiresAt && !v(pm, 'privateKey').trim()))) {
            then();
            return;
        }
        var code = v(pm, 'grantType') === 'authorization_code';
        if (code && !v(pm, 'refreshToken')) {
            fail(pm, 'no refreshToken and no valid bearerToken: send Auth / Authorize, then Auth / Exchange code');
            return;
        }
        if (!v(pm, 'privateKey').trim()) {
            fail(pm, cfg.noKeyNoToken);
            return;
        }
        unlock(pm, keys(pm), function (problem) {
            if (problem) {
                fail(pm, problem);
                return;
            }
            send(pm, code ? 'refresh' : 'grant', false, function (problem) {
                if (problem) {
                    fail(pm, problem);
                } else {
                    then();
                }
            });
        });
    }
    // send posts a token request of that kind with pm.sendRequest; done gets '' or the problem.
    function send(pm, kind, retried, done) {
        var r;
        try {
            r = request(pm, kind);
        } catch (e) {
            if (!(e instanceof Problem)) {
                throw e;
            }
            done(e.message);
            return;
        }
        var url = v(pm, 'idpServer');
        var header = [{ key: 'Accept', value: 'application/json' }];
        if (r.dpop) {
            header.push({ key: 'DPoP', value: r.dpop });
        }
        pm.sendRequest({ url: url, method: 'POST', header: header, body: { mode: 'urlencoded', urlencoded: r.form } }, function (err, res) {
            if (err) {
                done('token endpoint unreachable: ' + unreachable(err) + ' (' + url + ')');
                return;
            }
            finish(pm, res.code, res.text(), res.headers.get('DPoP-Nonce'), r.assertion, kind, retried, done);
        });
    }
    // finish takes a token endpoint's answer. One that asks for a DPoP nonce (RFC 9449 §8:
    // 400 use_dpop_nonce with DPoP-Nonce) is tried once more, with the nonce and a fresh
    // assertion (a replayed one is refused).
    function finish(pm, status, text, nonce, sent, kind, retried, done) {
        if (nonce && dpopOn(pm)) {
            // Stored and sent again: checked like every server text (oauth.ServerTextRules).
            var bad = postmintCheckText(cfg.serverText, 'DPoP-Nonce', nonce);
            if (bad) {
                done('token response is not usable: ' + bad);
                return;
            }
            pm.environment.set('dpopNonce', nonce);
        }
        var body = postmintJSON(text);
        if (!retried && nonce && dpopOn(pm) && status === 400 && body && body.error === 'use_dpop_nonce') {
            send(pm, kind, true, done);
            return;
        }
        done(accept(pm, status, text, sent));
    }
    // answered takes the answer to an Auth token request (its test script calls it).
    function answered(pm, kind, done) {
        finish(pm, pm.response.code, pm.response.text(), pm.response.headers.get('DPoP-Nonce'), v(pm, 'clientAssertion'), kind, false, done);
    }
    // accept checks the answer to an Auth request (its test script calls it).
    function accept(pm, status, text, sent) {
        if (!status) {
            return 'token endpoint unreachable: no response from ' + v(pm, 'idpServer');
        }
        return postmintAccept(pm, status, text, sent, cfg, dpopOn(pm));
    }
    // checkAPI is the collection-level test: an API request that the API refuses with 401 or
    // 403 fails, with the WWW-Authenticate challenge, so a token the API rejects fails the run.
    function checkAPI(pm) {
        if (isAuthRequest(pm)) {
            return;
        }
        var code = pm.response.code;
        var challenge = pm.response.headers.get('WWW-Authenticate') || '';
        var nonce = dpopOn(pm) && pm.response.headers.get('DPoP-Nonce');
        var badNonce = nonce ? postmintCheckText(cfg.serverText, 'DPoP-Nonce', nonce) : '';
        if (badNonce) {
            pm.test('API answer usable: ' + badNonce, function () {
                throw new Error(badNonce);
            });
        } else if (nonce) {
            var all = apiNonces(pm);
            var at = origin(sentURL(pm));
            delete all[at];
            all[at] = nonce;
            // The newest nonces of at most cfg.maxApiNonces APIs are kept: the variable stays small.
            var origins = Object.keys(all);
            origins.slice(0, Math.max(0, origins.length - cfg.maxApiNonces)).forEach(function (k) {
                delete all[k];
            });
            pm.environment.set('dpopApiNonces', JSON.stringify(all));
        }
        // RFC 9449 §7.1 errors of a resource server, explained (cfg.dpopHints, from Go).
        var why = dpopOn(pm) && /error="?([a-z_]+)/.exec(challenge);
        if (why && cfg.dpopHints[why[1]]) {
            challenge += ' (' + cfg.dpopHints[why[1]] + ')';
        }
        var refused = code === 401 || code === 403;
        pm.test('API accepted the token' + (refused ? ': HTTP ' + code + (challenge ? ' ' + challenge : '') : ''), function () {
            if (refused) {
                throw new Error('HTTP ' + code + ' from the API' + (challenge ? ': WWW-Authenticate: ' + challenge : '') + '; check scope and audience, or run postmint refresh');
            }
        });
    }
    function pkce() {
        return sign().pkce();
    }
    // push sends the authorization request to the PAR endpoint (RFC 9126 §2.1) with a fresh
    // client assertion, and dpop_jkt (RFC 9449 §10) for a DPoP client; done gets '' (and
    // requestUri is set) or the problem.
    function push(pm, done) {
        unlock(pm, keys(pm), function (problem) {
            if (problem) {
                done(problem);
            } else {
                pushUnlocked(pm, done);
            }
        });
    }
    function pushUnlocked(pm, done) {
        var f, a;
        try {
            a = assertion(pm);
            f = [{ key: 'response_type', value: 'code' }, { key: 'client_id', value: v(pm, 'clientId') }, { key: 'redirect_uri', value: need(pm, 'redirectUri') },
                { key: 'state', value: v(pm, 'state') }, { key: 'nonce', value: v(pm, 'nonce') },
                { key: 'code_challenge', value: v(pm, 'codeChallenge') }, { key: 'code_challenge_method', value: 'S256' },
                { key: 'client_assertion_type', value: v(pm, 'clientAssertionType') }, { key: 'client_assertion', value: a }];
            if (v(pm, 'scope')) {
                f.splice(3, 0, { key: 'scope', value: v(pm, 'scope') });
            }
            if (dpopOn(pm)) {
                f.push({ key: 'dpop_jkt', value: sign().thumbprint(dpopKey(pm)) });
            }
        } catch (e) {
            if (!(e instanceof Problem)) {
                throw e;
            }
            done(e.message);
            return;
        }
        var url = need(pm, 'parEndpoint');
        pm.sendRequest({ url: url, method: 'POST', header: [{ key: 'Accept', value: 'application/json' }], body: { mode: 'urlencoded', urlencoded: f } }, function (err, res) {
            if (err) {
                done('PAR endpoint unreachable: ' + unreachable(err) + ' (' + url + ')');
                return;
            }
            var body = postmintJSON(res.text());
            if (res.code !== 201 || !body || typeof body.request_uri !== 'string' || !body.request_uri) {
                var why = body && typeof body.error === 'string' ? body.error + (body.error_description ? ': ' + body.error_description : '') : 'no request_uri';
                done('the PAR endpoint answered HTTP ' + res.code + ': ' + postmintRedact(why, a));
                return;
            }
            var bad = postmintCheckText(cfg.serverText, 'request_uri', body.request_uri);
            if (bad) {
                done('the PAR answer is not usable: ' + bad);
                return;
            }
            pm.environment.set('requestUri', body.request_uri);
            // Built here from the values themselves, never through pm.variables.replaceIn: the
            // request_uri is the server's text.
            done('', v(pm, 'authorizationEndpoint') + (v(pm, 'authorizationEndpoint').indexOf('?') < 0 ? '?' : '&') +
                'client_id=' + encodeURIComponent(v(pm, 'clientId')) + '&request_uri=' + encodeURIComponent(body.request_uri));
        });
    }
    function pushes(pm) {
        return !!v(pm, 'parEndpoint').trim();
    }
    return { run: run, request: request, prepare: prepare, accept: accept, answered: answered, checkAPI: checkAPI, isAuthRequest: isAuthRequest, tokenKind: tokenKind, ensureToken: ensureToken, pkce: pkce, push: push, pushes: pushes };
})(postmintConfig);
postmint.run(pm);
