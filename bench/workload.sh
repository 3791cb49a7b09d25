#!/usr/bin/env bash
# The planner workload (bench/loadgen: the five queries, uncached) against
# two sinergi binaries in alternation, on one database loaded once — the
# A/B of bench/README.md's "Warm rollups" section.
#
#   bench/workload.sh PROFILE BEFORE_BINARY AFTER_BINARY [ROUNDS]
#
# The first run generates the profile's data (bin/generate) and loads
# regions, IDM and the whole register into var/workload-<profile> with
# BEFORE_BINARY (kept for later runs; delete the directory to start again).
# Each round then serves with BEFORE_BINARY, runs bench/loadgen (rates
# SINERGI_BENCH_RATES, default 50,200,500; SINERGI_BENCH_SECONDS per run,
# default 10; SINERGI_BENCH_ALONE=true adds each query alone at 20/s), stops
# it, and does the same with AFTER_BINARY; each run prints the statements
# each query issued (read from query_log), the server's largest RSS and the
# load average. SINERGI_BENCH_SERVE_ENV="A=1 B=2" sets environment for the
# AFTER binary's serve only (e.g. SINERGI_GRAPHQL_WARM_ROLLUPS=false). Both
# binaries must want the same schema version. SINERGI_BENCH_ADDR sets the
# server's address (default 127.0.0.1:18093). Everything it starts, it stops.
set -euo pipefail
profile=${1:?profile: small or national}
before=$(realpath "${2:?before binary}")
after=$(realpath "${3:?after binary}")
rounds=${4:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/var/workload-$profile
data=$work/data
mkdir -p "$work" "$root/bin"
cd "$root"
export SINERGI_DATA_DIR=$work/var SINERGI_HTTP_ADDR=${SINERGI_BENCH_ADDR:-127.0.0.1:18093} SINERGI_LOG_LEVEL=warn SINERGI_AUTH_ANONYMOUS_READ=on \
  SINERGI_CLICKHOUSE_LOG_QUERIES=true

serve_pid=""
stop_serve() {
  [ -n "$serve_pid" ] && { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  serve_pid=""
}
trap stop_serve EXIT
start_serve() { # binary [env...]
  local bin=$1; shift
  env SINERGI_LOG_LEVEL=info "$@" "$bin" serve > "$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 120); do curl -sf "http://$SINERGI_HTTP_ADDR/readyz" >/dev/null && return; sleep 1; done
  echo "serve did not start: $work/serve.log"; exit 1
}

if [ ! -f "$work/loaded" ]; then
  go build -o bin/generate ./bench/generate
  [ -f "$data/MANIFEST.txt" ] || bin/generate --profile "$profile" --out "$data"
  rm -rf "$SINERGI_DATA_DIR"
  "$before" migrate
  start_serve "$before"
  "$before" etl load regions "$data/wilayah.csv" | tail -n 1
  "$before" etl load idm "$data"/idm_*.csv | tail -n 1
  t0=$(date +%s)
  "$before" etl load register "$data"/register/*.csv | tail -n 1
  echo "whole register loaded in $(( $(date +%s) - t0 )) s"
  touch "$work/loaded"
  stop_serve
fi
go build -o bin/loadgen ./bench/loadgen

run() { # label binary [env...]
  local label=$1 bin=$2; shift 2
  start_serve "$bin" "$@"
  sleep 3 # the warm rollups load in the background at start
  local port admin_password
  port=$(python3 -c "import json;print(json.load(open('$SINERGI_DATA_DIR/clickhouse/server.json'))['tcp_port'])")
  admin_password=$(python3 -c "import json;print(json.load(open('$SINERGI_DATA_DIR/clickhouse/credentials.json'))['admin']['password'])")
  echo "== $label: $bin $* — $(uptime | sed 's/.*load average/load average/')"
  bin/loadgen -url "http://$SINERGI_HTTP_ADDR/graphql" -clickhouse "127.0.0.1:$port" -db sinergi \
    -user sinergi_admin -password "$admin_password" -replay=false -cached-rate 0 -alone="${SINERGI_BENCH_ALONE:-false}" \
    -rates "${SINERGI_BENCH_RATES:-50,200,500}" -duration "${SINERGI_BENCH_SECONDS:-10}s" -pid "$serve_pid"
  grep -h "warm rollups" "$work/serve.log" || true
  echo "== $label done — $(uptime | sed 's/.*load average/load average/')"
  stop_serve
}

# shellcheck disable=SC2086 # the variable is a list of assignments
for round in $(seq 1 "$rounds"); do
  run "round $round before" "$before"
  run "round $round after" "$after" ${SINERGI_BENCH_SERVE_ENV:-}
done
