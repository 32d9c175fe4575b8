// bench/valid-token.mjs: what postmint's scripts cost an API request when bearerToken is still
// valid (issue 22: the collection pre-request script and the API folder's 401/403 test at most
// 0.5 ms more than a one-line pre-request script and a one-line pm.test). Started by bench/valid-token.sh; by hand, from the repository root:
//
//   node bench/valid-token.mjs BIN [N] [ROUNDS] [BIN_BEFORE]
//
// BIN is a postmint binary. It generates a collection (postmint generate --no-key) whose API
// folder holds one GET to a local HTTP server that answers 200, and an environment whose
// bearerToken is valid for a day, then runs `--folder API` for N iterations (default 200) in
// four copies of that collection, each in its own node process (bench/newman-signing/run.cjs,
// the newman.run() the newman CLI calls, plus per-request timestamps):
//
//   none       no collection-level script, no API folder test script
//   1-line     a one-line collection pre-request script and a one-line pm.test as the API
//              folder's test script (issue 22's baseline)
//   postmint   the generated collection unchanged: postmint's collection pre-request script and
//              its API folder test (the 401/403 check); the target is postmint - 1-line
//   pre-only   diagnostic: postmint's pre-request script with the one-line test (the measure
//              of issue 14, which left the test script out)
//   before     with BIN_BEFORE: the collection that binary generates, unchanged, in the same
//              rounds (same environment: this binary's)
//
// One warm-up round (discarded), then ROUNDS rounds (default 9), the arms in rotated order.
// Per run: ms/request = run duration / N; pre-request = median time of one request's
// pre-request scripts (Newman's beforePrerequest..prerequest events); ms/item = median time of
// one request (beforeItem..item). The table shows medians over rounds and each arm minus
// 1-line; then postmint minus 1-line per round (same round, same machine state) and the median
// of those, also for CPU (user + system CPU of the Newman process / N, which waiting for a busy
// machine's cores does not move). The verdict reads ms/item, which stalls of a busy machine barely move. Every
// request must get its 200 and no test may fail.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [bin, nArg, roundsArg, binBefore] = process.argv.slice(2);
if (!bin) {
  console.error('usage: node bench/valid-token.mjs BIN [N] [ROUNDS] [BIN_BEFORE]');
  process.exit(2);
}
const N = Number(nArg || 200);
const ROUNDS = Number(roundsArg || 9);
const newmanDir = path.join(root, 'testdata/e2e/node_modules/newman');
const runner = path.join(root, 'bench/newman-signing/run.cjs');
if (!fs.existsSync(path.join(newmanDir, 'package.json'))) {
  console.error('valid-token: run npm ci --prefix testdata/e2e first');
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'postmint-valid-token-'));
let apiHits = 0;
const server = http.createServer((req, res) => {
  apiHits++;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('{"ok":true}');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

try {
  fs.writeFileSync(path.join(work, 'client.yaml'), [
    'version: 1',
    'name: Valid Token Bench',
    `token_url: http://127.0.0.1:${port}/token`,
    'client_id: bench-client',
    'alg: ES256',
    'requests:',
    '  - name: Ping',
    `    url: http://127.0.0.1:${port}/api/ping`,
    '',
  ].join('\n'));
  execFileSync(bin, ['generate', '--no-key', '-c', path.join(work, 'client.yaml'), '-o', work], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = 'valid-token-bench';
  const collection = JSON.parse(fs.readFileSync(path.join(work, `${base}.postman_collection.json`), 'utf8'));
  const env = JSON.parse(fs.readFileSync(path.join(work, `${base}.postman_environment.json`), 'utf8'));
  const set = (k, v) => { env.values.find((x) => x.key === k).value = v; };
  set('bearerToken', 'bench-token-valid-for-a-day');
  set('bearerTokenExpiresAt', String(Math.floor(Date.now() / 1000) + 86400));
  fs.writeFileSync(path.join(work, 'env.json'), JSON.stringify(env));

  const pre = collection.event.find((e) => e.listen === 'prerequest');
  let before = null;
  if (binBefore) {
    const dir = path.join(work, 'before');
    fs.mkdirSync(dir);
    execFileSync(binBefore, ['generate', '--no-key', '-c', path.join(work, 'client.yaml'), '-o', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    before = JSON.parse(fs.readFileSync(path.join(dir, `${base}.postman_collection.json`), 'utf8'));
  }
  const oneLinePre = { listen: 'prerequest', script: { type: 'text/javascript', exec: ["pm.variables.get('bearerToken');"] } };
  const oneLineTest = { listen: 'test', script: { type: 'text/javascript', exec: ["pm.test('API answered', function () { pm.expect(pm.response.code).to.equal(200); });"] } };
  // withAPITest is the collection with the API folder's test events replaced by tests.
  const withAPITest = (c, tests) => ({ ...c, item: c.item.map((f) => (f.name === 'API' ? { ...f, event: tests } : f)) });
  if (!collection.item.some((f) => f.name === 'API' && (f.event || []).some((e) => e.listen === 'test'))) {
    throw new Error('the generated collection has no API folder test script');
  }
  const arms = {
    none: withAPITest({ ...collection, event: [] }, []),
    '1-line': withAPITest({ ...collection, event: [oneLinePre] }, [oneLineTest]),
    postmint: collection,
    'pre-only': withAPITest({ ...collection, event: [pre] }, [oneLineTest]),
  };
  if (before) arms.before = before;
  for (const [name, c] of Object.entries(arms)) {
    fs.writeFileSync(path.join(work, `${name}.json`), JSON.stringify(c));
  }
  const scriptBytes = pre.script.exec.join('\n').length + 1;

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  async function run(arm, n) {
    const spec = path.join(work, `spec-${arm}.json`);
    const report = path.join(work, `report-${arm}.json`);
    const timings = path.join(work, `timings-${arm}.json`);
    fs.writeFileSync(spec, JSON.stringify({
      newman: newmanDir, collection: path.join(work, `${arm}.json`), environment: path.join(work, 'env.json'),
      folder: 'API', iterationCount: n, report, timings,
    }));
    const before = apiHits;
    const code = await new Promise((resolve) => {
      const p = spawn(process.execPath, [runner, spec], { stdio: ['ignore', 'ignore', 'inherit'] });
      p.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`${arm}: newman exited ${code}`);
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    const s = r.run.stats;
    if (s.requests.total !== n || s.requests.failed || s.assertions.failed || s.prerequestScripts.failed || s.testScripts.failed || r.run.failures.length || apiHits - before !== n) {
      throw new Error(`${arm}: ${s.requests.total} requests (want ${n}), ${apiHits - before} reached the API, ${r.run.failures.length} failures: ${JSON.stringify(r.run.failures.slice(0, 2))}`);
    }
    const t = JSON.parse(fs.readFileSync(timings, 'utf8'));
    return { perRequest: (t.completed - t.started) / n, pre: median(t.items.map((i) => i.prerequest)), item: median(t.items.map((i) => i.total)), cpu: t.cpu / n };
  }

  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const names = Object.keys(arms);
  console.log(`== valid-token path: ${N} requests per run, --folder API, ${ROUNDS} rounds (+1 warm-up); node ${process.version}, newman ${JSON.parse(fs.readFileSync(path.join(newmanDir, 'package.json'), 'utf8')).version}, ${os.cpus().length} CPUs ==`);
  console.log(`postmint collection pre-request script: ${scriptBytes} bytes; load average at start: ${load()}`);
  for (const a of names) await run(a, Math.min(N, 20));
  const results = Object.fromEntries(names.map((a) => [a, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const a of order) results[a].push(await run(a, N));
  }
  const loadEnd = load();
  const m = (a, k) => median(results[a].map((x) => x[k]));
  console.log('arm        ms/request (rounds min..max)   pre-request ms   ms/item   minus 1-line (ms/request, pre-request)');
  for (const a of names) {
    const xs = results[a].map((x) => x.perRequest);
    console.log(`${a.padEnd(10)} ${m(a, 'perRequest').toFixed(3).padStart(7)} (${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)})`.padEnd(40) +
      `${m(a, 'pre').toFixed(3).padStart(9)}  ${m(a, 'item').toFixed(3).padStart(11)}   ${(m(a, 'perRequest') - m('1-line', 'perRequest')).toFixed(3).padStart(7)}, ${(m(a, 'pre') - m('1-line', 'pre')).toFixed(3)}`);
  }
  // The difference per round (same round, same machine state), then its median.
  const paired = (k, arm = 'postmint') => results[arm].map((x, i) => x[k] - results['1-line'][i][k]);
  for (const arm of before ? ['postmint', 'before'] : ['postmint']) {
    for (const [k, label] of [['perRequest', 'ms/request'], ['item', 'ms/item'], ['pre', 'pre-request'], ['cpu', 'CPU']]) {
      const d = paired(k, arm);
      console.log(`${arm} - 1-line, ${label.padEnd(11)} per round: median ${median(d).toFixed(3)} ms (${d.map((x) => x.toFixed(2)).join(' ')})`);
    }
  }
  // ms/request (run duration / N) takes every stall of a busy machine into the run it hits;
  // ms/item (median request of a run) does not, so the verdict reads it.
  const verdict = median(paired('item'));
  console.log(`TARGET (postmint - 1-line, pre-request and test scripts, <= 0.5 ms a request, median of per-round ms/item differences): ${verdict.toFixed(3)} ms, ${verdict <= 0.5 ? 'met' : 'MISSED'}; load average at end: ${loadEnd}`);
} finally {
  server.close();
  if (process.env.KEEP === '1') console.log(`scratch kept: ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
