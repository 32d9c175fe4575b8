#!/usr/bin/env bash
# `postmint kit` at portal scale (issues 5 and 14), as whole processes, measured with GNU time.
#
# Cases (goals are wall seconds, medians over the rounds):
#   300 defs      300 kits from 300 definition files, 4 requests each          goal <= 3 s
#   1000 openapi  1,000 kits from one --clients file whose base names an      goal <= 2 s
#                 OpenAPI document (Okta's management API, 541 operations:
#                 testdata/openapi/okta-management.yaml; OPENAPI=FILE for another)
#   3000 openapi  the same with 3,000 clients                                  goal <= 6 s
#   1000 zip      1,000 kits with --zip                                        goal <= 15 s
#
# Side by side: BEFORE=REV (a commit, e.g. BEFORE=90fb7ab) builds that revision too (git
# archive into a scratch folder) and every round runs both binaries on every case, in
# alternating order, so that both see the same machine. Each run writes into a fresh folder
# that is moved aside (not deleted) once measured, then `sync` and a 2-second pause (untimed)
# let the kernel finish with it, so that no run pays for the previous one's dirty pages. All
# output is deleted at the end.
#
# Why moved aside: on ext4 without a journal (the root filesystem of the machine this was
# measured on), the inode allocator skips every inode deleted in the last 60 s (360 s while its
# inode-table block is dirty) and checks each one it skips (fs/ext4/ialloc.c,
# recently_deleted()). Creating 5,000 files and folders right after deleting the previous run's
# then took 1.1-3.0 s of system time instead of 0.5-0.6 s (`perf record`: 37 % of the run in
# recently_deleted). That is the previous run's cost, not
# this one's. AFTER_DELETE=1 measures that case: each run's output is deleted before the next.
# It needs the space for every run's output (about 0.7 GB per 1,000 OpenAPI kits).
#
# Reported per arm and case: median wall (min..max), median user+sys CPU, peak RSS (max), bytes
# written (the kits' files), the 1-minute load average when the run started; with BEFORE, the
# ratio of the median walls. The arm "copy" is the reference: `cp -r` of the current tree's own
# output for the case (same files, same bytes, one cp per CPU as postmint has one worker per
# CPU) in the same round, i.e. what writing that output costs on this machine at that moment;
# "after - copy" is what postmint adds to it. The output of the current tree is checked to be
# byte-identical between its first two rounds (deterministic). Exits 1 when the current tree
# misses a goal.
#
# Needs: go, GNU time (/usr/bin/time; `apt-get install -y time`).
# Usage: [BEFORE=REV] [ROUNDS=3] [AFTER_DELETE=1] [CASES="300defs 1000openapi 3000openapi 1000zip"] bench/kits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "kits: GNU time (/usr/bin/time) is not installed" >&2; exit 1; }
openapi=$(realpath "${OPENAPI:-testdata/openapi/okta-management.yaml}")
rounds=${ROUNDS:-3}
cases=${CASES:-300defs 1000openapi 3000openapi 1000zip}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

arms=(after)
go build -o "$tmp/after" ./cmd/postmint
if [ -n "${BEFORE:-}" ]; then
  mkdir "$tmp/before-src"
  git archive "$BEFORE" | tar -x -C "$tmp/before-src"
  (cd "$tmp/before-src" && go build -o "$tmp/before" ./cmd/postmint)
  arms=(before after)
fi
# The reference arm: `cp -r` of the current tree's first output of the case (same files, same
# bytes), in the same slot of the same round: what writing this output costs on this machine.
arms+=(copy)

pin=()
if [ "$(nproc)" -gt 2 ] && command -v taskset >/dev/null; then
  pin=(taskset -c 0,1)
fi

# 300 definitions, 4 requests each.
mkdir -p "$tmp/defs" "$tmp/trash"
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

# N partners in one clients file sharing the OpenAPI document.
clients() {
  printf 'version: 1\nbase:\n  preset: duende\n  issuer: https://idp.example.com\n  scope: api.read\n  openapi: %s\nclients:\n' "$openapi"
  for i in $(seq -w 0 $(($1 - 1))); do
    printf '  - name: Partner %s\n    client_id: partner-%s\n    kid: partner-%s-key\n    alg: ES256\n' "$i" "$i" "$i"
  done
}
clients 1000 >"$tmp/clients1000.yaml"
clients 3000 >"$tmp/clients3000.yaml"

args() {
  case $1 in
  300defs) echo "$tmp"/defs/*.yaml ;;
  1000openapi) echo "--clients $tmp/clients1000.yaml" ;;
  3000openapi) echo "--clients $tmp/clients3000.yaml" ;;
  1000zip) echo "--zip --clients $tmp/clients1000.yaml" ;;
  *) echo "kits: unknown case $1" >&2; exit 1 ;;
  esac
}
goal() {
  case $1 in 300defs) echo 3 ;; 1000openapi) echo 2 ;; 3000openapi) echo 6 ;; 1000zip) echo 15 ;; esac
}

# run ARM CASE ROUND: one measured run; appends "arm case wall cpu rss_kb bytes load kits" to results.
run() {
  local arm=$1 case=$2 round=$3 out="$tmp/out-$1-$2-$3" load
  load=$(cut -d' ' -f1 /proc/loadavg)
  local cmd
  if [ "$arm" = copy ]; then
    # as many cp processes as postmint has workers (one per CPU), 64 kits each
    cmd=(bash -c 'mkdir "$2" && find "$1" -mindepth 1 -maxdepth 1 -print0 | xargs -0 -n 64 -P "$(nproc)" cp -r -t "$2"' copy "$tmp/src-$case" "$out")
  else
    # shellcheck disable=SC2046
    cmd=("$tmp/$arm" kit -o "$out" $(args "$case"))
  fi
  "${pin[@]}" /usr/bin/time -f '%e %U %S %M' -o "$tmp/time.txt" "${cmd[@]}" >"$tmp/stdout.txt" 2>"$tmp/stderr.txt" || {
    echo "kits: $arm $case failed:" >&2
    cat "$tmp/stderr.txt" >&2
    exit 1
  }
  local wall user sys rss bytes kits
  read -r wall user sys rss <"$tmp/time.txt"
  bytes=$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  kits=$(wc -l <"$tmp/stdout.txt")
  [ "$arm" = copy ] && kits=$(find "$out" -mindepth 1 -maxdepth 1 | wc -l)
  if [ "$arm" = after ] && [ "$round" -le 2 ] && [ "$case" != 300defs ]; then
    (cd "$out" && find . -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16) >"$tmp/sum-$case-$round"
  fi
  if [ "$arm" = after ] && [ ! -e "$tmp/src-$case" ]; then
    mv "$out" "$tmp/src-$case" # the copy arm's source
  elif [ "${AFTER_DELETE:-0}" = 1 ]; then
    rm -rf "$out"
  else
    mv "$out" "$tmp/trash/"
  fi
  sync
  sleep 2
  echo "$arm $case $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss $bytes $load $kits" >>"$tmp/results"
}

echo "postmint kit on $(nproc) CPUs${pin:+ (pinned to 2)}; OpenAPI: $openapi; $rounds rounds; arms: ${arms[*]}${BEFORE:+ (before = $BEFORE)}"
echo "uptime at start: $(uptime)"
echo "outputs: $([ "${AFTER_DELETE:-0}" = 1 ] && echo "deleted after each run (AFTER_DELETE=1)" || echo "moved aside after each run, deleted at the end")"
: >"$tmp/results"
for r in $(seq "$rounds"); do
  for c in $cases; do
    if [ $((r % 2)) = 1 ]; then order=("${arms[@]}"); else order=(); for ((i = ${#arms[@]} - 1; i >= 0; i--)); do order+=("${arms[i]}"); done; fi
    for a in "${order[@]}"; do run "$a" "$c" "$r"; done
  done
done
echo "uptime at end:   $(uptime)"

status=0
printf '%-12s %-7s %5s %16s %10s %9s %10s %12s  %s\n' case arm kits "wall s (range)" "cpu s" "RSS MB" "MB written" "load (1 min)" verdict
for c in $cases; do
  declare -A med=()
  for a in "${arms[@]}"; do
    line=$(awk -v a="$a" -v c="$c" '$1 == a && $2 == c' "$tmp/results" | node -e '
      const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => l.split(" "));
      const med = (i) => { const xs = rows.map((r) => Number(r[i])).sort((x, y) => x - y); const m = xs.length >> 1; return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2; };
      const col = (i) => rows.map((r) => Number(r[i]));
      console.log([med(2).toFixed(2), Math.min(...col(2)).toFixed(2), Math.max(...col(2)).toFixed(2), med(3).toFixed(2),
        Math.round(Math.max(...col(4)) / 1024), Math.round(med(5) / 1e6), rows.map((r) => r[6]).join(","), rows[0][7]].join(" "));')
    read -r wall lo hi cpu rss mb loads kits <<<"$line"
    med[$a]=$wall
    verdict=
    if [ "$a" = after ]; then
      verdict=ok
      if awk -v s="$wall" -v g="$(goal "$c")" 'BEGIN { exit !(s > g) }'; then verdict="MISSED (goal <= $(goal "$c") s)"; status=1; fi
    fi
    printf '%-12s %-7s %5d %5s (%s..%s) %10s %9s %10s %12s  %s\n' "$c" "$a" "$kits" "$wall" "$lo" "$hi" "$cpu" "$rss" "$mb" "$loads" "$verdict"
  done
  echo "$c: postmint beyond writing its output (after - copy) = $(awk -v a="${med[after]}" -v b="${med[copy]}" 'BEGIN { printf "%.2f s", a - b }')"
  if [ -n "${med[before]:-}" ]; then
    echo "$c: wall after/before = $(awk -v a="${med[after]}" -v b="${med[before]}" 'BEGIN { printf "%.2f", a / b }')"
  fi
  if [ -f "$tmp/sum-$c-1" ] && [ -f "$tmp/sum-$c-2" ]; then
    if cmp -s "$tmp/sum-$c-1" "$tmp/sum-$c-2"; then echo "$c: output deterministic (rounds 1 and 2 byte-identical)"; else echo "$c: OUTPUT DIFFERS between rounds 1 and 2"; status=1; fi
  fi
  unset med
done
exit $status
