// bench/signer-modpow.mjs: the in-collection signer's RSA signing time, one revision against the
// working tree, interleaved in one node process (issue 14: RSA spends most of its time in
// modpow). From the repository root:
//
//   node bench/signer-modpow.mjs [BEFORE] [ROUNDS] [N]
//
// BEFORE is a git revision (default d7cd812, the last with the 4-bit fixed-window modpow); its
// templates/signer.js is read with `git show` into a temporary file and loaded beside the
// working tree's. Keys are fresh (node's generateKeyPair) and given as PKCS#8 PEM text, as the
// collection gives them, so key parsing is included. Each
// round signs N times (default 20) per case and version, the versions alternating within the
// round and their order rotating between rounds; a round's figure is the median of its N. The
// table shows, per case, the median over ROUNDS (default 9) rounds, min..max of the round
// medians, and after / before. Every signature is checked (RS byte for byte against node, PS
// verified by node) before timing. Prints the load average first: compare ratios, not
// milliseconds, across machines.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const before = process.argv[2] || 'd7cd812';
const rounds = Number(process.argv[3]) || 9;
const n = Number(process.argv[4]) || 20;

let CryptoJS;
try {
    CryptoJS = require(path.join(root, 'testdata', 'e2e', 'node_modules', 'crypto-js'));
} catch {
    console.error('signer-modpow: crypto-js is missing: run npm ci --prefix testdata/e2e');
    process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'postmint-modpow-'));
const beforeFile = path.join(tmp, 'signer-before.cjs');
fs.writeFileSync(beforeFile, execFileSync('git', ['-C', root, 'show', before + ':templates/signer.js']));
const rev = execFileSync('git', ['-C', root, 'rev-parse', '--short', before]).toString().trim();
const versions = [
    ['before', require(beforeFile)(CryptoJS)],
    ['after', require(path.join(root, 'templates', 'signer.js'))(CryptoJS)]
];
fs.rmSync(tmp, { recursive: true, force: true });

const pair = (bits) => crypto.generateKeyPairSync('rsa', { modulusLength: bits });
const keys = { 'RSA-2048': pair(2048), 'RSA-4096': pair(4096) };
const cases = [['RS256', 'RSA-2048'], ['PS256', 'RSA-2048'], ['RS256', 'RSA-4096'], ['PS256', 'RSA-4096']];

const now = Math.floor(Date.now() / 1000);
const input = (s) => s.canonicalJSON({ alg: 'RS256', typ: 'JWT' }) + '.' +
    s.canonicalJSON({ iss: 'client', sub: 'client', aud: 'https://idp.example.com/connect/token', iat: now, exp: now + 60, jti: s.uuid4() });

// Correctness first: the numbers below are worth nothing for a wrong signature.
for (const [alg, keyName] of cases) {
    const k = keys[keyName], pem = k.privateKey.export({ type: 'pkcs8', format: 'pem' });
    for (const [name, s] of versions) {
        const msg = input(s), sig = Buffer.from(s.sign(alg, pem, msg), 'base64url');
        const opts = { key: k.publicKey };
        if (alg[0] === 'P') {
            opts.padding = crypto.constants.RSA_PKCS1_PSS_PADDING;
            opts.saltLength = 32;
        }
        if (!crypto.verify('sha256', Buffer.from(msg), opts, sig) ||
            (alg[0] === 'R' && !sig.equals(crypto.sign('sha256', Buffer.from(msg), k.privateKey)))) {
            console.error(`signer-modpow: ${name} made a wrong ${alg} ${keyName} signature`);
            process.exit(1);
        }
    }
}

const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

function round(s, alg, pem) {
    const times = [];
    for (let i = 0; i < n; i++) {
        const msg = input(s);
        const t0 = process.hrtime.bigint();
        s.sign(alg, pem, msg);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return median(times);
}

console.log(`== signer RSA signing: ${before} (${rev}) vs working tree ==`);
console.log(`host: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}; ${rounds} rounds x ${n} signs per case and version`);
const results = {};
for (let r = -1; r < rounds; r++) {
    for (const [alg, keyName] of cases) {
        const pem = keys[keyName].privateKey.export({ type: 'pkcs8', format: 'pem' });
        const order = r % 2 ? versions : [...versions].reverse();
        for (const [name, s] of order) {
            const ms = round(s, alg, pem);
            if (r >= 0) {
                ((results[alg + ' ' + keyName] ||= {})[name] ||= []).push(ms);
            }
        }
    }
}
console.log('case              before ms/sign (rounds)     after ms/sign (rounds)      after/before');
for (const [c, { before: b, after: a }] of Object.entries(results)) {
    const fmt = (xs) => `${median(xs).toFixed(2).padStart(6)} (${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)})`.padEnd(27);
    console.log(`${c.padEnd(17)} ${fmt(b)} ${fmt(a)} ${(median(a) / median(b)).toFixed(3)}`);
}
console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
