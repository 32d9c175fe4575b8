// Runs many collections in Newman 6 in one node process (a Newman launch costs a second or
// more; a run in process, a few milliseconds), for tests that need dozens of runs.
//
//   node testdata/e2e/newman-batch.mjs RUNS.json
//
// RUNS.json is [{"collection": PATH, "environment": PATH, "folder": NAME}, ...]. Prints one
// JSON array with, per run, its failures ("<item>: <test or error>: <message>") and whether
// Newman would have exited non-zero. Runs one after another, in order.

import fs from 'node:fs';

let newman;
try {
  ({ default: newman } = await import('newman'));
} catch (err) {
  process.stderr.write(`newman-batch.mjs: cannot load newman (${err.code || err.message}); run npm ci --prefix testdata/e2e\n`);
  process.exit(2);
}

const runs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

function runOne(r) {
  return new Promise((resolve) => {
    const options = {
      collection: JSON.parse(fs.readFileSync(r.collection, 'utf8')),
      environment: r.environment ? JSON.parse(fs.readFileSync(r.environment, 'utf8')) : undefined,
      reporters: [],
      timeoutRequest: 10000,
      timeoutScript: 10000,
    };
    if (r.folder) {
      options.folder = r.folder;
    }
    newman.run(options, (err, summary) => {
      if (err) {
        resolve({ failures: [`run error: ${err.message}`], failed: true });
        return;
      }
      const failures = summary.run.failures.map((f) => {
        const where = f.source && f.source.name ? `${f.source.name}: ` : '';
        const test = f.error && f.error.test ? `${f.error.test}: ` : '';
        return `${where}${test}${f.error ? f.error.message : ''}`;
      });
      resolve({ failures, failed: failures.length > 0 || !!summary.run.error });
    });
  });
}

const out = [];
for (const r of runs) {
  out.push(await runOne(r));
}
process.stdout.write(JSON.stringify(out));
