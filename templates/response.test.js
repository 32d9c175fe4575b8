// node --test response.test.js: postmintAccept (response.js), the one check of a token response
// shared by the Auth requests' test scripts and the collection's automatic fetch.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const source = fs.readFileSync(path.join(__dirname, 'response.js'), 'utf8');
const ctx = vm.createContext({});
vm.runInContext(source, ctx, { filename: 'response.js' });

// The rules come from Go (oauth.ServerTextRules): TestResponseNodeSuite writes them to the file
// POSTMINT_SCRIPT_CONFIG names, as postmint generate places them in front of the script.
const cfg = JSON.parse(fs.readFileSync(process.env.POSTMINT_SCRIPT_CONFIG, 'utf8'));

function fakePM() {
    const env = {};
    return { env, pm: { environment: { set: (k, v) => { env[k] = v; } } } };
}

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjIn0.c2lnbmF0dXJl';

test('stores the token, its expiry and a refresh token', () => {
    const { env, pm } = fakePM();
    const before = Math.floor(Date.now() / 1000);
    const p = ctx.postmintAccept(pm, 200, JSON.stringify({ access_token: 'tok-1', expires_in: 120, refresh_token: 'rt-1' }), jwt, cfg);
    assert.strictEqual(p, '');
    assert.strictEqual(env.bearerToken, 'tok-1');
    assert.strictEqual(env.refreshToken, 'rt-1');
    const exp = Number(env.bearerTokenExpiresAt);
    assert.ok(exp >= before + 120 && exp <= before + 121, `expiry ${exp}`);
});

test('takes the default lifetime when expires_in is missing', () => {
    const { env, pm } = fakePM();
    const before = Math.floor(Date.now() / 1000);
    assert.strictEqual(ctx.postmintAccept(pm, 200, '{"access_token":"t"}', '', cfg), '');
    assert.ok(Number(env.bearerTokenExpiresAt) >= before + cfg.defaultExpiresIn);
});

test('names the OAuth error and redacts the assertion and any other JWT', () => {
    const { env, pm } = fakePM();
    const other = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.';
    const body = { error: 'invalid_client', error_description: `bad assertion ${jwt} (also ${other})` };
    const p = ctx.postmintAccept(pm, 401, JSON.stringify(body), jwt, cfg);
    assert.match(p, /^invalid_client: bad assertion \[the assertion\] \(also \[a JWT\]\) \(HTTP 401\)$/);
    assert.ok(!p.includes('eyJ'), p);
    assert.deepStrictEqual(env, {});
});

test('says what is wrong with an answer that is no token', () => {
    const cases = [
        [0, '', 'token endpoint unreachable'],
        [502, '<html>bad gateway</html>', 'HTTP 502 with a body that is not JSON'],
        [500, '{"x":1}', 'HTTP 500 without an OAuth error'],
        [200, 'not json', 'HTTP 200 with a body that is not a JSON object'],
        [200, '{"token_type":"Bearer"}', 'no access_token'],
        [200, '{"access_token":42}', 'token response is not usable: access_token is not a string (it is a number)'],
        [200, '{"access_token":"a\\r\\nSet-Cookie: x"}', "token response is not usable: the server's access_token is not RFC 6750 b64token"],
    ];
    for (const [status, text, want] of cases) {
        const { env, pm } = fakePM();
        const p = ctx.postmintAccept(pm, status, text, '', cfg);
        assert.ok(p.includes(want), `${status} ${text}: ${p}`);
        assert.ok(!p.includes('bad gateway'), 'the body is not echoed');
        assert.deepStrictEqual(env, {}, 'nothing stored');
    }
});

test('refuses server text Postman would expand, naming the field, storing nothing', () => {
    const cases = [
        [{ access_token: '{{privateKey}}' }, "the server's access_token is not RFC 6750 b64token"],
        [{ access_token: '{{dpopKey}}', token_type: 'DPoP' }, "the server's access_token is not RFC 6750 b64token"],
        [{ access_token: 'good', refresh_token: '{{privateKey}}' }, "the server's refresh_token holds {{"],
        [{ access_token: 'good', token_type: '{{x}}' }, "the server's token_type is not RFC 6749 type-name"],
        [{ access_token: 'good', refresh_token: 'x'.repeat(65537) }, "the server's refresh_token is 65537 bytes long"],
    ];
    for (const [body, want] of cases) {
        const { env, pm } = fakePM();
        const p = ctx.postmintAccept(pm, 200, JSON.stringify(body), '', cfg);
        assert.ok(p.startsWith('token response is not usable: ' + want), p);
        assert.ok(!p.includes('{{privateKey}}') && !p.includes('{{dpopKey}}'), p);
        assert.deepStrictEqual(env, {}, 'nothing stored');
    }
});

test('a DPoP client stores nothing from an answer that is not DPoP-bound', () => {
    const { env, pm } = fakePM();
    const p = ctx.postmintAccept(pm, 200, '{"access_token":"t","token_type":"Bearer"}', '', Object.assign({ notBound: 'NOT BOUND' }, cfg), true);
    assert.strictEqual(p, 'NOT BOUND (token_type "Bearer")');
    assert.deepStrictEqual(env, {});
    const ok = fakePM();
    assert.strictEqual(ctx.postmintAccept(ok.pm, 200, '{"access_token":"t","token_type":"dpop"}', '', cfg, true), '');
    assert.strictEqual(ok.env.tokenType, 'dpop');
});

test('clamps expires_in as Go does', () => {
    const before = Math.floor(Date.now() / 1000);
    for (const [e, want] of [[1e10, cfg.maxExpiresIn], ['1e300', cfg.maxExpiresIn], ['3600', 3600], [-5, cfg.defaultExpiresIn], [true, cfg.defaultExpiresIn]]) {
        const { env, pm } = fakePM();
        assert.strictEqual(ctx.postmintAccept(pm, 200, JSON.stringify({ access_token: 't', expires_in: e }), '', cfg), '');
        const got = Number(env.bearerTokenExpiresAt) - before;
        assert.ok(got >= want && got <= want + 1, `expires_in ${e}: ${got}`);
    }
});
