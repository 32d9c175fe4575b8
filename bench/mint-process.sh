#!/usr/bin/env bash
# `postmint mint` (RS256, 2048-bit key) and `postmint generate` (one client) as whole processes,
# start-up included, measured with hyperfine. Goals (issue 3): mint under 15 ms, generate under
# 50 ms. Exits 1 when a goal is missed.
#
# Needs: go and hyperfine (`apt-get install -y hyperfine` on Debian/Ubuntu).
# Usage: bench/mint-process.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
for tool in go node hyperfine; do
  command -v "$tool" >/dev/null || { echo "mint-process: $tool is not installed" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/postmint" ./cmd/postmint
def=testdata/definitions/duende.yaml
key=testdata/keys/rsa2048.pkcs8.pem
mint_cmd="$tmp/postmint mint -c $def -k $key"
gen_cmd="$tmp/postmint generate -c $def -k $key -o $tmp/out"
echo "mint:     $mint_cmd"
echo "generate: $gen_cmd"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$tmp/result.json" \
  -n 'postmint mint (RS256-2048)' "$mint_cmd" \
  -n 'postmint generate (1 client)' "$gen_cmd"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
let ok = true;
for (const [res, goal] of [[r[0], 15], [r[1], 50]]) {
  const mean = res.mean * 1000, median = res.median * 1000;
  const pass = median < goal;
  ok = ok && pass;
  console.log(res.command + ": mean " + mean.toFixed(2) + " ms, median " + median.toFixed(2) + " ms (goal < " + goal + " ms): " + (pass ? "ok" : "MISSED"));
}
process.exit(ok ? 0 : 1);
' "$tmp/result.json"
