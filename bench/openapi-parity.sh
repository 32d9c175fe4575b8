#!/usr/bin/env bash
# Postman's converter side by side with postmint on the 22 real OpenAPI documents in
# ../shared/reference/openapi-corpus: writes testdata/openapi/parity/<document>.json (what the
# converter's collection has, per request; the Go test TestCorpusParity checks that postmint's
# has it too) and prints each tool's time per document.
#
#   bash bench/openapi-parity.sh
#
# Needs node and npm (openapi-to-postmanv2 6.3.3 is installed into a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/reference/openapi-corpus
out=testdata/openapi/parity
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund openapi-to-postmanv2@6.3.3 >/dev/null)
cp bench/openapi-parity/convert.cjs "$work/"
go build -o "$work/postmint" ./cmd/postmint
mkdir -p "$out"
echo "load: $(uptime | sed 's/.*load average: //')"
printf '%-34s %12s %12s\n' document converter-ms postmint-ms
for doc in "$corpus"/*; do
  name=$(basename "$doc")
  case $name in SOURCES.md) continue ;; esac
  if [ -d "$doc" ]; then
    root="$doc/$(cat "$doc/.entry")"
    line=$(node "$work/convert.cjs" "$(realpath "$root")" "$out/$name.json" "$(realpath "$doc")" 2>/dev/null)
  else
    root=$doc
    line=$(node "$work/convert.cjs" "$(realpath "$root")" "$out/${name%.*}.json" 2>/dev/null)
  fi
  conv=$(echo "$line" | sed 's/.*"ms":\([0-9]*\).*/\1/')
  printf 'version: 1\nname: Parity\nclient_id: c\nalg: ES256\ntoken_url: https://idp.example.com/token\nopenapi: %s\n' "$(realpath "$root")" > "$work/def.yaml"
  start=$(date +%s%N)
  "$work/postmint" generate -c "$work/def.yaml" --no-key -o "$work/gen" >/dev/null 2>&1 || echo "postmint failed on $name"
  pm=$(( ($(date +%s%N) - start) / 1000000 ))
  printf '%-34s %12s %12s\n' "$name" "$conv" "$pm"
done
