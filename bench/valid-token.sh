#!/usr/bin/env bash
# bench/valid-token.sh: the collection-level script's cost on API requests with a valid token,
# side by side in one run with a one-line-script copy and a no-script copy of the same
# collection (issue 14, target 2). See bench/valid-token.mjs for what is measured.
#
#   bash bench/valid-token.sh [N] [ROUNDS]        # defaults: 200 requests per run, 9 rounds
#   BEFORE=REV bash bench/valid-token.sh          # adds the arm before: revision REV's collection, same rounds
#
# Needs Go, Node 20+ and `npm ci --prefix testdata/e2e`. No network: the API is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/postmint" ./cmd/postmint
echo "uptime: $(uptime)"
before=()
if [ -n "${BEFORE:-}" ]; then
  mkdir "$tmp/before-src"
  git archive "$BEFORE" | tar -x -C "$tmp/before-src"
  (cd "$tmp/before-src" && go build -o "$tmp/postmint-before" ./cmd/postmint)
  before=("$tmp/postmint-before")
  echo "-- with the arm before: the collection of $BEFORE, in the same rounds --"
fi
node bench/valid-token.mjs "$tmp/postmint" "${1:-200}" "${2:-9}" "${before[@]}"
echo "uptime: $(uptime)"
