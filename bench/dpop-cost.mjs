// bench/dpop-cost.mjs: what a DPoP proof adds to an API request in Newman (issue 11: at most
// 5 ms). Started by bench/dpop-cost.sh; by hand, from the repository root:
//
//   node bench/dpop-cost.mjs BIN [N] [ROUNDS]
//
// BIN is a postmint binary. Two collections of the same client are generated, one with
// `dpop: true` (ES256), one without; each environment holds a token valid for a day (and the
// DPoP one its dpopKey), so no token is fetched. Each arm runs `--folder API` for N iterations
// (default 200) of one GET to a local server that answers 200, in its own node process
// (bench/newman-signing/run.cjs), the arms in alternating order for ROUNDS rounds (default 7)
// after a warm-up. Per run: ms/request = duration / N, ms/item = the median request
// (beforeItem..item). Reported: medians over rounds, the per-round difference dpop - bearer
// and its median, and the load average. The server checks that every DPoP request carried a
// DPoP header and the DPoP scheme (the proofs themselves are verified by the e2e tests).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [bin, nArg, roundsArg] = process.argv.slice(2);
if (!bin) {
  console.error('usage: node bench/dpop-cost.mjs BIN [N] [ROUNDS]');
  process.exit(2);
}
const N = Number(nArg || 200);
const ROUNDS = Number(roundsArg || 7);
const newmanDir = path.join(root, 'testdata/e2e/node_modules/newman');
const runner = path.join(root, 'bench/newman-signing/run.cjs');
if (!fs.existsSync(path.join(newmanDir, 'package.json'))) {
  console.error('dpop-cost: run npm ci --prefix testdata/e2e first');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'postmint-dpop-cost-'));
const hits = { bearer: 0, dpop: 0, bad: 0 };
const server = http.createServer((req, res) => {
  const auth = req.headers.authorization || '';
  if (auth.startsWith('DPoP ') && req.headers.dpop) hits.dpop++;
  else if (auth.startsWith('Bearer ') && !req.headers.dpop) hits.bearer++;
  else hits.bad++;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('{"ok":true}');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
try {
  for (const arm of ['bearer', 'dpop']) {
    const dir = path.join(work, arm);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'client.yaml'), [
      'version: 1', `name: DPoP Cost ${arm}`, `token_url: http://127.0.0.1:${port}/token`, 'client_id: bench-client', 'alg: ES256',
      ...(arm === 'dpop' ? ['dpop: true', 'dpop_alg: ES256'] : []),
      'requests:', '  - name: Ping', `    url: http://127.0.0.1:${port}/api/ping?x=1`, '',
    ].join('\n'));
    execFileSync(bin, ['generate', '--no-key', '-c', path.join(dir, 'client.yaml'), '-o', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `dpop-cost-${arm}`;
    const env = JSON.parse(fs.readFileSync(path.join(dir, `${base}.postman_environment.json`), 'utf8'));
    const set = (k, v) => { env.values.find((x) => x.key === k).value = v; };
    set('bearerToken', 'bench-token-valid-for-a-day');
    set('bearerTokenExpiresAt', String(Math.floor(Date.now() / 1000) + 86400));
    fs.writeFileSync(path.join(work, `env-${arm}.json`), JSON.stringify(env));
    fs.copyFileSync(path.join(dir, `${base}.postman_collection.json`), path.join(work, `${arm}.json`));
  }
  async function run(arm, n) {
    const spec = path.join(work, `spec-${arm}.json`);
    const report = path.join(work, `report-${arm}.json`);
    const timings = path.join(work, `timings-${arm}.json`);
    fs.writeFileSync(spec, JSON.stringify({
      newman: newmanDir, collection: path.join(work, `${arm}.json`), environment: path.join(work, `env-${arm}.json`),
      folder: 'API', iterationCount: n, report, timings,
    }));
    const before = hits[arm];
    const code = await new Promise((resolve) => {
      spawn(process.execPath, [runner, spec], { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', resolve);
    });
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    const s = r.run.stats;
    if (code !== 0 || s.requests.total !== n || s.assertions.failed || r.run.failures.length || hits[arm] - before !== n || hits.bad) {
      throw new Error(`${arm}: exit ${code}, ${s.requests.total} requests, ${hits[arm] - before} with the ${arm} scheme, ${hits.bad} malformed, failures ${JSON.stringify(r.run.failures.slice(0, 2))}`);
    }
    const t = JSON.parse(fs.readFileSync(timings, 'utf8'));
    return { perRequest: (t.completed - t.started) / n, item: median(t.items.map((i) => i.total)) };
  }
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`== DPoP cost per API request: ${N} requests per run, --folder API, ${ROUNDS} rounds (+1 warm-up); node ${process.version}, ${os.cpus().length} CPUs; load average at start: ${load()} ==`);
  const arms = ['bearer', 'dpop'];
  for (const a of arms) await run(a, Math.min(N, 20));
  const res = { bearer: [], dpop: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const a of r % 2 ? [...arms].reverse() : arms) res[a].push(await run(a, N));
  }
  for (const a of arms) {
    console.log(`${a.padEnd(7)} ms/request ${median(res[a].map((x) => x.perRequest)).toFixed(3)}  ms/item ${median(res[a].map((x) => x.item)).toFixed(3)}`);
  }
  const d = (k) => res.dpop.map((x, i) => x[k] - res.bearer[i][k]);
  console.log(`dpop - bearer per round, ms/item: ${d('item').map((x) => x.toFixed(2)).join(' ')}`);
  const verdict = median(d('item'));
  console.log(`TARGET (a DPoP proof adds <= 5 ms a request, median of per-round ms/item differences): ${verdict.toFixed(3)} ms (ms/request: ${median(d('perRequest')).toFixed(3)}), ${verdict <= 5 ? 'met' : 'MISSED'}; load average at end: ${load()}`);
} finally {
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
}
