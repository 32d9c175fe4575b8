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

function fakePM() {
    const env = {};
    return { env, pm: { environment: { set: (k, v) => { env[k] = v; } } } };
}

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjIn0.c2lnbmF0dXJl';

test('stores the token, its expiry and a refresh token', () => {
    const { env, pm } = fakePM();
    const before = Math.floor(Date.now() / 1000);
    const p = ctx.postmintAccept(pm, 200, JSON.stringify({ access_token: 'tok-1', expires_in: 120, refresh_token: 'rt-1' }), jwt, 300);
    assert.strictEqual(p, '');
    assert.strictEqual(env.bearerToken, 'tok-1');
    assert.strictEqual(env.refreshToken, 'rt-1');
    const exp = Number(env.bearerTokenExpiresAt);
    assert.ok(exp >= before + 120 && exp <= before + 121, `expiry ${exp}`);
});

test('takes the default lifetime when expires_in is missing', () => {
    const { env, pm } = fakePM();
    const before = Math.floor(Date.now() / 1000);
    assert.strictEqual(ctx.postmintAccept(pm, 200, '{"access_token":"t"}', '', 300), '');
    assert.ok(Number(env.bearerTokenExpiresAt) >= before + 300);
});

test('names the OAuth error and redacts the assertion and any other JWT', () => {
    const { env, pm } = fakePM();
    const other = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.';
    const body = { error: 'invalid_client', error_description: `bad assertion ${jwt} (also ${other})` };
    const p = ctx.postmintAccept(pm, 401, JSON.stringify(body), jwt, 300);
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
        [200, '{"access_token":42}', 'no access_token string'],
        [200, '{"access_token":"a\\r\\nSet-Cookie: x"}', 'characters RFC 6749 does not allow'],
    ];
    for (const [status, text, want] of cases) {
        const { env, pm } = fakePM();
        const p = ctx.postmintAccept(pm, status, text, '', 300);
        assert.ok(p.includes(want), `${status} ${text}: ${p}`);
        assert.ok(!p.includes('bad gateway'), 'the body is not echoed');
        assert.deepStrictEqual(env, {}, 'nothing stored');
    }
});
