// bench/script-floor.cjs: what a pre-request script costs in Newman just for running, and how
// much the environment adds to that (every script execution carries the environment's variables
// into the sandbox and back).
//
//   node bench/script-floor.cjs [iterations] [rounds]   # from the repository root, after npm ci --prefix testdata/e2e
//
// One GET to a local server per iteration, in six arms run in rotated order each round: no
// script, one one-line collection-level pre-request script, and that plus a one-line item
// script; each without an environment and with collections/duende-demo-api's (23 variables).
// Prints the median ms per request of each arm over the rounds.
'use strict';
const http = require('node:http');
const path = require('node:path');
const os = require('node:os');

const root = path.join(__dirname, '..');
const newman = require(path.join(root, 'testdata', 'e2e', 'node_modules', 'newman'));
const envFile = path.join(root, 'collections', 'duende-demo-api.postman_environment.json');
const n = Number(process.argv[2]) || 200;
const rounds = Number(process.argv[3]) || 5;
const line = (s) => [{ listen: 'prerequest', script: { type: 'text/javascript', exec: [s] } }];

function collection(url, scripts) {
    const item = { name: 'r', request: { method: 'GET', url } };
    const c = { info: { name: 'floor', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' }, item: [item], event: [] };
    if (scripts > 0) c.event = line('pm.variables.get("x");');
    if (scripts > 1) item.event = line('pm.variables.get("y");');
    return c;
}

function run(url, arm) {
    return new Promise((resolve, reject) => {
        const opts = { collection: collection(url, arm.scripts), iterationCount: n, reporters: [] };
        if (arm.env) opts.environment = envFile;
        const t0 = process.hrtime.bigint();
        newman.run(opts, (err, summary) => {
            if (err || summary.run.failures.length) return reject(err || new Error('run failed'));
            resolve(Number(process.hrtime.bigint() - t0) / 1e6 / n);
        });
    });
}

const srv = http.createServer((q, r) => r.end('{}')).listen(0, '127.0.0.1', async () => {
    const url = `http://127.0.0.1:${srv.address().port}/x`;
    const arms = [];
    for (const env of [false, true]) for (const scripts of [0, 1, 2]) arms.push({ env, scripts, ms: [] });
    console.log(`load ${os.loadavg()[0].toFixed(2)}; ${n} requests per run, ${rounds} rounds`);
    for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < arms.length; i++) {
            const a = arms[(i + r) % arms.length];
            a.ms.push(await run(url, a));
        }
    }
    const med = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
    for (const a of arms) {
        console.log(`${a.env ? 'environment (23 variables)' : 'no environment            '}  ${a.scripts} script(s)  ${med(a.ms).toFixed(2)} ms/request`);
    }
    console.log(`load ${os.loadavg()[0].toFixed(2)}`);
    srv.close();
});
