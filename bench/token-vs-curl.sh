#!/usr/bin/env bash
# `postmint token` against the local e2e OpenID provider, side by side in ONE hyperfine run with
# a bare HTTP POST (curl) of the same token request form carrying a pre-minted assertion.
# The goal (issue 3): postmint token adds at most 20 % over the bare POST.
#
# Each curl run posts a freshly minted assertion (a new jti: the provider refuses replays): the
# form is minted by hyperfine's --prepare step, which is not timed. Both commands run without a
# shell (-N) and must succeed every time (hyperfine stops on a non-zero exit).
#
# Needs: go, node 20+ with `npm ci --prefix testdata/e2e` done, curl, and hyperfine
# (`apt-get install -y hyperfine` on Debian/Ubuntu). Usage: bench/token-vs-curl.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
for tool in go node curl hyperfine; do
  command -v "$tool" >/dev/null || { echo "token-vs-curl: $tool is not installed" >&2; exit 1; }
done
[ -d testdata/e2e/node_modules/oidc-provider ] || { echo "token-vs-curl: run npm ci --prefix testdata/e2e" >&2; exit 1; }

tmp=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/postmint" ./cmd/postmint
key=$PWD/testdata/keys/rsa2048.pkcs8.pem
node bench/e2e-config.mjs bench-client RS256 "$key" >"$tmp/config.json"
node testdata/e2e/server.mjs "$tmp/config.json" >"$tmp/urls.json" 2>"$tmp/server.log" </dev/null &
server=$!
for _ in $(seq 100); do
  [ -s "$tmp/urls.json" ] && break
  sleep 0.1
done
[ -s "$tmp/urls.json" ] || { echo "token-vs-curl: the provider did not start:" >&2; cat "$tmp/server.log" >&2; exit 1; }
url() { node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]])' "$tmp/urls.json" "$1"; }
token_url=$(url token_endpoint)
stats_url=$(url stats)

cat >"$tmp/client.yaml" <<YAML
version: 1
name: Bench Client
client_id: bench-client
token_url: $token_url
alg: RS256
kid: bench-kid
YAML
# The form postmint token sends for this definition (assertion.Profile.FormFields: grant_type,
# client_id, client_assertion_type, client_assertion), with an assertion minted just before.
cat >"$tmp/prepare.sh" <<SH
set -e
a=\$("$tmp/postmint" mint -c "$tmp/client.yaml" -k "$key")
printf 'grant_type=client_credentials&client_id=bench-client&client_assertion_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3Ajwt-bearer&client_assertion=%s' "\$a" >"$tmp/form"
SH

# Both work before anything is timed.
"$tmp/postmint" token -c "$tmp/client.yaml" -k "$key" >/dev/null
bash "$tmp/prepare.sh"
curl -sSf -d @"$tmp/form" "$token_url" | grep -q access_token

postmint_cmd="$tmp/postmint token -c $tmp/client.yaml -k $key"
curl_cmd="curl -sSf -o /dev/null -d @$tmp/form $token_url"
echo "postmint: $postmint_cmd"
echo "curl:     $curl_cmd   (prepare: mint a fresh assertion into $tmp/form)"
hyperfine -N --warmup 5 --runs "$runs" \
  --export-json "$tmp/result.json" \
  --prepare 'true' --prepare "bash $tmp/prepare.sh" \
  -n 'postmint token' "$postmint_cmd" \
  -n 'curl POST (pre-minted)' "$curl_cmd"

node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
const [p, c] = r;
const ms = (s) => (s * 1000).toFixed(2) + " ms";
console.log("postmint token: mean " + ms(p.mean) + ", median " + ms(p.median) + " (± " + ms(p.stddev) + ")");
console.log("curl POST:      mean " + ms(c.mean) + ", median " + ms(c.median) + " (± " + ms(c.stddev) + ")");
const ratio = p.mean / c.mean, ratioMed = p.median / c.median;
console.log("ratio postmint/curl: " + ratio.toFixed(3) + " by mean, " + ratioMed.toFixed(3) + " by median; overhead " + ((ratioMed - 1) * 100).toFixed(1) + " % (goal: at most 20 %)");
' "$tmp/result.json"
echo "tokens issued by the provider: $(curl -s "$stats_url" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tokens_issued["bench-client"]))')"
