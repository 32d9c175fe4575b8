// node run.js JOB.json: runs a postmint collection in postman-runtime, the open-source
// collection runner of the Postman app, with a Postman Vault as the app gives it (a
// VariableScope with prefix "vault:", keys "vault:<name>", and _.allowScriptAccess), and prints
// one JSON report on stdout. Test-only (postmint's cmd/postmint vault tests drive it).
//
// JOB: { collection, environment (paths), folders: [names], vault: {name: value},
//        scriptAccess: true|false }
// Report: { requests: [{item, method, url, code, headers, body}], assertions: [{item, name,
//           error}], errors: [text], console: [text], environment: [{key, value}],
//           vault: {name: value} }
'use strict';
const fs = require('fs');
const runtime = require('postman-runtime');
const sdk = require('postman-collection');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const collection = new sdk.Collection(JSON.parse(fs.readFileSync(job.collection, 'utf8')));
const environment = new sdk.VariableScope(JSON.parse(fs.readFileSync(job.environment, 'utf8')));
const vault = new sdk.VariableScope({
    prefix: 'vault:',
    values: Object.entries(job.vault || {}).map(([name, value]) => ({ key: 'vault:' + name, value, type: 'secret' })),
});
vault._ = { allowScriptAccess: async () => job.scriptAccess !== false };

const report = { requests: [], assertions: [], errors: [], console: [] };
const itemName = (cursor, item) => (item && item.name) || (cursor && cursor.ref) || '';

new runtime.Runner().run(collection, {
    environment,
    vaultSecrets: vault,
    entrypoint: job.folders && job.folders.length ? { execute: job.folders, lookupStrategy: 'multipleIdOrName' } : undefined,
    requester: { strictSSL: true },
    script: { serializeLogs: false },
}, (err, run) => {
    if (err) {
        console.error('postman-runtime: ' + err.message);
        process.exit(2);
    }
    run.start({
        request(err, cursor, response, request, item) {
            report.requests.push({
                item: itemName(cursor, item),
                method: request && request.method,
                url: request && request.url.toString(),
                code: response ? response.code : 0,
                headers: request ? request.headers.toObject() : {},
                body: request && request.body ? String(request.body.toString()) : '',
                error: err ? String(err.message || err) : '',
            });
        },
        assertion(cursor, assertions) {
            for (const a of assertions) {
                report.assertions.push({ name: a.name, error: a.error ? String(a.error.message || a.error) : '', skipped: !!a.skipped });
            }
        },
        exception(cursor, err) {
            report.errors.push(String(err && (err.message || err)));
        },
        console(cursor, level, ...args) {
            report.console.push(args.map(String).join(' '));
        },
        done(err) {
            if (err) {
                report.errors.push(String(err.message || err));
            }
            report.environment = environment.values.map((v) => ({ key: v.key, value: String(v.value) }));
            report.vault = Object.fromEntries(vault.values.map((v) => [v.key.replace(/^vault:/, ''), String(v.value)]));
            process.stdout.write(JSON.stringify(report));
        },
    });
});
