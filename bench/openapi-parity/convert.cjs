// Postman's converter (openapi-to-postmanv2, defaults) on one document of the corpus, summed
// up as the parity test reads it: per request (METHOD /path/{template}), the path variables,
// query parameter names and whether it has a JSON body.
//
//   node convert.cjs ROOT OUT.json [FOLDER]
//
// ROOT is the document (for a split spec its root file, and FOLDER the folder of its files:
// they are bundled with the converter's own bundle() first). Prints one JSON line: ok, ms.
'use strict';
const fs = require('fs');
const path = require('path');
const Converter = require('openapi-to-postmanv2');

const [file, out, folder] = process.argv.slice(2);
const t0 = process.hrtime.bigint();

// template writes a converter path segment as the document's template: :id and {{id}} as {id}.
function template(seg) {
  if (typeof seg !== 'string') seg = String(seg.value || '');
  if (seg.startsWith(':')) return '{' + seg.slice(1) + '}';
  return seg.replace(/\{\{([^{}]+)\}\}/g, '{$1}');
}

function summary(coll) {
  const requests = {};
  (function walk(items) {
    for (const it of items || []) {
      if (it.item) { walk(it.item); continue; }
      const r = it.request, u = r.url || {};
      const segs = (u.path || []).map(template);
      const key = String(r.method).toUpperCase() + ' /' + segs.join('/');
      const vars = new Set((u.variable || []).map((v) => v.key));
      for (const s of segs) for (const m of s.matchAll(/\{([^{}]+)\}/g)) vars.add(m[1]);
      const body = r.body || {};
      const json = body.mode === 'raw' && ((body.options || {}).raw || {}).language === 'json';
      requests[key] = {path: [...vars].sort(), query: [...new Set((u.query || []).map((q) => q.key))].sort(), json};
    }
  })(coll.item);
  return {count: Object.keys(requests).length, requests};
}

function done(err, res) {
  const ms = Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
  if (err || !res || !res.result) {
    const reason = String(err || (res && res.reason));
    fs.writeFileSync(out, JSON.stringify({failed: reason}, null, 1) + '\n');
    console.log(JSON.stringify({file: path.basename(out), ok: false, ms, reason}));
    return;
  }
  fs.writeFileSync(out, JSON.stringify(summary(res.output[0].data), null, 1) + '\n');
  console.log(JSON.stringify({file: path.basename(out), ok: true, ms}));
}

if (!folder) {
  Converter.convert({type: 'string', data: fs.readFileSync(file, 'utf8')}, {}, done);
} else {
  const data = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(e.name)) data.push({path: path.relative(folder, p), content: fs.readFileSync(p, 'utf8')});
    }
  })(folder);
  const m = fs.readFileSync(file, 'utf8').match(/^\s*"?(swagger|openapi)"?\s*:\s*["']?([0-9.]+)/m);
  const version = m && m[1] === 'swagger' ? '2.0' : (m && m[2].startsWith('3.1') ? '3.1' : '3.0');
  Converter.bundle({type: 'multiFile', specificationVersion: version, rootFiles: [{path: path.relative(folder, file)}], data, options: {}, bundleFormat: 'JSON'})
    .then((res) => {
      if (!res.result) return done(new Error(String(res.reason)));
      Converter.convert({type: 'string', data: res.output.data[0].bundledContent}, {}, done);
    }, done);
}
