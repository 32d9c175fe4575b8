// node nonces.js CONFIG CASES: the DPoP nonce cases of TestDPoPNonceParity through the
// collection script (signer.js, response.js and collection.js, as postmint generate places
// them) with one fake pm per request whose URL is parsed by postman-collection's Url, the way
// Postman parses what the user typed. For each case: first the API answers in `stores` (each
// a request to that URL answered with that DPoP-Nonce, taken by checkAPI), then each lookup
// (the token request through prepare when `token`, else an API request); prints, per case,
// the nonce each lookup's proof carried and dpopApiNonces as the script left it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const root = path.join(__dirname, '..', '..', '..');
const modules = path.join(root, 'testdata', 'e2e', 'node_modules');
const CryptoJS = require(path.join(modules, 'crypto-js'));
const { Url } = require(path.join(modules, 'postman-collection'));
const read = (name) => fs.readFileSync(path.join(root, 'templates', name), 'utf8');
const [SIGNER, RESPONSE, COLLECTION] = ['signer.js', 'response.js', 'collection.js'].map(read);
const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const cases = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

// A DPoP environment as generate writes it (helseid), with a throwaway P-256 client key.
const base = {};
for (const v of JSON.parse(fs.readFileSync(path.join(root, 'collections', 'helseid-api-test.postman_environment.json'), 'utf8')).values) {
    base[v.key] = v.value;
}
const { privateKey } = require('node:crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' });
Object.assign(base, { alg: 'ES256', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }), tokenType: 'DPoP' });

const ctx = vm.createContext({ require: () => CryptoJS, crypto: globalThis.crypto, console });
vm.runInContext('var postmintConfig = ' + JSON.stringify(cfg) + ';\n' + SIGNER + RESPONSE, ctx);

// request runs the collection-level script for one request and returns its pm's record.
function request(env, url, o) {
    const rec = { headers: {}, failed: [] };
    const form = o.token ? ['grant_type', 'client_assertion_type', 'client_assertion'] : null;
    const pm = {
        variables: { get: (k) => env[k], replaceIn: (s) => s.replace(/\{\{([^{}]+)\}\}/g, (all, k) => (k in env ? env[k] : all)) },
        environment: { set: (k, v) => { env[k] = v; } },
        test: (name, fn) => {
            try {
                fn();
            } catch (e) {
                rec.failed.push(name + ': ' + e.message);
            }
        },
        request: {
            method: o.token ? 'POST' : 'GET',
            url: new Url(url),
            body: form ? { mode: 'urlencoded', urlencoded: { has: (k) => form.includes(k) }, update: () => {} } : undefined,
            headers: { upsert: (h) => { rec.headers[h.key] = h.value; } },
        },
        execution: { skipRequest: () => rec.failed.push('skipped') },
        sendRequest: () => rec.failed.push('sent a request'),
    };
    if (o.nonce) {
        pm.response = { code: 200, text: () => '', headers: { get: (k) => (k.toLowerCase() === 'dpop-nonce' ? o.nonce : undefined) } };
    }
    ctx.pm = pm;
    vm.runInContext(COLLECTION, ctx);
    delete ctx.pm;
    if (o.token) {
        ctx.postmint.prepare(pm, 'grant');
    }
    if (o.nonce) {
        ctx.postmint.checkAPI(pm);
    }
    if (rec.failed.length) {
        throw new Error(url + ': ' + rec.failed.join('; '));
    }
    return rec;
}

const out = cases.map((c) => {
    const env = Object.assign({}, base, {
        idpServer: c.tokenURL, dpopNonce: c.dpopNonce, dpopApiNonces: c.dpopApiNonces,
        bearerToken: 'tok', bearerTokenExpiresAt: String(Math.floor(Date.now() / 1000) + 600),
    });
    for (const [url, nonce] of c.stores || []) {
        request(env, url, { nonce });
    }
    const nonces = (c.lookups || []).map((l) => {
        const proof = request(env, l.url, { token: l.token }).headers.DPoP;
        const claims = JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString());
        return claims.nonce === undefined ? '' : claims.nonce;
    });
    return { nonces, apiNonces: env.dpopApiNonces };
});
process.stdout.write(JSON.stringify(out));
