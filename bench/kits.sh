#!/usr/bin/env bash
# `postmint kit` at portal scale (issue 5), as whole processes, measured with GNU time:
#   1. 300 kits from 300 definition files, each with a handful of requests: goal < 3 s wall.
#   2. 1,000 kits from one --clients file whose base names an OpenAPI document: goal < 15 s
#      wall. The document is Okta's management API (testdata/openapi/okta-management.yaml,
#      541 operations, more than the ~300 the goal names); set OPENAPI=FILE to use another.
#   3. The same 1,000 kits with --zip.
# Wall time and peak memory (maximum RSS) are printed for each. With more than 2 CPUs the runs
# are pinned to 2 (taskset), the size the goals are set for. Exits 1 when a goal is missed.
#
# Needs: go, GNU time (/usr/bin/time; `apt-get install -y time`).
# Usage: bench/kits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "kits: GNU time (/usr/bin/time) is not installed" >&2; exit 1; }
openapi=$(realpath "${OPENAPI:-testdata/openapi/okta-management.yaml}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/postmint" ./cmd/postmint

pin=()
if [ "$(nproc)" -gt 2 ] && command -v taskset >/dev/null; then
  pin=(taskset -c 0,1)
fi

# 300 definitions, 4 requests each.
mkdir -p "$tmp/defs"
for i in $(seq -w 0 299); do
  cat >"$tmp/defs/p$i.yaml" <<EOF
version: 1
name: Partner $i
preset: duende
issuer: https://idp.example.com
client_id: partner-$i
alg: RS256
scope: orders.read
requests:
  - name: List orders
    url: https://api.example.com/orders
  - name: Get an order
    url: https://api.example.com/orders/o-1
  - name: Create an order
    method: POST
    url: https://api.example.com/orders
    headers: {Content-Type: application/json}
    body: '{"sku": "A-1", "quantity": 2}'
  - name: Cancel an order
    method: DELETE
    url: https://api.example.com/orders/o-1
EOF
done

# 1,000 partners in one clients file sharing the OpenAPI document.
{
  printf 'version: 1\nbase:\n  preset: duende\n  issuer: https://idp.example.com\n  scope: api.read\n  openapi: %s\nclients:\n' "$openapi"
  for i in $(seq -w 0 999); do
    printf '  - name: Partner %s\n    client_id: partner-%s\n    kid: partner-%s-key\n    alg: ES256\n' "$i" "$i" "$i"
  done
} >"$tmp/clients.yaml"

status=0
# run NAME GOAL_SECONDS ARGS...: one measured run, kits written to a fresh folder.
run() {
  local name=$1 goal=$2
  shift 2
  rm -rf "$tmp/out"
  "${pin[@]}" /usr/bin/time -v -o "$tmp/time.txt" "$tmp/postmint" kit -o "$tmp/out" "$@" >"$tmp/stdout.txt" 2>"$tmp/stderr.txt" || {
    echo "kits: $name failed:" >&2
    cat "$tmp/stderr.txt" >&2
    exit 1
  }
  local wall rss secs kits size
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
  secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  kits=$(wc -l <"$tmp/stdout.txt")
  size=$(du -sh "$tmp/out" | cut -f1)
  local verdict=ok
  if awk -v s="$secs" -v g="$goal" 'BEGIN { exit !(s >= g) }'; then
    verdict="MISSED (goal < ${goal}s)"
    status=1
  fi
  printf '%-44s %5d kits  %7.2f s wall  %6d MB peak RSS  %6s written  %s\n' "$name" "$kits" "$secs" $((rss / 1024)) "$size" "$verdict"
}

echo "postmint kit on $(nproc) CPUs${pin:+ (pinned to 2)}; OpenAPI: $openapi"
run "300 definitions x 4 requests" 3 "$tmp"/defs/*.yaml
run "1000 clients, OpenAPI document (folders)" 15 --clients "$tmp/clients.yaml"
run "1000 clients, OpenAPI document (--zip)" 15 --zip --clients "$tmp/clients.yaml"
exit $status
