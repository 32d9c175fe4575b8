// bench/sandbox-exec.cjs: CPU time of one script execution in Postman's sandbox (postman-sandbox,
// as Newman 6 runs it: one sandbox for the run, each script sent in with its environment), for
// postmint's scripts on an API request with a valid token against one-line scripts.
//
//   node bench/sandbox-exec.cjs COLLECTION ENVIRONMENT [ROUNDS] [BATCH]
//
// COLLECTION and ENVIRONMENT as postmint generate writes them (bench/valid-token.sh keeps them
// with KEEP=1), the environment's bearerToken valid. Scripts, each run BATCH times in a row
// (default 100) per round, the scripts in turn, ROUNDS rounds (default 10) after 30 warm-up runs:
//
//   1-line pre      pm.variables.get('bearerToken');
//   postmint pre    the collection-level pre-request script, as generated
//   1-line test     pm.test('API answered', ...) with one pm.expect
//   postmint test   the API folder's test script (the 401/403 check), as generated
//   ... (legacy)    the same without its leading "use sandbox2"; marker, when it has one
//
// It prints the median CPU (user + system of this process, which runs the sandbox) per
// execution, and postmint minus 1-line per round and its median: no HTTP, no Newman, so the
// differences are the scripts' own, at a far smaller spread than a whole run's.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [collPath, envPath, roundsArg, batchArg] = process.argv.slice(2);
if (!collPath || !envPath) {
    console.error('usage: node bench/sandbox-exec.cjs COLLECTION ENVIRONMENT [ROUNDS] [BATCH]');
    process.exit(2);
}
const ROUNDS = Number(roundsArg || 10);
const BATCH = Number(batchArg || 100);
const Sandbox = require(path.join(__dirname, '..', 'testdata', 'e2e', 'node_modules', 'postman-sandbox'));
const coll = JSON.parse(fs.readFileSync(collPath, 'utf8'));
const env = JSON.parse(fs.readFileSync(envPath, 'utf8'));
const api = coll.item.find((f) => f.name === 'API');
const source = (events, listen) => events.find((e) => e.listen === listen).script.exec.join('\n');
const marker = '"use sandbox2";';
const legacy = (s) => (s.startsWith(marker) ? s.slice(marker.length) : s);
const pre = source(coll.event, 'prerequest');
const test = source(api.event, 'test');
const scripts = [
    ['1-line pre', 'prerequest', "pm.variables.get('bearerToken');"],
    ['postmint pre', 'prerequest', pre],
    ['1-line test', 'test', "pm.test('API answered', function () { pm.expect(pm.response.code).to.equal(200); });"],
    ['postmint test', 'test', test],
];
if (pre.startsWith(marker)) {
    scripts.push(['postmint pre (legacy)', 'prerequest', legacy(pre)], ['postmint test (legacy)', 'test', legacy(test)]);
}
const response = { code: 200, status: 'OK', header: [{ key: 'Content-Type', value: 'application/json' }], stream: { type: 'Buffer', data: [...Buffer.from('{"ok":true}')] } };
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

Sandbox.createContext({ timeout: 10000 }, async (err, ctx) => {
    if (err) {
        throw err;
    }
    const run = ([, listen, code]) => new Promise((resolve, reject) => {
        ctx.execute({ listen, script: { exec: [code] } }, {
            timeout: 10000,
            context: { environment: { values: env.values }, request: api.item[0].request, response: listen === 'test' ? response : undefined },
        }, (e, r) => {
            if (e) {
                reject(e);
            } else if (r && r.environment && r.environment.values && r.environment.values.some((v) => v.key === 'bearerToken' && !v.value)) {
                reject(new Error('the script emptied bearerToken'));
            } else {
                resolve();
            }
        });
    });
    for (const s of scripts) {
        for (let i = 0; i < 30; i++) {
            await run(s);
        }
    }
    const cpu = scripts.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < scripts.length; k++) {
            const c0 = process.cpuUsage();
            for (let i = 0; i < BATCH; i++) {
                await run(scripts[k]);
            }
            const c = process.cpuUsage(c0);
            cpu[k].push((c.user + c.system) / 1000 / BATCH);
        }
    }
    console.log(`sandbox executions, CPU ms per execution (median of ${ROUNDS} rounds of ${BATCH}; min..max); node ${process.version}`);
    scripts.forEach(([name], k) => {
        console.log(`${name.padEnd(24)} ${median(cpu[k]).toFixed(3)}  (${Math.min(...cpu[k]).toFixed(3)}..${Math.max(...cpu[k]).toFixed(3)})`);
    });
    const diff = (a, b) => cpu[a].map((x, i) => x - cpu[b][i]);
    const show = (label, d) => console.log(`${label.padEnd(40)} median ${median(d).toFixed(3)} ms per round (${d.map((x) => x.toFixed(2)).join(' ')})`);
    show('postmint pre - 1-line pre', diff(1, 0));
    show('postmint test - 1-line test', diff(3, 2));
    show('both (an API request)', diff(1, 0).map((x, i) => x + diff(3, 2)[i]));
    if (scripts.length > 4) {
        show('legacy: both (an API request)', diff(4, 0).map((x, i) => x + diff(5, 2)[i]));
    }
    process.exit(0);
});
