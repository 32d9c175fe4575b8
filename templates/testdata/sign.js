// Driver for signer_test.go: `node sign.js JOBS.json` signs each job with templates/signer.js and
// prints a JSON array of compact JWS. A job is { alg, keyFile, header, claims } where header and
// claims are JSON text, parsed here exactly as Go parses the same text.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const CryptoJS = require(path.join(__dirname, '..', '..', 'testdata', 'e2e', 'node_modules', 'crypto-js'));
const signer = require(path.join(__dirname, '..', 'signer.js'))(CryptoJS);

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tokens = jobs.map((job) => {
    const header = Object.assign(JSON.parse(job.header), { alg: job.alg });
    return signer.jwt(header, JSON.parse(job.claims), fs.readFileSync(job.keyFile, 'utf8'));
});
process.stdout.write(JSON.stringify(tokens) + '\n');
