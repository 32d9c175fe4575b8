// bench/signer-cold.cjs: RS256 with templates/signer.js started cold against warm, in node.
//
//   node bench/signer-cold.cjs [runs]      # from the repository root, after npm ci --prefix testdata/e2e
//
// Cold: every run evaluates the signer's source again in one vm context (the way a Postman
// sandbox runs a script: same context, same source, new closures) and signs once, so V8 starts
// its arithmetic from the interpreter each time. Warm: one signer signs `runs` times. Prints the
// medians; the difference is what keeping the signer for the run (postmintWarm in the
// collection script) can save. Then where warm RS256 goes: parsing the PKCS#8 key, and one
// 1024-bit BigInt multiplication and one 2048-by-1024-bit reduction (RSA-2048 with CRT does
// about 2,300 of each).
'use strict';
const vm = require('node:vm');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.join(__dirname, '..');
const CryptoJS = require(path.join(root, 'testdata', 'e2e', 'node_modules', 'crypto-js'));
const src = fs.readFileSync(path.join(root, 'templates', 'signer.js'), 'utf8');
const pem = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const runs = Number(process.argv[2]) || 40;
const claims = '{iss:"a",sub:"a",aud:"b",iat:1,exp:2,jti:"x"}';
const ctx = vm.createContext({ CryptoJS, pem });
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const cold = [];
const once = src + `\n;postmintSigner(CryptoJS).jwt({alg:"RS256",typ:"JWT"},${claims},pem);`;
for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    vm.runInContext(once, ctx);
    cold.push(ms(t0));
}
const signer = vm.runInContext(src + ';postmintSigner(CryptoJS)', ctx);
const warm = [];
for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    vm.runInContext(`s.jwt({alg:"RS256",typ:"JWT"},${claims},pem)`, Object.assign(ctx, { s: signer }));
    warm.push(ms(t0));
}
const parse = [];
for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    signer.parseKey(pem);
    parse.push(ms(t0));
}
const big = (bits) => BigInt('0x' + crypto.randomBytes(bits / 8).toString('hex'));
const m = big(1024) | 1n | (1n << 1023n), a = big(1024) % m, b = big(1024) % m, p = a * b;
const perOp = (f) => {
    const k = 20000;
    for (let i = 0; i < 2000; i++) f();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < k; i++) f();
    return (Number(process.hrtime.bigint() - t0) / k / 1000).toFixed(2);
};
console.log(`parseKey ${median(parse).toFixed(3)} ms; BigInt 1024 x 1024 bits ${perOp(() => a * b)} µs, 2048 % 1024 bits ${perOp(() => p % m)} µs`);
console.log(`RS256-2048, ${runs} runs, load ${require('node:os').loadavg()[0].toFixed(2)}: cold ${median(cold).toFixed(2)} ms, warm ${median(warm).toFixed(2)} ms (medians)`);
