#!/usr/bin/env bash
# Times the whole register's ingest with several sinergi binaries in
# alternation (A/B), each on a fresh data directory, beside
# clickhouse-client on the same realisations file — the A/B of
# bench/README.md's "Whole-register ingest" section.
#
#   bench/ingest.sh DATA ROUNDS BINARY...
#
# DATA is a directory bin/generate wrote (wilayah.csv, idm_*.csv,
# register/*.csv), or a part of one. For each round and binary it starts
# `BINARY serve` (which keeps the managed ClickHouse up) in
# var/ingest-<binary>, loads the regions and IDM, times clickhouse-client
# inserting register/realisations.csv (rows deleted after), then loads the
# register at SINERGI_LOG_LEVEL=debug, and prints: the wall time of both,
# the ClickHouse server's CPU time (utime + stime) over the load and up to
# "rows loaded" (the rest is the refresh), the load's own CPU time and peak
# RSS, its phases ("register stored") and each rebuild statement's time.
# CPU times are steadier than wall times on a shared machine. Everything it
# starts, it stops.
set -euo pipefail
data=$(realpath "${1:?data directory}")
rounds=${2:?rounds}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
export SINERGI_HTTP_ADDR=127.0.0.1:18092 SINERGI_LOG_LEVEL=warn SINERGI_AUTH_ANONYMOUS_READ=on
serve_pid="" sampler=""
stop() {
  [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null || true; }
  [ -n "$serve_pid" ] && { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  serve_pid="" sampler=""
}
trap stop EXIT
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

load() {
  local bin work chq ch_pid c0 c1 t0 t1
  bin=$(realpath "$1") work=$root/var/ingest-$(basename "$1")
  export SINERGI_DATA_DIR=$work/var
  rm -rf "$SINERGI_DATA_DIR"; mkdir -p "$work"
  "$bin" migrate > /dev/null 2>&1
  "$bin" serve > "$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 120); do curl -sf "http://$SINERGI_HTTP_ADDR/readyz" > /dev/null && break; sleep 1; done
  "$bin" etl load regions "$data/wilayah.csv" > /dev/null 2>&1
  "$bin" etl load idm "$data"/idm_*.csv > /dev/null 2>&1
  chq() { clickhouse-client --config-file "$SINERGI_DATA_DIR/clickhouse/client.xml" --database sinergi "$@"; }
  ch_pid=$(pgrep -f "clickhouse-server --config-file=$SINERGI_DATA_DIR/clickhouse/config.xml" | head -n 1)
  ch_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$ch_pid/stat"; }
  t0=$(date +%s.%N) c0=$(ch_cpu)
  chq --query "INSERT INTO coop_realisation_rows (agreement_id, village_code, month, value, beneficiaries, outputs) FORMAT CSVWithNames" < "$data/register/realisations.csv"
  t1=$(date +%s.%N) c1=$(ch_cpu)
  chq --query "ALTER TABLE coop_realisation_rows DELETE WHERE run_id = 0" > /dev/null
  echo "$(basename "$bin"): clickhouse-client $(secs "$t0" "$t1") s (ClickHouse CPU $(secs "$c0" "$c1") s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  ( while sleep 0.5; do echo "$(date -u +%H:%M:%S.%N | cut -c1-12) $(ch_cpu)"; done ) > "$work/chcpu.txt" 2>/dev/null &
  sampler=$!
  t0=$(date +%s.%N) c0=$(ch_cpu)
  SINERGI_LOG_LEVEL=debug /usr/bin/time -v "$bin" etl load register "$data"/register/*.csv > "$work/load.out" 2> "$work/load.err" || { tail "$work/load.err"; exit 1; }
  t1=$(date +%s.%N) c1=$(ch_cpu)
  kill "$sampler"; sampler=""
  local loaded cpu_loaded
  loaded=$(grep -o 'T[0-9:.]*Z level=INFO msg="rows loaded"' "$work/load.err" | cut -c2-13)
  cpu_loaded=$(awk -v t="$loaded" -v c0="$c0" '$1 <= t { c = $2 } END { printf "%.2f", c - c0 }' "$work/chcpu.txt")
  echo "  etl load register $(secs "$t0" "$t1") s, ClickHouse CPU $(secs "$c0" "$c1") s ($cpu_loaded s up to rows loaded)," \
    "its own CPU $(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/load.err") s," \
    "peak RSS $(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$work/load.err") MB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  grep -E 'msg="(register stored|rebuild statement|aggregates refreshed)"' "$work/load.err" |
    sed -E 's/^time=[^ ]+ level=[A-Z]+ msg=/  /; s/ generation=[0-9]+//; s/ run=[0-9]+//'
  stop
}

for round in $(seq 1 "$rounds"); do
  echo "== round $round"
  for bin in "$@"; do load "$bin"; done
done
