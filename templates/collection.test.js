// node --test collection.test.js: the collection script (collection.js, with signer.js and
// response.js in front of it, as postmint generate places them) against fake pm objects, one
// per script run, the way Postman's sandbox hands each script its own. go test
// ./generator/postman runs it (TestCollectionNodeSuite) with the configuration postmint
// generate writes (POSTMINT_SCRIPT_CONFIG) and needs crypto-js from testdata/e2e/node_modules.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const CryptoJS = require(path.join(__dirname, '..', 'testdata', 'e2e', 'node_modules', 'crypto-js'));
const read = (name) => fs.readFileSync(path.join(__dirname, name), 'utf8');
const SIGNER = read('signer.js');
const RESPONSE = read('response.js');
const COLLECTION = read('collection.js');
if (!process.env.POSTMINT_SCRIPT_CONFIG) {
    throw new Error('POSTMINT_SCRIPT_CONFIG is not set: run go test ./generator/postman -run TestCollectionNodeSuite');
}
const CFG = JSON.parse(fs.readFileSync(process.env.POSTMINT_SCRIPT_CONFIG, 'utf8'));

// Environments as postmint generate writes them (collections/), with a throwaway P-256 key.
function environment(slug) {
    const file = path.join(__dirname, '..', 'collections', slug + '.postman_environment.json');
    const out = {};
    for (const v of JSON.parse(fs.readFileSync(file, 'utf8')).values) {
        out[v.key] = v.value;
    }
    return out;
}
const KEY = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KEY_PEM = KEY.privateKey.export({ type: 'pkcs8', format: 'pem' });
const plainEnv = (extra) => Object.assign(environment('duende-demo-api'), { alg: 'ES256', privateKey: KEY_PEM }, extra);
const dpopEnv = (extra) => Object.assign(environment('helseid-api-test'), { alg: 'ES256', privateKey: KEY_PEM }, extra);
const parEnv = (extra) => Object.assign(environment('fapi2-login'), { alg: 'ES256', privateKey: KEY_PEM }, extra);

// sandbox is one Postman run: globals (postmint, postmintWarm) live across its requests.
function sandbox() {
    const ctx = vm.createContext({
        require: (name) => {
            assert.equal(name, 'crypto-js');
            return CryptoJS;
        },
        crypto: globalThis.crypto,
        console,
    });
    vm.runInContext('var postmintConfig = ' + JSON.stringify(CFG) + ';\n' + SIGNER + RESPONSE, ctx, { filename: 'signer+response.js' });
    // run is the collection-level pre-request script of one request, with that request's pm.
    return {
        run(pm) {
            ctx.pm = pm;
            vm.runInContext(COLLECTION, ctx, { filename: 'collection.js' });
            delete ctx.pm;
            return ctx.postmint;
        },
    };
}

function list(items) {
    const one = (k) => items.find((x) => x.key === k);
    return { has: (k) => !!one(k), get: (k) => (one(k) ? one(k).value : undefined), all: () => items };
}

// fakePM is one script's pm. env is shared by reference (the environment of the run).
// o: method, url, form (an Auth request's urlencoded keys, or [key, value] pairs), query, response {code, body,
// headers}, answer(req) for pm.sendRequest ({code, body, headers} or {error}), vault.
function fakePM(env, o = {}) {
    const m = /^(https?):\/\/([^/:]+)(?::(\d+))?(\/[^?#]*)?/.exec(o.url || 'https://api.example.com/orders');
    const tests = [];
    const sent = [];
    const headers = {};
    const rec = { env, tests, sent, headers, skipped: false, body: null };
    rec.pm = {
        variables: {
            get: (k) => env[k],
            replaceIn: (s) => s.replace(/\{\{([^{}]+)\}\}/g, (all, k) => (k in env ? env[k] : all)),
        },
        environment: { set: (k, v) => { env[k] = v; } },
        test: (name, fn) => {
            let error = null;
            try {
                fn();
            } catch (e) {
                error = e.message;
            }
            tests.push({ name, error });
        },
        request: {
            method: o.method || 'GET',
            url: { protocol: m[1], getHost: () => m[2], port: m[3] || '', getPath: () => m[4] || '/', query: list((o.query || []).map((key) => ({ key }))) },
            body: o.form ? { mode: 'urlencoded', urlencoded: list(o.form.map((f) => (Array.isArray(f) ? { key: f[0], value: f[1] } : { key: f }))), update: (b) => { rec.body = b; } } : undefined,
            headers: { upsert: (h) => { headers[h.key] = h.value; } },
        },
        execution: { skipRequest: () => { rec.skipped = true; } },
        sendRequest: (req, cb) => {
            sent.push(req);
            const a = o.answer ? o.answer(req, sent.length) : { error: { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 } };
            const reply = () => (a.error ? cb(a.error) : cb(null, response(a)));
            if (o.later) {
                o.later.push(reply);
            } else {
                reply();
            }
        },
    };
    if (o.response) {
        rec.pm.response = response(o.response);
    }
    if (o.vault) {
        rec.pm.vault = o.vault;
    }
    return rec;
}

function response(a) {
    const h = a.headers || {};
    return {
        code: a.code,
        text: () => (typeof a.body === 'string' ? a.body : JSON.stringify(a.body)),
        headers: { get: (k) => Object.keys(h).find((x) => x.toLowerCase() === k.toLowerCase()) && h[Object.keys(h).find((x) => x.toLowerCase() === k.toLowerCase())] },
    };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const form = (fields) => Object.fromEntries(fields.map((f) => [f.key, f.value]));
const failures = (rec) => rec.tests.filter((t) => t.error);
const now = () => Math.floor(Date.now() / 1000);
const TOKEN_FORM = ['grant_type', 'client_assertion_type', 'client_assertion'];

function claims(jwt) {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

function verifies(jwt, publicKey) {
    const [h, p, s] = jwt.split('.');
    return crypto.verify('sha256', Buffer.from(h + '.' + p), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

// ---- request: the one token request ----

test('request builds the grant form in oauth.Profile order with a fresh, verifiable assertion', () => {
    const env = plainEnv();
    const rec = fakePM(env, { form: TOKEN_FORM });
    const r = sandbox().run(rec.pm).request(rec.pm, 'grant');
    assert.deepEqual(Array.from(r.form, (f) => f.key), ['grant_type', 'client_id', 'scope', 'client_assertion_type', 'client_assertion']);
    const f = form(r.form);
    assert.equal(f.grant_type, 'client_credentials');
    assert.equal(f.scope, 'api');
    assert.equal(f.client_assertion, r.assertion);
    assert.equal(env.clientAssertion, r.assertion, 'the assertion sent is kept in clientAssertion');
    assert.ok(verifies(r.assertion, KEY.publicKey));
    const c = claims(r.assertion);
    assert.equal(c.iss, 'm2m.jwt');
    assert.equal(c.aud, env.aud);
    assert.equal(c.exp - c.iat, 60);
    assert.equal(r.dpop, '', 'no DPoP proof without dpopAlg');
});

test('request: code and refresh kinds carry their own parameters', () => {
    const env = parEnv({ authorizationCode: 'the-code', codeVerifier: 'v'.repeat(43), refreshToken: 'rt-1' });
    const rec = fakePM(env, { form: TOKEN_FORM });
    const postmint = sandbox().run(rec.pm);
    const code = form(postmint.request(rec.pm, 'code').form);
    assert.equal(code.grant_type, 'authorization_code');
    assert.equal(code.code, 'the-code');
    assert.equal(code.code_verifier, 'v'.repeat(43));
    assert.equal(code.redirect_uri, env.redirectUri);
    const refresh = form(postmint.request(rec.pm, 'refresh').form);
    assert.equal(refresh.grant_type, 'refresh_token');
    assert.equal(refresh.refresh_token, 'rt-1');
});

test('request refuses what oauth\'s table refuses, in words', () => {
    const cases = [
        [{ privateKey: '' }, CFG.noKey],
        [{ scopeIn: 'header' }, 'variable scopeIn must be ' + CFG.scopePlacements.join(', ')],
        [{ sendClientId: 'yes' }, 'variable sendClientId must be true or false'],
        [{ assertionLifetime: '-5' }, 'variable assertionLifetime must be a positive number of seconds'],
        [{ extraClaims: '{' }, 'variable extraClaims is not valid JSON'],
        [{ clientId: '' }, 'variable clientId is ' + CFG.missingHint],
    ];
    for (const [extra, want] of cases) {
        const rec = fakePM(plainEnv(extra), { form: TOKEN_FORM });
        const postmint = sandbox().run(rec.pm);
        assert.throws(() => postmint.request(rec.pm, 'grant'), (e) => e.message.startsWith(want), JSON.stringify(extra));
    }
});

// ---- prepare: the Auth request's own body ----

test('prepare fills the Auth request it was given, not one seen before', () => {
    const env = plainEnv();
    const box = sandbox();
    const first = fakePM(env, { form: TOKEN_FORM });
    const second = fakePM(env, { form: TOKEN_FORM });
    box.run(first.pm);
    const postmint = box.run(second.pm);
    postmint.prepare(second.pm, 'grant');
    assert.equal(first.body, null);
    assert.equal(second.body.mode, 'urlencoded');
    assert.equal(form(second.body.urlencoded).client_assertion, env.clientAssertion);
    assert.deepEqual(failures(second), []);
});

test('prepare without a key fails the request and skips sending it', () => {
    const rec = fakePM(plainEnv({ privateKey: '' }), { form: TOKEN_FORM });
    sandbox().run(rec.pm).prepare(rec.pm, 'grant');
    assert.equal(rec.body, null);
    assert.equal(rec.skipped, true);
    assert.deepEqual(failures(rec).map((t) => t.name), ['postmint: no token: ' + CFG.noKey]);
});

// ---- the collection script itself: postmint's own token requests get their body ----

// The Auth token requests' forms as postmint generate writes them (collections/).
const GET_TOKEN = [['grant_type', '{{grantType}}'], ['client_id', '{{clientId}}'], ['client_assertion_type', '{{clientAssertionType}}'], ['client_assertion', '{{clientAssertion}}']];
const JWT_BEARER = [['grant_type', '{{grantType}}'], ['assertion', '{{clientAssertion}}']];
const EXCHANGE_CODE = [['grant_type', 'authorization_code'], ['code', '{{authorizationCode}}'], ['client_assertion', '{{clientAssertion}}']];
const REFRESH = [['grant_type', 'refresh_token'], ['refresh_token', '{{refreshToken}}'], ['client_assertion', '{{clientAssertion}}']];

test('the collection script builds postmint\'s own token requests with a fresh assertion, by kind', () => {
    const env = parEnv({ authorizationCode: 'the-code', codeVerifier: 'v'.repeat(43), refreshToken: 'rt-1' });
    const box = sandbox();
    const cases = [[GET_TOKEN, plainEnv(), 'client_credentials'], [EXCHANGE_CODE, env, 'authorization_code'], [REFRESH, env, 'refresh_token']];
    for (const [f, e, grant] of cases) {
        const rec = fakePM(e, { method: 'POST', url: 'https://idp.example.com/token', form: f });
        e.clientAssertion = 'stale';
        box.run(rec.pm);
        assert.ok(rec.body, grant + ': body built');
        const sent = form(rec.body.urlencoded);
        assert.equal(sent.grant_type, grant);
        assert.equal(sent.client_assertion, e.clientAssertion, grant);
        assert.notEqual(e.clientAssertion, 'stale', grant + ': a fresh assertion');
        assert.equal(claims(e.clientAssertion).iss, e.iss);
        assert.equal(rec.sent.length, 0, grant + ': nothing sent by the script itself');
        assert.deepEqual(failures(rec), [], grant);
    }
    assert.equal(form(fakeBody(box, env, EXCHANGE_CODE)).code, 'the-code');
    assert.equal(form(fakeBody(box, env, REFRESH)).refresh_token, 'rt-1');
    const jb = fakePM(plainEnv(), { form: JWT_BEARER });
    assert.equal(box.run(jb.pm).tokenKind(jb.pm), 'grant', 'the jwt_bearer grant carries it as assertion');
});

function fakeBody(box, env, f) {
    const rec = fakePM(env, { method: 'POST', form: f });
    box.run(rec.pm);
    return rec.body.urlencoded;
}

test('the collection script leaves other token-shaped requests alone and fails a keyless token request', () => {
    // A request with client_assertion that is not postmint's {{clientAssertion}} (an OpenAPI
    // operation of the IdP, say) is neither rewritten nor given a token fetch.
    const env = plainEnv({ bearerToken: '', bearerTokenExpiresAt: '' });
    const other = fakePM(env, { method: 'POST', form: [['grant_type', 'client_credentials'], ['client_assertion', 'eyJ.theirs.x']] });
    sandbox().run(other.pm);
    assert.equal(other.body, null);
    assert.equal(other.sent.length, 0);
    assert.deepEqual(other.tests, []);
    // Get token without a key: the failing test names the cause and the request is not sent.
    const keyless = fakePM(plainEnv({ privateKey: '' }), { method: 'POST', form: GET_TOKEN });
    sandbox().run(keyless.pm);
    assert.equal(keyless.body, null);
    assert.equal(keyless.skipped, true);
    assert.deepEqual(failures(keyless).map((t) => t.name), ['postmint: no token: ' + CFG.noKey]);
});

// ---- isAuthRequest ----

test('isAuthRequest tells token and authorization requests from API requests', () => {
    const env = plainEnv();
    const postmint = sandbox().run(fakePM(env, { form: TOKEN_FORM }).pm);
    const is = (o) => postmint.isAuthRequest(fakePM(env, o).pm);
    assert.equal(is({ form: TOKEN_FORM }), true);
    assert.equal(is({ form: ['grant_type', 'assertion'] }), true);
    assert.equal(is({ query: ['response_type', 'code_challenge'] }), true);
    assert.equal(is({ query: ['client_id', 'request_uri'] }), true);
    assert.equal(is({}), false);
    assert.equal(is({ form: ['name', 'email'] }), false);
});

// ---- accept / answered: the token answer ----

test('answered stores the token of a good answer', async () => {
    const env = plainEnv({ clientAssertion: 'eyJ.sent.x' });
    const rec = fakePM(env, { form: TOKEN_FORM, response: { code: 200, body: { access_token: 'tok-1', token_type: 'Bearer', expires_in: 300 } } });
    let problem = null;
    sandbox().run(rec.pm).answered(rec.pm, 'grant', (p) => { problem = p; });
    assert.equal(problem, '');
    assert.equal(env.bearerToken, 'tok-1');
    assert.ok(Number(env.bearerTokenExpiresAt) >= now() + 299);
});

test('accept: an answer without a status is the endpoint unreachable, named', () => {
    const env = plainEnv();
    const rec = fakePM(env, { form: TOKEN_FORM });
    assert.equal(sandbox().run(rec.pm).accept(rec.pm, 0, '', ''), 'token endpoint unreachable: no response from ' + env.idpServer);
});

test('answered refuses server text outside its grammar (the server text table) and stores nothing', () => {
    const bad = [
        ['access_token', '{{privateKey}}'],
        ['access_token', 'a b'],
        ['refresh_token', 'r{{dpopKey}}'],
        ['token_type', 'Bearer\r\nSet-Cookie: x'],
        ['access_token', 't'.repeat(CFG.serverText.access_token.max + 1)],
    ];
    for (const [field, value] of bad) {
        const env = plainEnv();
        const body = Object.assign({ access_token: 'good', token_type: 'Bearer' }, { [field]: value });
        const rec = fakePM(env, { form: TOKEN_FORM, response: { code: 200, body } });
        let problem = null;
        sandbox().run(rec.pm).answered(rec.pm, 'grant', (p) => { problem = p; });
        assert.match(problem, new RegExp('^token response is not usable: the server\'s ' + field + ' '), field);
        assert.ok(!problem.includes(value), 'the refusal does not show the value');
        assert.equal(env.bearerToken, '', field + ': nothing stored');
        assert.equal(env.refreshToken, undefined);
    }
});

test('answered: a DPoP nonce request is retried once with the nonce and a fresh assertion', async () => {
    const env = dpopEnv();
    const box = sandbox();
    const first = fakePM(env, { form: TOKEN_FORM });
    box.run(first.pm).prepare(first.pm, 'grant');
    await settle();
    const sentFirst = env.clientAssertion;
    const rec = fakePM(env, {
        form: TOKEN_FORM,
        response: { code: 400, body: { error: 'use_dpop_nonce' }, headers: { 'DPoP-Nonce': 'n-1' } },
        answer: () => ({ code: 200, body: { access_token: 'tok-d', token_type: 'DPoP', expires_in: 60 } }),
    });
    let problem = null;
    box.run(rec.pm).answered(rec.pm, 'grant', (p) => { problem = p; });
    assert.equal(problem, '');
    assert.equal(rec.sent.length, 1, 'one retry');
    assert.equal(env.dpopNonce, 'n-1');
    const retry = rec.sent[0];
    const proof = retry.header.find((h) => h.key === 'DPoP').value;
    assert.equal(claims(proof).nonce, 'n-1');
    assert.notEqual(form(retry.body.urlencoded).client_assertion, sentFirst, 'fresh assertion');
    assert.equal(env.bearerToken, 'tok-d');
    assert.equal(env.tokenType, 'DPoP');
});

test('answered: a DPoP nonce outside its grammar is refused and not stored', () => {
    const env = dpopEnv({ dpopNonce: 'old' });
    const rec = fakePM(env, { form: TOKEN_FORM, response: { code: 400, body: { error: 'use_dpop_nonce' }, headers: { 'DPoP-Nonce': 'a b{{privateKey}}' } } });
    let problem = null;
    sandbox().run(rec.pm).answered(rec.pm, 'grant', (p) => { problem = p; });
    assert.match(problem, /^token response is not usable: the server's DPoP-Nonce is not /);
    assert.equal(env.dpopNonce, 'old');
    assert.equal(rec.sent.length, 0);
});

// ---- ensureToken: the automatic fetch before API requests ----

test('ensureToken sends nothing while the token is valid for minValidity more seconds', () => {
    const env = plainEnv({ bearerToken: 'tok', bearerTokenExpiresAt: String(now() + CFG.minValidity + 5) });
    const rec = fakePM(env);
    sandbox().run(rec.pm);
    assert.equal(rec.sent.length, 0);
    assert.deepEqual(rec.tests, []);
});

test('ensureToken fetches a token when it expires within minValidity', () => {
    const env = plainEnv({ bearerToken: 'old', bearerTokenExpiresAt: String(now() + CFG.minValidity - 5) });
    const rec = fakePM(env, { answer: () => ({ code: 200, body: { access_token: 'new', token_type: 'Bearer' } }) });
    sandbox().run(rec.pm);
    assert.equal(rec.sent.length, 1);
    assert.equal(rec.sent[0].url, env.idpServer);
    assert.equal(form(rec.sent[0].body.urlencoded).grant_type, 'client_credentials');
    assert.equal(env.bearerToken, 'new');
    assert.equal(Number(env.bearerTokenExpiresAt), now() + CFG.defaultExpiresIn);
    assert.deepEqual(failures(rec), []);
});

test('ensureToken fails the request in words: no key, refused, unreachable', () => {
    let rec = fakePM(plainEnv({ privateKey: '' }));
    sandbox().run(rec.pm);
    assert.deepEqual(failures(rec).map((t) => t.error), [CFG.noKeyNoToken]);

    rec = fakePM(plainEnv(), { answer: () => ({ code: 401, body: { error: 'invalid_client', error_description: 'unknown kid' } }) });
    sandbox().run(rec.pm);
    assert.deepEqual(failures(rec).map((t) => t.error), ['invalid_client: unknown kid (HTTP 401)']);

    rec = fakePM(plainEnv());
    sandbox().run(rec.pm);
    assert.match(failures(rec)[0].error, /^token endpoint unreachable: ECONNREFUSED 127\.0\.0\.1:9 \(https:/);
});

test('ensureToken answers into the pm that asked, even when another script ran meanwhile', () => {
    const env = plainEnv();
    const other = {};
    const later = [];
    const box = sandbox();
    const a = fakePM(env, { later, answer: () => ({ code: 401, body: { error: 'invalid_client' } }) });
    const postmint = box.run(a.pm);
    assert.equal(later.length, 1, 'the fetch is pending');
    // Other scripts call the same postmint before the answer comes: the pending fetch must
    // still answer into a's pm (a module-level "current pm" would now be b's).
    const b = fakePM(other, { form: TOKEN_FORM });
    postmint.isAuthRequest(b.pm);
    postmint.pushes(b.pm);
    postmint.checkAPI(b.pm);
    later[0]();
    assert.deepEqual(failures(a).map((t) => t.error), ['invalid_client (HTTP 401)']);
    assert.deepEqual(b.tests, []);
});

// ---- DPoP on API requests: proofs and nonces per origin ----

test('an API request gets its own proof with ath and its origin\'s nonce', () => {
    const env = dpopEnv({
        bearerToken: 'tok-d', bearerTokenExpiresAt: String(now() + 600), tokenType: 'DPoP',
        dpopApiNonces: JSON.stringify({ 'https://api.example.com': 'n-api', 'https://other.example': 'n-other' }),
    });
    const rec = fakePM(env, { method: 'POST', url: 'https://API.example.com/orders/7' });
    sandbox().run(rec.pm);
    assert.deepEqual(failures(rec), []);
    const c = claims(rec.headers.DPoP);
    assert.equal(c.htm, 'POST');
    assert.equal(c.htu, 'https://API.example.com/orders/7', 'htu is the URL as sent');
    assert.equal(c.nonce, 'n-api');
    assert.equal(c.ath, crypto.createHash('sha256').update('tok-d').digest('base64url'));
    assert.ok(env.dpopKey, 'a DPoP key is made and kept');
});

test('checkAPI keeps the newest nonce per origin, at most maxApiNonces origins', () => {
    const env = dpopEnv({ bearerToken: 'tok', bearerTokenExpiresAt: String(now() + 600) });
    const box = sandbox();
    const total = CFG.maxApiNonces + 3;
    for (let i = 0; i < total; i++) {
        const rec = fakePM(env, { url: `https://api${i}.example.com/x`, response: { code: 200, body: '', headers: { 'DPoP-Nonce': 'n' + i } } });
        box.run(rec.pm).checkAPI(rec.pm);
        assert.deepEqual(failures(rec), []);
    }
    // The first origin answers again with a new nonce: it becomes the newest.
    const again = fakePM(env, { url: 'https://api5.example.com/y', response: { code: 200, body: '', headers: { 'DPoP-Nonce': 'n5b' } } });
    box.run(again.pm).checkAPI(again.pm);
    const kept = JSON.parse(env.dpopApiNonces);
    assert.equal(CFG.maxApiNonces, 16);
    assert.equal(Object.keys(kept).length, 16);
    assert.equal(kept['https://api5.example.com'], 'n5b');
    assert.equal(Object.keys(kept).at(-1), 'https://api5.example.com');
    assert.equal(kept['https://api0.example.com'], undefined, 'the oldest went');
    assert.equal(kept[`https://api${total - 1}.example.com`], 'n' + (total - 1));
});

test('checkAPI refuses a nonce outside its grammar and keeps the nonces it had', () => {
    const env = dpopEnv({ bearerToken: 'tok', bearerTokenExpiresAt: String(now() + 600), dpopApiNonces: '{"https://api.example.com":"ok"}' });
    for (const [nonce, why] of [['a b', 'is not ' + CFG.serverText['DPoP-Nonce'].grammar], ['{{privateKey}}', 'holds {{, which Postman would expand as a variable']]) {
        const rec = fakePM(env, { response: { code: 200, body: '', headers: { 'DPoP-Nonce': nonce } } });
        sandbox().run(rec.pm).checkAPI(rec.pm);
        assert.deepEqual(failures(rec).map((t) => t.name), ['API answer usable: the server\'s DPoP-Nonce ' + why]);
        assert.equal(env.dpopApiNonces, '{"https://api.example.com":"ok"}');
    }
});

// ---- checkAPI: the 401/403 test ----

test('checkAPI fails a 401 or 403 with the challenge, passes other answers, skips Auth requests', () => {
    const env = plainEnv({ bearerToken: 'tok', bearerTokenExpiresAt: String(now() + 600) });
    const box = sandbox();
    for (const code of [401, 403]) {
        const rec = fakePM(env, { response: { code, body: '', headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' } } });
        box.run(rec.pm).checkAPI(rec.pm);
        assert.equal(rec.tests.length, 1);
        assert.equal(rec.tests[0].name, `API accepted the token: HTTP ${code} Bearer error="insufficient_scope"`);
        assert.match(rec.tests[0].error, new RegExp(`^HTTP ${code} from the API: WWW-Authenticate: Bearer error="insufficient_scope"; check scope and audience`));
    }
    for (const code of [200, 404, 500]) {
        const rec = fakePM(env, { response: { code, body: '' } });
        box.run(rec.pm).checkAPI(rec.pm);
        assert.deepEqual(rec.tests, [{ name: 'API accepted the token', error: null }]);
    }
    const auth = fakePM(env, { form: TOKEN_FORM, response: { code: 401, body: '' } });
    box.run(auth.pm).checkAPI(auth.pm);
    assert.deepEqual(auth.tests, []);
});

test('checkAPI explains a DPoP error of the API (cfg.dpopHints)', () => {
    const env = dpopEnv({ bearerToken: 'tok', bearerTokenExpiresAt: String(now() + 600) });
    const rec = fakePM(env, { response: { code: 401, body: '', headers: { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof"' } } });
    sandbox().run(rec.pm).checkAPI(rec.pm);
    assert.ok(rec.tests[0].name.endsWith('(' + CFG.dpopHints.invalid_dpop_proof + ')'), rec.tests[0].name);
});

// ---- push / pushes: PAR ----

test('push sends the authorization request to the PAR endpoint and builds the URL from its answer', () => {
    const env = parEnv({ codeChallenge: 'ch', state: 's', nonce: 'n' });
    const rec = fakePM(env, { query: ['code_challenge'], answer: () => ({ code: 201, body: { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 } }) });
    const postmint = sandbox().run(rec.pm);
    assert.equal(postmint.pushes(rec.pm), true);
    let got = null;
    postmint.push(rec.pm, (problem, url) => { got = { problem, url }; });
    assert.equal(got.problem, '');
    assert.equal(got.url, env.authorizationEndpoint + '?client_id=' + encodeURIComponent(env.clientId) + '&request_uri=' + encodeURIComponent('urn:ietf:params:oauth:request_uri:abc'));
    assert.equal(env.requestUri, 'urn:ietf:params:oauth:request_uri:abc');
    const f = form(rec.sent[0].body.urlencoded);
    assert.equal(rec.sent[0].url, env.parEndpoint);
    assert.equal(f.code_challenge, 'ch');
    assert.ok(f.dpop_jkt, 'a DPoP client binds its key');
    assert.ok(verifies(f.client_assertion, KEY.publicKey));
    assert.equal(postmint.pushes(fakePM(plainEnv()).pm), false);
});

test('push refuses a request_uri outside its grammar and stores nothing', () => {
    const env = parEnv();
    const rec = fakePM(env, { query: ['code_challenge'], answer: () => ({ code: 201, body: { request_uri: 'urn:x:{{privateKey}}' } }) });
    let problem = null;
    sandbox().run(rec.pm).push(rec.pm, (p) => { problem = p; });
    assert.match(problem, /^the PAR answer is not usable: the server's request_uri /);
    assert.equal(env.requestUri, '');
});

// ---- The Postman Vault ----

function vault(secrets, o = {}) {
    const log = [];
    return {
        log,
        get: (name) => {
            log.push('get ' + name);
            return o.deny ? Promise.reject(new Error('access denied')) : Promise.resolve(secrets[name]);
        },
        set: (name, value) => {
            log.push('set ' + name);
            secrets[name] = value;
            return Promise.resolve();
        },
    };
}

test('vault: a reference without pm.vault fails and names the CI fix', async () => {
    const rec = fakePM(plainEnv({ privateKey: '{{vault:acme-key}}' }), { form: TOKEN_FORM });
    sandbox().run(rec.pm).prepare(rec.pm, 'grant');
    await settle();
    const want = CFG.vaultMissing.split('{var}').join('privateKey').split('{secret}').join('acme-key');
    assert.deepEqual(failures(rec).map((t) => t.error), [want]);
    assert.match(want, /postmint refresh/);
    assert.equal(rec.skipped, true);
});

test('vault: a refusal by the vault is named with its reason', async () => {
    const rec = fakePM(plainEnv({ privateKey: '{{vault:acme-key}}' }), { form: TOKEN_FORM, vault: vault({}, { deny: true }) });
    sandbox().run(rec.pm).prepare(rec.pm, 'grant');
    await settle();
    const want = CFG.vaultDenied.split('{secret}').join('acme-key').split('{why}').join('access denied');
    assert.deepEqual(failures(rec).map((t) => t.error), [want]);
});

test('vault: an empty secret says which to add', async () => {
    const rec = fakePM(plainEnv({ privateKey: '{{vault:acme-key}}' }), { form: TOKEN_FORM, vault: vault({ 'acme-key': '  ' }) });
    sandbox().run(rec.pm).prepare(rec.pm, 'grant');
    await settle();
    assert.deepEqual(failures(rec).map((t) => t.error), [CFG.vaultEmpty.split('{secret}').join('acme-key')]);
});

test('vault: the key is read from the vault, signs, and is never stored in a variable', async () => {
    const env = plainEnv({ privateKey: '{{vault:acme-key}}' });
    const v = vault({ 'acme-key': KEY_PEM });
    const rec = fakePM(env, { form: TOKEN_FORM, vault: v });
    sandbox().run(rec.pm).prepare(rec.pm, 'grant');
    await settle();
    assert.deepEqual(failures(rec), []);
    assert.ok(verifies(form(rec.body.urlencoded).client_assertion, KEY.publicKey));
    assert.equal(env.privateKey, '{{vault:acme-key}}');
    assert.ok(!Object.values(env).includes(KEY_PEM));
});

test('vault: a DPoP key the vault lacks is made and put there, never in the environment', async () => {
    const secrets = { 'acme-key': KEY_PEM };
    const env = dpopEnv({ privateKey: '{{vault:acme-key}}', dpopKey: '{{vault:acme-dpop}}' });
    const v = vault(secrets);
    const rec = fakePM(env, { form: TOKEN_FORM, vault: v });
    sandbox().run(rec.pm).prepare(rec.pm, 'grant');
    await settle();
    await settle();
    assert.deepEqual(failures(rec), []);
    assert.deepEqual(v.log, ['get acme-key', 'get acme-dpop', 'set acme-dpop']);
    const made = JSON.parse(secrets['acme-dpop']);
    assert.equal(made.kty, 'EC');
    assert.ok(made.d, 'a private JWK');
    assert.equal(env.dpopKey, '{{vault:acme-dpop}}');
    const header = JSON.parse(Buffer.from(rec.headers.DPoP.split('.')[0], 'base64url').toString());
    assert.equal(header.jwk.x, made.x, 'the proof is signed with the key put in the vault');
});
