// Benchmark for templates/signer.js (not a test): `node templates/testdata/bench.js [runs]`.
// For each alg, signs a typical client assertion `runs` times (default 50) with a fresh key given
// as PKCS#8 PEM text (so key parsing is included, as in the collection) and prints the median.
// Then the DPoP primitives (RFC 9449): a proof per alg with the key as private JWK text (as the
// environment's dpopKey holds it), with ath and nonce, and newDpopKey.
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');

const CryptoJS = require(path.join(__dirname, '..', '..', 'testdata', 'e2e', 'node_modules', 'crypto-js'));
const signer = require(path.join(__dirname, '..', 'signer.js'))(CryptoJS);

const runs = Number(process.argv[2]) || 50;
const pem = (pair) => pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
const keys = {
    RSA2048: pem(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })),
    RSA4096: pem(crypto.generateKeyPairSync('rsa', { modulusLength: 4096 })),
    P256: pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    P384: pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' })),
    P521: pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' })),
    Ed25519: pem(crypto.generateKeyPairSync('ed25519'))
};
const cases = [
    ['RS256', 'RSA2048'], ['RS384', 'RSA2048'], ['RS512', 'RSA2048'],
    ['PS256', 'RSA2048'], ['PS384', 'RSA2048'], ['PS512', 'RSA2048'],
    ['RS256', 'RSA4096'],
    ['ES256', 'P256'], ['ES384', 'P384'], ['ES512', 'P521'],
    ['EdDSA', 'Ed25519']
];

for (const [alg, keyName] of cases) {
    const times = [];
    for (let i = 0; i < runs; i++) {
        const now = Math.floor(Date.now() / 1000);
        const claims = { iss: 'client', sub: 'client', aud: 'https://idp.example.com/connect/token', iat: now, exp: now + 60, jti: signer.uuid4() };
        const t0 = process.hrtime.bigint();
        signer.jwt({ alg: alg, typ: 'JWT', kid: 'k1' }, claims, keys[keyName]);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = (times[(runs - 1) >> 1] + times[runs >> 1]) / 2;
    console.log(`${alg.padEnd(6)} ${keyName.padEnd(8)} median ${median.toFixed(2)} ms  (min ${times[0].toFixed(2)}, max ${times[runs - 1].toFixed(2)}, ${runs} runs)`);
}

const jwkText = (name) => JSON.stringify(crypto.createPrivateKey(keys[name]).export({ format: 'jwk' }));
const dpopCases = [['ES256', 'P256'], ['ES384', 'P384'], ['ES512', 'P521'], ['EdDSA', 'Ed25519'], ['RS256', 'RSA2048'], ['PS256', 'RSA2048']];
const timeIt = (label, fn) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        fn();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = (times[(runs - 1) >> 1] + times[runs >> 1]) / 2;
    console.log(`${label.padEnd(24)} median ${median.toFixed(2)} ms  (min ${times[0].toFixed(2)}, max ${times[runs - 1].toFixed(2)}, ${runs} runs)`);
};
for (const [alg, keyName] of dpopCases) {
    const key = jwkText(keyName);
    timeIt(`dpopProof ${alg}`, () => signer.dpopProof({ alg, key, htm: 'GET', htu: 'https://api.example.com/orders?page=2', nonce: 'n-1', accessToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }));
}
for (const alg of ['ES256', 'ES512', 'EdDSA']) {
    timeIt(`newDpopKey ${alg}`, () => signer.newDpopKey(alg));
}
