#!/usr/bin/env bash
# The OpenAPI reader decision of issue 20 (docs/architecture.md), measured again: each
# candidate library reads the 22 documents of ../shared/reference/openapi-corpus; prints what
# it read (operations, or its error), the time, each program's build time and binary size, and
# postmint's binary size. The programs are modules of their own (bench/openapi-readers/*), so
# postmint's go.mod never sees these libraries.
#
#   bash bench/openapi-readers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(realpath ../shared/reference/openapi-corpus)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
docs=()
for doc in "$corpus"/*; do
  case $doc in *.md) continue ;; esac
  if [ -d "$doc" ]; then docs+=("$doc/$(cat "$doc/.entry")"); else docs+=("$doc"); fi
done
echo "load: $(uptime | sed 's/.*load average: //')"
for lib in libopenapi kinopenapi; do
  start=$(date +%s)
  (cd bench/openapi-readers/$lib && go build -o "$work/$lib" .)
  echo "== $lib (build $(( $(date +%s) - start )) s, binary $(stat -c %s "$work/$lib") bytes)"
  "$work/$lib" "${docs[@]}" 2>&1 | grep -v '"level":"ERROR"' | sed "s|$corpus/||"
done
go build -o "$work/postmint" ./cmd/postmint
echo "== postmint binary $(stat -c %s "$work/postmint") bytes; its reader: go test ./generator/openapi -run TestCorpus -v"
