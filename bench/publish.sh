#!/usr/bin/env bash
# Times the publish of a small incremental register (the first 100
# agreements of the profile sent again; SINERGI_BENCH_COUNT=20
# SINERGI_BENCH_PICK=SIN-6409- sends the first 20 whose id starts so, one
# kabupaten's: an office's corrections) with two sinergi binaries on one
# database loaded once — the A/B of bench/README.md's "Incremental
# publication" sections.
#
#   bench/publish.sh PROFILE BEFORE_BINARY AFTER_BINARY [ROUNDS]
#
# The first run generates the profile's data (bin/generate) and loads
# regions, IDM and the whole register into var/publish-<profile> with
# BEFORE_BINARY (kept for later runs; delete the directory to start again).
# Then ROUNDS loads of the incremental register with BEFORE_BINARY, then
# ROUNDS with AFTER_BINARY (not alternating: a binary older than the base +
# delta generations misreads a delta generation, which a newer one may
# publish), at SINERGI_LOG_LEVEL=debug, and prints each load's
# wall time, the CPU time the ClickHouse server spent on it (utime + stime,
# steadier than the wall clock on a shared machine), the refresh's time,
# the load average, and the time of every
# rebuild statement (binaries that log them: "rebuild statement"). Both
# binaries must want the same schema version. At the end AFTER_BINARY
# rebuilds every snapshot whole (sinergi etl rebuild), so that the next
# run's BEFORE_BINARY reads a whole generation. Everything it starts, it
# stops. SINERGI_BENCH_ADDR (default 127.0.0.1:18091) is where its server
# listens: another engineer's run on the same machine needs another one.
set -euo pipefail
profile=${1:?profile: small or national}
before=$(realpath "${2:?before binary}")
after=$(realpath "${3:?after binary}")
rounds=${4:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/var/publish-$profile
data=$work/data
mkdir -p "$work" "$root/bin"
cd "$root"
export SINERGI_DATA_DIR=$work/var SINERGI_HTTP_ADDR=${SINERGI_BENCH_ADDR:-127.0.0.1:18091} SINERGI_LOG_LEVEL=warn SINERGI_AUTH_ANONYMOUS_READ=on

serve_pid=""
trap '[ -n "$serve_pid" ] && { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }' EXIT
start_serve() {
  # serve keeps the managed ClickHouse up between the loads.
  "$before" serve > "$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 120); do curl -sf "http://$SINERGI_HTTP_ADDR/readyz" >/dev/null && return; sleep 1; done
  echo "serve did not start: $work/serve.log"; exit 1
}

if [ ! -f "$work/loaded" ]; then
  go build -o bin/generate ./bench/generate
  [ -f "$data/MANIFEST.txt" ] || bin/generate --profile "$profile" --out "$data"
  rm -rf "$SINERGI_DATA_DIR"
  "$before" migrate
  start_serve
  "$before" etl load regions "$data/wilayah.csv" | tail -n 1
  "$before" etl load idm "$data"/idm_*.csv | tail -n 1
  t0=$(date +%s)
  "$before" etl load register "$data"/register/*.csv | tail -n 1
  echo "whole register loaded in $(( $(date +%s) - t0 )) s"
  touch "$work/loaded"
else
  start_serve
fi

count=${SINERGI_BENCH_COUNT:-100} pick=${SINERGI_BENCH_PICK:-}
inc=$work/incremental-$count$pick
if [ ! -f "$inc/agreements.csv" ]; then
  mkdir -p "$inc"
  python3 - "$data/register" "$inc" "$count" "$pick" <<'PY'
import csv, os, sys
src, dst, count, pick = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(os.path.join(src, 'agreements.csv'), newline='') as f:
    r = csv.reader(f); next(r)
    picked = (row for row in r if row[0].startswith(pick))
    keep = {row[0] for _, row in zip(range(count), picked)}
for table in ('agreements', 'parties', 'bodies', 'realisations'):
    with open(os.path.join(src, table + '.csv'), newline='') as f, open(os.path.join(dst, table + '.csv'), 'w', newline='') as g:
        r, w = csv.reader(f), csv.writer(g)
        header = next(r); w.writerow(header)
        if header[0] == 'agreement_id':
            w.writerows(row for row in r if row[0] in keep)
PY
fi

# The managed ClickHouse server's CPU time so far, in seconds.
ch_pid=$(ps -eo pid,args | awk -v conf="$SINERGI_DATA_DIR/clickhouse/config.xml" 'index($0, conf) && /clickhouse/ && !/awk/ { print $1; exit }')
ch_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$ch_pid/stat"; }

publish() {
  local bin=$1 t0 t1 c0 c1
  t0=$(date +%s.%N) c0=$(ch_cpu)
  SINERGI_LOG_LEVEL=debug "$bin" etl load register "$inc"/*.csv > "$work/inc.out" 2> "$work/inc.err" || { tail -n 5 "$work/inc.err"; exit 1; }
  t1=$(date +%s.%N) c1=$(ch_cpu)
  echo "$(basename "$bin"): load $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, ClickHouse CPU $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  grep -E 'rebuild statement|aggregates refreshed|rebuild from deltas' "$work/inc.err" | sed -E 's/^time=[^ ]+ level=[A-Z]+ msg=//; s/ generation=[0-9]+//' || true
}

for bin in "$before" "$after"; do
  for round in $(seq 1 "$rounds"); do
    echo "== round $round"
    publish "$bin"
  done
done
"$after" etl rebuild > /dev/null
