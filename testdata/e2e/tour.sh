#!/usr/bin/env bash
# A five-minute local tour of postmint, with no account at any provider:
#
#   npm ci --prefix testdata/e2e        # once: the test provider and Newman (needs Node 20+)
#   bash testdata/e2e/tour.sh [DIR]     # from the repository root
#
# It makes a fresh ES256 key pair with `postmint keygen`, starts the test OpenID provider
# (testdata/e2e/server.mjs: oidc-provider on 127.0.0.1, a free port) with a client "tour"
# registered for that key and a protected API, writes a client definition for it, prints the
# next two commands (postmint generate, newman run) and serves until Ctrl-C.
# DIR (default: a new temporary folder) receives the key, the definition and the files you
# generate. POSTMINT names the postmint binary to use (default: one built into DIR/bin).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -e testdata/e2e/node_modules/oidc-provider/package.json ]]; then
  echo "tour.sh: the test provider is not installed: run npm ci --prefix testdata/e2e (needs Node 20+)" >&2
  exit 1
fi
dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/postmint-tour.XXXXXX")}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pm=${POSTMINT:-}
if [[ -z "$pm" ]]; then
  echo "Building postmint: go build -o $dir/bin/postmint ./cmd/postmint" >&2
  go build -o "$dir/bin/postmint" ./cmd/postmint
  pm=$dir/bin/postmint
fi

echo "Making a key pair: $pm keygen --alg ES256 --kid tour-1 --name tour -o $dir" >&2
$pm keygen --alg ES256 --kid tour-1 --name tour -o "$dir" --force >/dev/null

# The provider's client registry: one client whose public key is the JWKS keygen wrote.
node -e '
const fs = require("fs");
const [jwks, out] = process.argv.slice(1);
const client = { client_id: "tour", alg: "ES256", audience: "token_endpoint", scope: "api.read",
  jwks: JSON.parse(fs.readFileSync(jwks, "utf8")) };
fs.writeFileSync(out, JSON.stringify({ clients: [client] }, null, 2) + "\n");
' "$dir/tour.jwks.json" "$dir/provider.json"

: > "$dir/provider.out"
node testdata/e2e/server.mjs "$dir/provider.json" < /dev/null > "$dir/provider.out" 2> "$dir/provider.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
trap 'exit 0' INT TERM
for _ in $(seq 300); do
  [[ -s "$dir/provider.out" ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "tour.sh: the test provider did not start:" >&2
    cat "$dir/provider.log" >&2
    exit 1
  fi
  sleep 0.1
done
read -r issuer token api < <(node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]);
console.log(d.issuer, d.token_endpoint, d.api);
' "$dir/provider.out")

cat > "$dir/tour.yaml" <<YAML
# The client the tour's provider knows: written by testdata/e2e/tour.sh.
version: 1
name: Tour
issuer: $issuer
token_url: $token
client_id: tour
alg: ES256
kid: tour-1
scope: api.read
key: tour.key.pem
requests:
  - name: Who am I
    url: $api
YAML

cat <<TEXT
The test provider is running at $issuer with the client "tour", registered for the key
$dir/tour.key.pem. Its definition is $dir/tour.yaml.

Next, in another terminal in $PWD:

  $pm generate -c $dir/tour.yaml -o $dir/postman
  testdata/e2e/node_modules/.bin/newman run $dir/postman/tour.postman_collection.json -e $dir/postman/tour.postman_environment.json

The first writes the collection and the environment; the second runs them: Auth / Get token
signs an assertion and gets a token, API / Who am I calls the API with it. You can also import
both files into Postman (File > Import) and press Send. "$pm doctor -c $dir/tour.yaml" checks
every step, the server's metadata included. Ctrl-C stops the provider.
TEXT
wait "$server"
