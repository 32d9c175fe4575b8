// Tests for templates/signer.js: run with `node --test templates/signer.test.js` (go test
// ./templates/... does it for you). Needs crypto-js from testdata/e2e/node_modules
// (npm ci --prefix testdata/e2e).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const CryptoJS = require(path.join(__dirname, '..', 'testdata', 'e2e', 'node_modules', 'crypto-js'));
const postmintSigner = require('./signer.js');
const V = require('./testdata/vectors.json');

const SOURCE = fs.readFileSync(path.join(__dirname, 'signer.js'), 'utf8');
const signer = postmintSigner(CryptoJS);
const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CURVE_SIZE = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const NODE_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

// codeOnly is the source without its comment lines: the checks below look at code only.
function codeOnly(src) {
    return src.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
}

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const fromB64u = (s) => Buffer.from(s, 'base64url');

// nodeVerify checks a compact JWS (or a signing input + signature) with node's crypto.
function nodeVerify(alg, publicKey, signingInput, sig) {
    const data = Buffer.from(signingInput, 'ascii');
    const bytes = fromB64u(sig);
    if (alg === 'EdDSA') {
        return crypto.verify(null, data, publicKey, bytes);
    }
    const opts = { key: publicKey };
    if (alg[0] === 'P') {
        opts.padding = crypto.constants.RSA_PKCS1_PSS_PADDING;
        opts.saltLength = Number(alg.slice(2)) / 8;
    }
    if (alg[0] === 'E') {
        opts.dsaEncoding = 'ieee-p1363';
    }
    return crypto.verify('sha' + alg.slice(2), data, opts, bytes);
}

function verifyToken(alg, publicKey, token) {
    const parts = token.split('.');
    assert.equal(parts.length, 3, 'compact JWS has three parts');
    assert.ok(nodeVerify(alg, publicKey, parts[0] + '.' + parts[1], parts[2]), alg + ' signature verifies');
}

// expectError asserts that fn throws a postmint error matching re that leaks no key material.
function expectError(fn, re, secret) {
    let err;
    try {
        fn();
    } catch (e) {
        err = e;
    }
    assert.ok(err instanceof Error, 'expected an Error to be thrown');
    assert.match(err.message, /^postmint: /);
    assert.match(err.message, re);
    assert.ok(!err.message.includes('\n'), 'one-line message');
    if (secret) {
        const s = secret.replace(/-----[A-Z ]+-----|\s|\\n/g, '');
        for (let i = 0; i + 10 <= s.length; i += 5) {
            assert.ok(!err.message.includes(s.slice(i, i + 10)), 'message leaks key material');
        }
    }
    return err;
}

// ---------- published vectors ----------

test('RFC 7520 §4.1 RS256: exact signature', () => {
    const r = V.rfc7520;
    const v = r.signatures[0];
    assert.equal(fromB64u(r.payloadB64).toString('utf8'), r.payload, 'payload transcription');
    assert.equal(b64u(signer.canonicalJSON(v.header)), v.headerB64, 'canonical header equals the RFC header');
    const input = v.headerB64 + '.' + r.payloadB64;
    assert.equal(signer.sign('RS256', JSON.stringify(r.rsaKey), input), v.signature);
    // The same key without its CRT members takes the plain m^d path.
    const noCrt = { kty: 'RSA', n: r.rsaKey.n, e: r.rsaKey.e, d: r.rsaKey.d };
    assert.equal(signer.sign('RS256', JSON.stringify(noCrt), input), v.signature);
    // And as PKCS#8 and PKCS#1 PEM exported by node.
    const key = crypto.createPrivateKey({ key: r.rsaKey, format: 'jwk' });
    for (const type of ['pkcs8', 'pkcs1']) {
        assert.equal(signer.sign('RS256', key.export({ type, format: 'pem' }), input), v.signature, type);
    }
    assert.ok(nodeVerify('RS256', crypto.createPublicKey(key), input, v.signature), 'node accepts the RFC value');
});

for (const idx of [1, 2]) {
    const v = V.rfc7520.signatures[idx];
    test(`RFC 7520 §${v.section} ${v.alg}: RFC value and our signature verify with node`, () => {
        const r = V.rfc7520;
        const jwk = r[v.key];
        const pub = crypto.createPublicKey({ key: jwk, format: 'jwk' });
        assert.equal(b64u(signer.canonicalJSON(v.header)), v.headerB64);
        const input = v.headerB64 + '.' + r.payloadB64;
        assert.ok(nodeVerify(v.alg, pub, input, v.signature), 'published signature (transcription check)');
        const ours = signer.sign(v.alg, JSON.stringify(jwk), input);
        assert.ok(nodeVerify(v.alg, pub, input, ours), 'our signature');
        if (v.alg === 'ES512') {
            assert.equal(fromB64u(ours).length, 132, 'r||s, 66 bytes each');
            assert.equal(signer.sign(v.alg, JSON.stringify(jwk), input), ours, 'RFC 6979 is deterministic');
        } else {
            assert.notEqual(signer.sign(v.alg, JSON.stringify(jwk), input), ours, 'PSS salt is random');
        }
    });
}

test('RFC 8037 §A.4 Ed25519: exact signature', () => {
    const e = V.rfc8037;
    assert.equal(b64u(signer.canonicalJSON(e.header)) + '.' + b64u(e.payload), e.signingInput);
    assert.equal(signer.sign('EdDSA', JSON.stringify(e.key), e.signingInput), e.signature);
    const priv = crypto.createPrivateKey({ key: e.key, format: 'jwk' });
    assert.equal(priv.export({ format: 'jwk' }).x, e.key.x, 'public key matches the private key');
    assert.ok(nodeVerify('EdDSA', crypto.createPublicKey(priv), e.signingInput, e.signature));
    assert.equal(signer.sign('EdDSA', priv.export({ type: 'pkcs8', format: 'pem' }), e.signingInput), e.signature);
});

for (const c of V.rfc6979.curves) {
    test(`RFC 6979 §${c.section} ${c.crv}: exact deterministic r and s`, () => {
        const len = CURVE_SIZE[c.crv];
        const d = Buffer.from(c.x.padStart(2 * len, '0'), 'hex');
        const ecdh = crypto.createECDH(NODE_CURVE[c.crv]);
        ecdh.setPrivateKey(d);
        const pubBytes = ecdh.getPublicKey();
        const x = pubBytes.subarray(1, 1 + len), y = pubBytes.subarray(1 + len);
        if (c.Ux) {
            assert.equal(x.toString('hex').toUpperCase(), c.Ux.padStart(2 * len, '0'), 'Ux transcription');
            assert.equal(y.toString('hex').toUpperCase(), c.Uy.padStart(2 * len, '0'), 'Uy transcription');
        }
        const jwk = { kty: 'EC', crv: c.crv, d: b64u(d), x: b64u(x), y: b64u(y) };
        const pub = crypto.createPublicKey({ key: { kty: 'EC', crv: c.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
        const pem = crypto.createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'sec1', format: 'pem' });
        for (const g of c.signatures) {
            const want = g.r.padStart(2 * len, '0') + g.s.padStart(2 * len, '0');
            // Transcription checks: k*G has x = r, and node accepts (r, s).
            const kG = crypto.createECDH(NODE_CURVE[c.crv]);
            kG.setPrivateKey(Buffer.from(g.k.padStart(2 * len, '0'), 'hex'));
            assert.equal(kG.getPublicKey().subarray(1, 1 + len).toString('hex').toUpperCase(), g.r.padStart(2 * len, '0'), 'k -> r');
            assert.ok(crypto.verify('sha' + c.alg.slice(2), Buffer.from(g.message), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(want, 'hex')));
            // The signer: message in, JOSE r||s out.
            const got = fromB64u(signer.sign(c.alg, JSON.stringify(jwk), g.message)).toString('hex').toUpperCase();
            assert.equal(got, want, g.message);
            const fromPem = fromB64u(signer.sign(c.alg, pem, g.message)).toString('hex').toUpperCase();
            assert.equal(fromPem, want, g.message + ' (SEC1 PEM)');
        }
    });
}

// ---------- fresh keys in every format ----------

function freshKeys() {
    const gen = (type, opts) => crypto.generateKeyPairSync(type, opts);
    return [
        { type: 'RSA', algs: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'], pair: gen('rsa', { modulusLength: 2048 }), legacy: 'pkcs1' },
        { type: 'EC-P-256', algs: ['ES256'], pair: gen('ec', { namedCurve: 'P-256' }), legacy: 'sec1' },
        { type: 'EC-P-384', algs: ['ES384'], pair: gen('ec', { namedCurve: 'P-384' }), legacy: 'sec1' },
        { type: 'EC-P-521', algs: ['ES512'], pair: gen('ec', { namedCurve: 'P-521' }), legacy: 'sec1' },
        { type: 'Ed25519', algs: ['EdDSA'], pair: gen('ed25519') }
    ];
}

// forms returns every textual form parseKey must accept for one key.
function forms(k) {
    const priv = k.pair.privateKey;
    const pkcs8 = priv.export({ type: 'pkcs8', format: 'pem' });
    const jwk = priv.export({ format: 'jwk' });
    const out = {
        'PKCS#8 PEM': pkcs8,
        'PKCS#8 PEM, CRLF': pkcs8.replace(/\n/g, '\r\n'),
        'PKCS#8 PEM, surrounding whitespace': '\n \t' + pkcs8 + '\n\n  ',
        'PKCS#8 PEM, one line with \\n': pkcs8.trim().replace(/\n/g, '\\n'),
        'PKCS#8 PEM, one line with \\r\\n': pkcs8.trim().replace(/\n/g, '\\r\\n'),
        'JWK': JSON.stringify(jwk),
        'JWK, pretty': JSON.stringify(jwk, null, 2),
        'JWKS with one private key and public keys': JSON.stringify({ keys: [k.pair.publicKey.export({ format: 'jwk' }), jwk] })
    };
    if (k.legacy) {
        out[k.legacy.toUpperCase() + ' PEM'] = priv.export({ type: k.legacy, format: 'pem' });
    }
    if (k.type === 'RSA') {
        out['JWK without CRT members'] = JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e, d: jwk.d });
        out['JWK with p and q only'] = JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e, d: jwk.d, p: jwk.p, q: jwk.q });
    }
    return out;
}

test('every alg signs with fresh keys in every format and node verifies', () => {
    const header = { typ: 'JWT', kid: 'k1' };
    const claims = { iss: 'client', sub: 'client', aud: 'https://idp.example.com/token', iat: 1700000000, exp: 1700000060, jti: signer.uuid4() };
    const seen = new Set();
    for (const k of freshKeys()) {
        for (const [name, text] of Object.entries(forms(k))) {
            assert.equal(signer.keyType(text), k.type, name);
            for (const alg of k.algs) {
                const token = signer.jwt(Object.assign({ alg }, header), claims, text);
                verifyToken(alg, k.pair.publicKey, token);
                seen.add(alg);
                const [h, c, sig] = token.split('.');
                assert.deepEqual(JSON.parse(fromB64u(h)), { alg, typ: 'JWT', kid: 'k1' });
                assert.deepEqual(JSON.parse(fromB64u(c)), claims);
                // Deterministic algorithms equal node's own signature byte for byte.
                if (alg[0] === 'R' || alg === 'EdDSA') {
                    const nodeSig = crypto.sign(alg === 'EdDSA' ? null : 'sha' + alg.slice(2), Buffer.from(h + '.' + c), k.pair.privateKey);
                    assert.equal(sig, b64u(nodeSig), alg + ' equals node');
                }
                if (alg[0] === 'E') {
                    assert.equal(signer.jwt(Object.assign({ alg }, header), claims, text), token, alg + ' is deterministic');
                }
            }
        }
        // A key object from parseKey is accepted in place of the text.
        const parsed = signer.parseKey(k.pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        verifyToken(k.algs[0], k.pair.publicKey, signer.jwt({ alg: k.algs[0] }, { a: 1 }, parsed));
    }
    assert.deepEqual([...seen].sort(), [...ALGS].sort());
});

// ---------- canonicalJSON ----------

test('canonicalJSON matches Go encoding/json for map[string]any', () => {
    const cj = signer.canonicalJSON;
    assert.equal(cj({ b: 1, a: [1, 'x', null, true, false], c: { z: null, y: -0, x: {} } }),
        '{"a":[1,"x",null,true,false],"b":1,"c":{"x":{},"y":-0,"z":null}}');
    assert.equal(cj('<a href="x">&amp;</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e"');
    assert.equal(cj('\u2028\u2029'), '"\\u2028\\u2029"');
    assert.equal(cj('\u0000\u0001\u001f\b\f\n\r\t'), '"\\u0000\\u0001\\u001f\\b\\f\\n\\r\\t"');
    assert.equal(cj('"\\/\u007f é 日本 😀'), '"\\"\\\\/\u007f é 日本 😀"');
    assert.equal(cj([1e21, 1e-7, 1.5, -2, 0.000001, 123456789012345680000, 5e-324, 1.7976931348623157e308]),
        '[1e+21,1e-7,1.5,-2,0.000001,123456789012345680000,5e-324,1.7976931348623157e+308]');
    assert.equal(cj(12345678901234567890n), '12345678901234567890');
    // Keys sort by UTF-8 bytes: U+E000 (EE 80 80) before U+1F600 (F0 9F 98 80), unlike UTF-16.
    assert.equal(cj({ '😀': 1, '\ue000': 2, 'é': 3, z: 4, Z: 5, '': 6, aa: 7, a: 8 }),
        '{"":6,"Z":5,"a":8,"aa":7,"z":4,"é":3,"\ue000":2,"😀":1}');
    assert.equal(cj({ a: undefined, b: () => 1, c: [undefined] }), '{"c":[null]}');
    expectError(() => cj({ a: NaN }), /NaN/);
    expectError(() => cj(Infinity), /Infinity/);
});

test('jwt() encodes header and claims as UTF-8 of canonicalJSON', () => {
    const k = crypto.generateKeyPairSync('ed25519');
    const pem = k.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const claims = { sub: 'ü😀\u2028<', lone: '\ud800x', n: 1 };
    const [h, c] = signer.jwt({ alg: 'EdDSA' }, claims, pem).split('.');
    assert.equal(fromB64u(h).toString('utf8'), '{"alg":"EdDSA"}');
    // A lone surrogate becomes U+FFFD, as in Go.
    assert.equal(fromB64u(c).toString('utf8'), '{"lone":"\ufffdx","n":1,"sub":"ü😀\\u2028\\u003c"}');
});

// ---------- uuid4 and the sandbox without crypto ----------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuid4 is a random version 4 UUID', () => {
    const seen = new Set();
    for (let i = 0; i < 2000; i++) {
        const u = signer.uuid4();
        assert.match(u, UUID);
        seen.add(u);
    }
    assert.equal(seen.size, 2000);
});

test('the stripped script runs in a bare context like Newman 6 (no crypto, no text encoder, no module)', () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ctx = vm.createContext({
        CJ: CryptoJS,
        rsaPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
        ecPem: ec.privateKey.export({ type: 'pkcs8', format: 'pem' })
    });
    vm.runInContext(SOURCE + '\n' + [
        'var s = postmintSigner(CJ);',
        'var bare = typeof crypto === "undefined" && typeof TextEncoder === "undefined" && typeof module === "undefined";',
        'var uuids = []; for (var i = 0; i < 500; i++) { uuids.push(s.uuid4()); }',
        'var ps = s.jwt({ alg: "PS256" }, { jti: uuids[0] }, rsaPem);',
        'var es = s.jwt({ alg: "ES256" }, { jti: uuids[0] }, ecPem);'
    ].join('\n'), ctx);
    assert.equal(ctx.bare, true);
    assert.equal(new Set(ctx.uuids).size, 500);
    ctx.uuids.forEach((u) => assert.match(u, UUID));
    verifyToken('PS256', rsa.publicKey, ctx.ps);
    verifyToken('ES256', ec.publicKey, ctx.es);
});

// ---------- errors ----------

test('clear errors for bad keys, never with key material', () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const enc = { cipher: 'aes-256-cbc', passphrase: 'secret-pass' };
    const sign = (key) => () => signer.jwt({ alg: 'RS256' }, { a: 1 }, key);

    expectError(sign(''), /empty/);
    expectError(sign('  \n\t '), /empty/);
    expectError(sign(undefined), /empty/);
    expectError(sign('hello world'), /unrecognized key format/);
    expectError(sign('{"kty": '), /looks like JSON but does not parse/);
    expectError(sign('{"foo": 1}'), /neither a JWK nor a JWKS/);

    for (const [name, text] of [
        ['encrypted PKCS#8', rsa.privateKey.export(Object.assign({ type: 'pkcs8', format: 'pem' }, enc))],
        ['encrypted PKCS#1', rsa.privateKey.export(Object.assign({ type: 'pkcs1', format: 'pem' }, enc))],
        ['encrypted SEC1', ec.privateKey.export(Object.assign({ type: 'sec1', format: 'pem' }, enc))]
    ]) {
        const err = expectError(sign(text), /encrypted; decrypt it first.*postmint generate/, text);
        assert.ok(!err.message.includes('secret-pass'), name);
    }

    const fakeCert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUXb0123456789abcdefghijABCDEFGHIJ\n-----END CERTIFICATE-----\n';
    for (const text of [
        rsa.publicKey.export({ type: 'spki', format: 'pem' }),
        rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }),
        ec.publicKey.export({ type: 'spki', format: 'pem' }),
        fakeCert,
        JSON.stringify(rsa.publicKey.export({ format: 'jwk' })),
        JSON.stringify({ keys: [ec.publicKey.export({ format: 'jwk' })] })
    ]) {
        expectError(sign(text), /this is a public key\/certificate, not a private key/, text);
    }

    const twoPriv = JSON.stringify({ keys: [rsa.privateKey.export({ format: 'jwk' }), ec.privateKey.export({ format: 'jwk' })] });
    expectError(sign(twoPriv), /JWKS holds 2 private keys; keep exactly one/, twoPriv);

    const k1 = crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    expectError(sign(k1.export({ type: 'pkcs8', format: 'pem' })), /unsupported curve 1\.3\.132\.0\.10; use P-256, P-384 or P-521/);
    expectError(sign(k1.export({ type: 'sec1', format: 'pem' })), /unsupported curve 1\.3\.132\.0\.10/);
    expectError(sign(JSON.stringify(k1.export({ format: 'jwk' }))), /unsupported curve secp256k1/);
    const ed448 = crypto.generateKeyPairSync('ed448').privateKey;
    expectError(sign(ed448.export({ type: 'pkcs8', format: 'pem' })), /unsupported key algorithm \(OID 1\.3\.101\.113\)/);
    expectError(sign(JSON.stringify(ed448.export({ format: 'jwk' }))), /unsupported JWK \(kty OKP, crv Ed448\)/);
    expectError(sign(JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' })), /symmetric/);
    expectError(sign('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'), /OPENSSH PRIVATE KEY is not supported/);

    const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expectError(sign(small), /RSA key has 1024 bits; 2048 or more are required/, small);

    // Malformed DER: garbage body, truncated body, bad base64.
    expectError(sign('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), /not valid DER/);
    const lines = pkcs8.trim().split('\n');
    const truncated = lines.slice(0, 8).concat(lines.slice(-1)).join('\n');
    expectError(sign(truncated), /not valid DER/, truncated);
    expectError(sign('-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----'), /invalid base64/);
});

test('alg errors name the alg and the key', () => {
    const keys = freshKeys();
    const pem = (t) => keys.find((k) => k.type === t).pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
    expectError(() => signer.sign('ES256', pem('RSA'), 'a.b'), /^postmint: alg ES256 needs an EC P-256 key, got RSA$/);
    expectError(() => signer.sign('ES512', pem('EC-P-384'), 'a.b'), /^postmint: alg ES512 needs an EC P-521 key, got EC P-384$/);
    expectError(() => signer.sign('RS256', pem('Ed25519'), 'a.b'), /^postmint: alg RS256 needs an RSA key, got Ed25519$/);
    expectError(() => signer.sign('EdDSA', pem('EC-P-256'), 'a.b'), /^postmint: alg EdDSA needs an Ed25519 key, got EC P-256$/);
    expectError(() => signer.sign('PS256', pem('EC-P-521'), 'a.b'), /needs an RSA key, got EC P-521/);
    for (const alg of ['HS256', 'none', 'RS1', '']) {
        expectError(() => signer.sign(alg, pem('RSA'), 'a.b'), /unsupported alg/);
    }
    expectError(() => signer.jwt({}, {}, pem('RSA')), /header needs an alg/);
});

// ---------- embedding constraints ----------

test('script constraints: no globalThis/text encoder/async, crypto-js passed in', () => {
    // The minified signer's size is TestMinifiedSignerSize's (Go minifies it).
    const code = codeOnly(SOURCE);
    assert.ok(!/globalThis|TextEncoder|TextDecoder|\basync\b|\bawait\b|pm\.require/.test(code));
    assert.ok(!/\brequire\(/.test(code), 'the signer gets crypto-js passed in');
});

// ---------- JWK thumbprints and DPoP (RFC 7638, RFC 9449) ----------

const jose = require(path.join(__dirname, '..', 'testdata', 'e2e', 'node_modules', 'jose'));
const sha256 = (s) => crypto.createHash('sha256').update(s, 'ascii').digest('base64url');
const REQUIRED = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

// nodePublicJwk is what node derives from a private key: the RFC 7638 required members only.
function nodePublicJwk(privateKey) {
    const pub = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
    return Object.fromEntries(REQUIRED[pub.kty].map((m) => [m, pub[m]]));
}

// dpopKeys: one fresh private JWK per DPoP alg.
function dpopKeys() {
    const gen = (type, opts) => crypto.generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' });
    const rsa = gen('rsa', { modulusLength: 2048 });
    return [
        ['ES256', gen('ec', { namedCurve: 'P-256' })],
        ['ES384', gen('ec', { namedCurve: 'P-384' })],
        ['ES512', gen('ec', { namedCurve: 'P-521' })],
        ['RS256', rsa],
        ['PS256', rsa],
        ['EdDSA', gen('ed25519')]
    ];
}

// checkProof verifies a DPoP proof with node:crypto and jose against the jwk in its own header
// (as an authorization server does, RFC 9449 §4.3) and returns its decoded header and claims.
async function checkProof(alg, proof, wantJwk) {
    const [h, c, sig] = proof.split('.');
    const header = JSON.parse(fromB64u(h)), claims = JSON.parse(fromB64u(c));
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'jwk', 'typ']);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(header.alg, alg);
    assert.deepEqual(header.jwk, wantJwk, 'header jwk is the public key, required members only');
    assert.ok(!('d' in header.jwk), 'no private member');
    const pub = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
    assert.ok(nodeVerify(alg, pub, h + '.' + c, sig), alg + ': node:crypto verifies');
    const v = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [alg] });
    assert.deepEqual(v.payload, claims, alg + ': jose verifies');
    return { header, claims };
}

test('RFC 9449 §4.2 ath, §6.1 jkt and RFC 7638 §3.1 thumbprint: published values', () => {
    assert.equal(signer.ath('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'), 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
    // The proof key of RFC 9449's examples (§4) and its jkt in §6.1 and §6.2.
    const dpopExample = { kty: 'EC', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA', crv: 'P-256' };
    assert.equal(signer.thumbprint(dpopExample), '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
    assert.equal(signer.thumbprint(JSON.stringify(dpopExample)), '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', 'as JSON text');
    // RFC 7638 §3.1: an RSA key with alg and kid, which do not count.
    const rfc7638 = {
        kty: 'RSA',
        n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
        e: 'AQAB',
        alg: 'RS256',
        kid: '2011-04-29'
    };
    assert.equal(signer.thumbprint(rfc7638), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
});

test('publicJwk: the required members only, derived from the private key alone', async () => {
    for (const [alg, jwk] of dpopKeys()) {
        const want = nodePublicJwk(crypto.createPrivateKey({ key: jwk, format: 'jwk' }));
        assert.deepEqual(signer.publicJwk(jwk), want, alg + ' from a JWK object');
        assert.deepEqual(signer.publicJwk(JSON.stringify(jwk)), want, alg + ' from JSON text');
        assert.deepEqual(Object.keys(signer.publicJwk(jwk)), REQUIRED[jwk.kty], 'members in RFC 7638 order');
        if (jwk.kty !== 'RSA') {
            // x and y are computed from d (Q = d*G, or A from the Ed25519 seed), not copied.
            const dOnly = { kty: jwk.kty, crv: jwk.crv, d: jwk.d };
            assert.deepEqual(signer.publicJwk(dOnly), want, alg + ' from d alone');
        }
        const tp = await jose.calculateJwkThumbprint(want, 'sha256');
        assert.equal(signer.thumbprint(want), tp, alg + ' thumbprint equals jose');
        assert.equal(signer.thumbprint(jwk), tp, alg + ' private JWK: thumbprint of its public part');
    }
    // P-256 vectors of RFC 6979 §A.2.5: Q = d*G with published Ux, Uy.
    const c = V.rfc6979.curves.find((x) => x.crv === 'P-256' && x.Ux);
    const q = signer.publicJwk({ kty: 'EC', crv: 'P-256', d: b64u(Buffer.from(c.x.padStart(64, '0'), 'hex')) });
    assert.equal(fromB64u(q.x).toString('hex').toUpperCase(), c.Ux.padStart(64, '0'));
    assert.equal(fromB64u(q.y).toString('hex').toUpperCase(), c.Uy.padStart(64, '0'));
});

test('dpopProof: every alg verifies with node:crypto and jose; header and claims per RFC 9449 §4.2', async () => {
    const token = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
    for (const [alg, jwk] of dpopKeys()) {
        const want = nodePublicJwk(crypto.createPrivateKey({ key: jwk, format: 'jwk' }));
        // Everything given, the key as JSON text.
        const full = await checkProof(alg, signer.dpopProof({
            alg, key: JSON.stringify(jwk), htm: 'POST', htu: 'https://api.example.com/orders/7?expand=lines&x=1#top',
            nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v', accessToken: token, iat: 1562262618, jti: 'e1j3V_bKic8-LAEB'
        }), want);
        assert.deepEqual(full.claims, {
            jti: 'e1j3V_bKic8-LAEB', htm: 'POST', htu: 'https://api.example.com/orders/7', iat: 1562262618,
            nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v', ath: sha256(token)
        });
        // The least given, the key as an object: jti and iat are made, no nonce, no ath.
        const before = Math.floor(Date.now() / 1000);
        const least = await checkProof(alg, signer.dpopProof({ alg, key: jwk, htm: 'get', htu: 'https://server.example.com/token#frag?not-a-query' }), want);
        assert.deepEqual(Object.keys(least.claims).sort(), ['htm', 'htu', 'iat', 'jti']);
        assert.equal(least.claims.htm, 'GET', 'htm upper-cased, as Go does');
        assert.equal(least.claims.htu, 'https://server.example.com/token');
        assert.match(least.claims.jti, UUID);
        assert.ok(least.claims.iat >= before && least.claims.iat <= before + 2, 'iat is now');
        // No userinfo (RFC 9110 §4.2.4), as generator/dpop's TestHTU: the same cases.
        for (const [url, htu] of [['https://alice:pw@api.example.com/x?q=1#f', 'https://api.example.com/x'],
            ['https://alice@api.example.com', 'https://api.example.com'], ['https://a:b@c@api.example.com:8443/p/q/', 'https://api.example.com:8443/p/q/'],
            ['http://api.example.com/a%2Fb?x', 'http://api.example.com/a%2Fb'], ['https://api.example.com/@me', 'https://api.example.com/@me']]) {
            const p = await checkProof(alg, signer.dpopProof({ alg, key: jwk, htm: 'GET', htu: url }), want);
            assert.equal(p.claims.htu, htu, url);
        }
        // An empty nonce or access token (an empty variable) means none.
        const empty = await checkProof(alg, signer.dpopProof({ alg, key: jwk, htm: 'GET', htu: 'https://a.example/', nonce: '', accessToken: '' }), want);
        assert.deepEqual(Object.keys(empty.claims).sort(), ['htm', 'htu', 'iat', 'jti']);
        // The proof's jwk has the thumbprint that dpop_jkt carries (RFC 9449 §10).
        assert.equal(signer.thumbprint(full.header.jwk), await jose.calculateJwkThumbprint(jwk, 'sha256'));
    }
});

test('newDpopKey: private JWK text whose public part node derives from its d', () => {
    const want = { ES256: ['P-256', 32], ES384: ['P-384', 48], ES512: ['P-521', 66], EdDSA: ['Ed25519', 32] };
    for (const [alg, [crv, size]] of Object.entries(want)) {
        const seen = new Set();
        for (let i = 0; i < 8; i++) {
            const text = signer.newDpopKey(alg);
            assert.equal(typeof text, 'string');
            const jwk = JSON.parse(text);
            assert.deepEqual(Object.keys(jwk), alg === 'EdDSA' ? ['alg', 'crv', 'd', 'kty', 'x'] : ['alg', 'crv', 'd', 'kty', 'x', 'y']);
            assert.equal(jwk.alg, alg);
            assert.equal(jwk.crv, crv);
            assert.equal(fromB64u(jwk.d).length, size, 'd has the curve size');
            const priv = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
            const pub = nodePublicJwk(priv);
            assert.deepEqual(signer.publicJwk(jwk), pub);
            assert.equal(jwk.x, pub.x, alg + ': x is what node derives');
            assert.equal(jwk.y, pub.y, alg + ': y is what node derives');
            const proof = signer.dpopProof({ alg, key: text, htm: 'GET', htu: 'https://a.example/r' });
            const [h, c, sig] = proof.split('.');
            assert.ok(nodeVerify(alg, crypto.createPublicKey(priv), h + '.' + c, sig), alg + ': a proof with the new key verifies');
            seen.add(jwk.d);
        }
        assert.equal(seen.size, 8, alg + ': a new key every time');
    }
});

test('newDpopKey: only crypto.getRandomValues makes a key; RSA is refused', () => {
    const fix = /run postmint refresh -e ENV \(or postmint generate\), which writes dpopKey/;
    for (const alg of ['RS256', 'PS256', 'RS512']) {
        const err = expectError(() => signer.newDpopKey(alg), fix);
        assert.match(err.message, new RegExp('^postmint: an RSA DPoP key \\(' + alg + '\\) cannot be made in a Postman script; .*, or set dpop_alg: ES256$'));
    }
    expectError(() => signer.newDpopKey('HS256'), /unsupported alg HS256/);
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    // The stripped script in contexts without a usable CSPRNG: Newman 6 has no crypto at all; a
    // crypto without getRandomValues, a throwing one and a stub that leaves zeros count the same.
    const sandboxes = {
        'no crypto (Newman 6)': {},
        'crypto without getRandomValues': { crypto: {} },
        'getRandomValues throws': { crypto: { getRandomValues: () => { throw new Error('not allowed'); } } },
        'getRandomValues leaves zeros': { crypto: { getRandomValues: (a) => a } }
    };
    for (const [name, globals] of Object.entries(sandboxes)) {
        const ctx = vm.createContext(Object.assign({ CJ: CryptoJS, ecKey: JSON.stringify(ec), out: {} }, globals));
        vm.runInContext(SOURCE + '\n' + [
            'var s = postmintSigner(CJ);',
            '["ES256", "ES384", "ES512", "EdDSA"].forEach(function (alg) {',
            '    try { out[alg] = s.newDpopKey(alg); } catch (e) { out[alg] = e.message; }',
            '});',
            'out.proof = s.dpopProof({ alg: "ES256", key: ecKey, htm: "GET", htu: "https://a.example/" });',
            'out.jti = s.uuid4();'
        ].join('\n'), ctx);
        for (const alg of ['ES256', 'ES384', 'ES512', 'EdDSA']) {
            assert.match(ctx.out[alg], /^postmint: this sandbox \(Newman\) has no crypto\.getRandomValues, so it cannot make a DPoP key safely; /, name + ' ' + alg);
            assert.match(ctx.out[alg], /which writes dpopKey$/);
        }
        // Proofs with a given key and the jti still work there (the weak source is enough for a jti).
        const [h, c, sig] = ctx.out.proof.split('.');
        assert.ok(nodeVerify('ES256', crypto.createPublicKey({ key: ec, format: 'jwk' }), h + '.' + c, sig), name);
        assert.match(ctx.out.jti, UUID);
    }
    // With the Web Crypto of the Postman app / CLI sandbox, it makes keys.
    const ctx = vm.createContext({ CJ: CryptoJS, crypto: crypto.webcrypto });
    vm.runInContext(SOURCE + '\n' + '\nvar key = JSON.parse(postmintSigner(CJ).newDpopKey("ES256"));', ctx);
    assert.deepEqual(signer.publicJwk(ctx.key), nodePublicJwk(crypto.createPrivateKey({ key: ctx.key, format: 'jwk' })));
});

test('DPoP errors: public or symmetric keys, alg/key mismatch, missing parts', () => {
    const keys = Object.fromEntries(dpopKeys());
    const pub = (jwk) => nodePublicJwk(crypto.createPrivateKey({ key: jwk, format: 'jwk' }));
    const proof = (o) => () => signer.dpopProof(Object.assign({ htm: 'GET', htu: 'https://a.example/' }, o));
    for (const [alg, jwk] of Object.entries(keys)) {
        expectError(() => signer.publicJwk(pub(jwk)), /this is a public key\/certificate, not a private key/);
        expectError(() => signer.publicJwk(JSON.stringify(pub(jwk))), /not a private key/);
        expectError(proof({ alg, key: pub(jwk) }), /not a private key/);
    }
    const oct = { kty: 'oct', k: 'GawgguFyGrWKav7AX4VKUg' };
    expectError(() => signer.publicJwk(oct), /a symmetric \(oct\) JWK cannot sign here/);
    expectError(proof({ alg: 'ES256', key: oct }), /symmetric \(oct\)/);
    assert.equal(signer.thumbprint(oct), crypto.createHash('sha256').update('{"k":"GawgguFyGrWKav7AX4VKUg","kty":"oct"}').digest('base64url'));

    expectError(proof({ alg: 'ES256', key: keys.EdDSA }), /^postmint: alg ES256 needs an EC P-256 key, got Ed25519$/);
    expectError(proof({ alg: 'ES384', key: keys.ES256 }), /^postmint: alg ES384 needs an EC P-384 key, got EC P-256$/);
    expectError(proof({ alg: 'RS256', key: keys.ES512 }), /^postmint: alg RS256 needs an RSA key, got EC P-521$/);
    expectError(proof({ alg: 'EdDSA', key: keys.RS256 }), /^postmint: alg EdDSA needs an Ed25519 key, got RSA$/);
    expectError(proof({ alg: 'HS256', key: keys.ES256 }), /unsupported alg HS256/);
    expectError(proof({ key: keys.ES256 }), /unsupported alg undefined/);
    expectError(proof({ alg: 'ES256', key: '' }), /no DPoP key \(dpopKey is empty\); run postmint refresh -e ENV/);
    expectError(proof({ alg: 'ES256', key: keys.ES256, htu: '' }), /needs htm \(the request method\) and htu \(its URL\)/);
    expectError(proof({ alg: 'ES256', key: keys.ES256, htm: undefined }), /needs htm/);
    expectError(() => signer.dpopProof(), /no DPoP key/);

    const rsa = keys.RS256;
    expectError(() => signer.publicJwk({ kty: 'RSA', d: rsa.d, p: rsa.p, q: rsa.q }), /the RSA JWK has d but no n or e/, rsa.d);
    expectError(() => signer.thumbprint({ kty: 'EC', crv: 'P-256', x: pub(keys.ES256).x }), /^postmint: the JWK has no y \(RFC 7638 needs crv, kty, x, y\)$/);
    expectError(() => signer.thumbprint({ kty: 'foo' }), /cannot take the thumbprint of kty foo/);
    expectError(() => signer.thumbprint('{"kty":'), /not valid JSON/);
    expectError(() => signer.publicJwk({ kty: 'EC', crv: 'P-256', d: b64u(Buffer.alloc(32)) }), /out of range for P-256/);
});

// ---------- RSA exponentiation (sliding window) against node ----------

test('RSA 2048 and 4096: RS256 equals node byte for byte, PS256 verifies, with and without CRT', () => {
    const input = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjbGllbnQiLCJqdGkiOiIxIn0';
    for (const bits of [2048, 3072, 4096]) {
        const pair = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
        const jwk = pair.privateKey.export({ format: 'jwk' });
        const texts = {
            'PKCS#8 (CRT)': pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
            'JWK n, e, d only (m^d mod n)': JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e, d: jwk.d })
        };
        for (const [form, text] of Object.entries(texts)) {
            for (const alg of ['RS256', 'RS512']) {
                const want = b64u(crypto.sign('sha' + alg.slice(2), Buffer.from(input), pair.privateKey));
                assert.equal(signer.sign(alg, text, input), want, bits + ' ' + form + ' ' + alg);
            }
            for (const alg of ['PS256', 'PS512']) {
                assert.ok(nodeVerify(alg, pair.publicKey, input, signer.sign(alg, text, input)), bits + ' ' + form + ' ' + alg);
            }
        }
    }
});

test('modpow (sliding window) equals plain square-and-multiply on edge and random exponents', () => {
    // White-box: the signer's closure with modpow exported, evaluated from the source.
    const marker = '    return {\n        parseKey: parseKey,';
    assert.ok(SOURCE.includes(marker));
    const ctx = vm.createContext({ CJ: CryptoJS });
    vm.runInContext(SOURCE.replace(marker, '    return {\n        modpow: modpow,\n        parseKey: parseKey,') + '\nvar modpow = postmintSigner(CJ).modpow;', ctx);
    const rnd = (bits) => BigInt('0x' + crypto.randomBytes(Math.ceil(bits / 8)).toString('hex')) >> BigInt(8 * Math.ceil(bits / 8) - bits);
    function ref(b, e, m) {
        let r = 1n;
        for (b %= m; e > 0n; e >>= 1n, b = b * b % m) {
            if (e & 1n) {
                r = r * b % m;
            }
        }
        return r % m;
    }
    // Exponents of every width class (1, 4 and 6 bits) with runs of zeros and ones that cross
    // window boundaries, and the ends of the range.
    const runs = (bits) => {
        let s = '1';
        while (s.length < bits) {
            s += (Math.random() < 0.5 ? '0' : '1').repeat(1 + Math.floor(Math.random() * 12));
        }
        return BigInt('0b' + s.slice(0, bits));
    };
    for (const mBits of [64, 256, 521, 1024, 2048]) {
        const m = rnd(mBits) | 1n | (1n << BigInt(mBits - 1));
        const exps = [0n, 1n, 2n, 3n, 65537n, m - 1n, m - 2n];
        for (const eBits of [7, 17, 64, 65, 255, 600, 601, 1023, 2048]) {
            exps.push(rnd(eBits) | (1n << BigInt(eBits - 1)), runs(eBits), (1n << BigInt(eBits)) - 1n, 1n << BigInt(eBits - 1));
        }
        for (const e of exps) {
            for (const b of [0n, 1n, 2n, m - 1n, rnd(mBits) % m, rnd(mBits + 40), -rnd(mBits)]) {
                assert.equal(ctx.modpow(b, e, m), ref(((b % m) + m) % m, e, m), `m ${mBits} bits, e ${e.toString(16)}, b ${b.toString(16)}`);
            }
        }
    }
});
