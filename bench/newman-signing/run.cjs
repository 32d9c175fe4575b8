// One Newman run for bench/newman-signing: the same newman.run() the newman CLI calls, plus
// per-request timestamps from its run events, which the JSON reporter does not record.
//
//   node run.cjs SPEC.json
//
// SPEC: { newman: <dir of the newman package>, collection, environment, globals?, iterationData?,
//         folder?, iterationCount, report: <JSON reporter output>, timings: <output> }
//
// timings output: { started, completed (ms, the JSON reporter's run.timings),
//                   cpu (ms, user + system CPU of this process from newman.run() to done:
//                        Newman's sandbox runs the scripts in this process; the provider is
//                        another one),
//                   items: [{ total, prerequest, request, test }] (ms, one per request) }
// where total runs from beforeItem to item, prerequest covers all the request's pre-request
// scripts (collection and item level), request the HTTP exchange, test the test scripts.
'use strict';

const fs = require('node:fs');

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const newman = require(spec.newman);

const options = {
  collection: spec.collection,
  environment: spec.environment,
  iterationCount: spec.iterationCount,
  reporters: ['json'],
  reporter: { json: { export: spec.report } },
  timeoutRequest: 10000,
  timeoutScript: 10000,
  color: 'off',
  disableUnicode: true,
};
if (spec.globals) options.globals = spec.globals;
if (spec.iterationData) options.iterationData = spec.iterationData;
if (spec.folder) options.folder = spec.folder;

const ms = (a, b) => (a === undefined || b === undefined ? null : Number(b - a) / 1e6);
const now = () => process.hrtime.bigint();
const items = [];
let t = {};
const cpu0 = process.cpuUsage();

newman.run(options)
  .on('beforeItem', () => { t = { item: now() }; })
  .on('beforePrerequest', () => { t.pre = now(); })
  .on('prerequest', () => { t.preEnd = now(); })
  .on('beforeRequest', () => { t.req = now(); })
  .on('request', () => { t.reqEnd = now(); })
  .on('beforeTest', () => { t.test = now(); })
  .on('test', () => { t.testEnd = now(); })
  .on('item', () => {
    const end = now();
    items.push({
      total: ms(t.item, end),
      prerequest: ms(t.pre, t.preEnd),
      request: ms(t.req, t.reqEnd),
      test: ms(t.test, t.testEnd),
    });
  })
  .on('done', (err, summary) => {
    if (err) {
      process.stderr.write(`newman: ${err.stack || err}\n`);
      process.exitCode = 2;
      return;
    }
    const cpu = process.cpuUsage(cpu0);
    fs.writeFileSync(spec.timings, JSON.stringify({
      cpu: (cpu.user + cpu.system) / 1000,
      started: summary.run.timings.started,
      completed: summary.run.timings.completed,
      items,
    }));
  });
