#!/usr/bin/env bash
# bench/dpop-cost.sh: what a DPoP proof (ES256) adds to an API request in Newman, side by side
# with the same collection without DPoP (issue 11). See bench/dpop-cost.mjs.
#
#   bash bench/dpop-cost.sh [N] [ROUNDS]     # defaults: 200 requests per run, 7 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/postmint" ./cmd/postmint
echo "uptime: $(uptime)"
node bench/dpop-cost.mjs "$tmp/postmint" "${1:-200}" "${2:-7}"
