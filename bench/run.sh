#!/usr/bin/env bash
# Reproduces the figures of bench/README.md.
#
#   bench/run.sh [small|national] [seconds per load run] [single|cluster]
#
# It builds sinergi, generates the profile's synthetic data (once), starts
# `sinergi serve` on its own managed ClickHouse in var/bench-<profile> — or,
# with `cluster`, on a ClickHouse cluster of two shards of two replicas with
# ZooKeeper on loopback (bench/cluster, as the cluster tests start it), in
# var/bench-<profile>-cluster —
# loads the data through `sinergi etl load` and times it against
# clickhouse-client on the same realisations file, times the aggregate
# refresh after a small incremental load (100 agreements) and after an
# office's corrections (20 agreements of one kabupaten), then runs
# bench/loadgen (GraphQL at fixed rates beside the same SQL sent straight to
# ClickHouse, the result cache, server memory). It ends with one table of
# every measure of issue 15 beside its anchor from the same run
# (bench/summary.py), with the machine, date, commit and load average; each
# step says how long it took. Everything it starts, it stops.
set -euo pipefail
profile=${1:-small}
seconds=${2:-15}
mode=${3:-single}
root=$(cd "$(dirname "$0")/.." && pwd)
suffix=""
[ "$mode" = cluster ] && suffix=-cluster
work=${SINERGI_BENCH_DIR:-$root/var/bench-$profile$suffix}
data=$work/data
mkdir -p "$work" "$root/bin"
cd "$root"

say() {
  [ -n "${step_start:-}" ] && echo "(step took $(elapsed "$step_start" "$(now)") s)"
  step_start=$(now)
  printf '\n== %s\n' "$*"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# The figures of the closing table, one key=value a line.
figures=$work/figures.txt
: > "$figures"
figure() { echo "$1=$2" >> "$figures"; }
# The refresh's time a load logged ("aggregates refreshed … took=1m2.5s"),
# in seconds.
refresh_took() {
  grep -h 'msg="aggregates refreshed"' "$@" | tail -n 1 | sed -E 's/.* took=([^ ]+).*/\1/' |
    awk '{ s = 0; t = $0
           if (match(t, /[0-9.]+m/)) { s += 60 * substr(t, RSTART, RLENGTH - 1); t = substr(t, RSTART + RLENGTH) }
           if (t ~ /ms$/) s += t / 1000; else if (t ~ /s$/) s += t + 0
           printf "%.2f", s }'
}
figure profile "$profile"; figure seconds "$seconds"; figure mode "$([ "$mode" = cluster ] && echo cluster)"
figure commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
figure date "$(date -u '+%Y-%m-%d %H:%M UTC')"
figure machine "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), ClickHouse $(clickhouse-client --version 2>/dev/null | grep -oE '[0-9]+(\.[0-9]+)+' | head -n 1)"
figure load_start "$(loadavg)"

say "build"
go build -o bin/sinergi ./cmd/sinergi
go build -o bin/loadgen ./bench/loadgen
go build -o bin/generate ./bench/generate
bin/sinergi setup >/dev/null
command -v clickhouse-client >/dev/null || { echo "clickhouse-client is needed: apt-get install clickhouse-client"; exit 1; }

if [ ! -f "$data/MANIFEST.txt" ]; then
  say "generate $profile data into $data"
  t0=$(now)
  bin/generate --profile "$profile" --out "$data"
  echo "generated in $(elapsed "$t0" "$(now)") s"
fi
cat "$data/MANIFEST.txt"

# The load generator reads as an anonymous viewer (serve's default is now
# keys only); the server listens on loopback.
export SINERGI_DATA_DIR=$work/var SINERGI_HTTP_ADDR=127.0.0.1:18080 SINERGI_CLICKHOUSE_LOG_QUERIES=true SINERGI_LOG_LEVEL=warn \
  SINERGI_AUTH_ANONYMOUS_READ=on
rm -rf "$SINERGI_DATA_DIR"
cluster_pid="" serve_pid=""
# (Its last status is the script's: a false test here made a successful
# run exit 1.)
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  if [ -n "$cluster_pid" ]; then kill "$cluster_pid" 2>/dev/null || true; wait "$cluster_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
if [ "$mode" = cluster ]; then
  say "start a ClickHouse cluster (2 shards x 2 replicas, ZooKeeper) on loopback"
  go build -o bin/benchcluster ./bench/cluster
  rm -f "$work/cluster.env"
  bin/benchcluster -env "$work/cluster.env" > "$work/cluster.log" 2>&1 &
  cluster_pid=$!
  for _ in $(seq 1 120); do [ -f "$work/cluster.env" ] && break; kill -0 "$cluster_pid" || { cat "$work/cluster.log"; exit 1; }; sleep 1; done
  set -a; . "$work/cluster.env"; set +a
  port=$BENCH_CLICKHOUSE_PORT admin_user=$SINERGI_CLICKHOUSE_USERNAME admin_password=$SINERGI_CLICKHOUSE_PASSWORD
  # Inserts into the Distributed table return once every shard has its rows.
  chq() { clickhouse-client --host 127.0.0.1 --port "$port" --user "$admin_user" --password "$admin_password" --database sinergi --insert_distributed_sync 1 "$@"; }
  delete_anchor_rows="ALTER TABLE coop_realisation_rows_local ON CLUSTER $SINERGI_CLICKHOUSE_CLUSTER DELETE WHERE run_id = 0"
else
  # The managed server's admin user (its password is generated per data directory).
  chq() { clickhouse-client --config-file "$SINERGI_DATA_DIR/clickhouse/client.xml" --database sinergi "$@"; }
  delete_anchor_rows="ALTER TABLE coop_realisation_rows DELETE WHERE run_id = 0"
fi
bin/sinergi migrate
# Its operator address serves /metrics (the warm rollups' bytes, read after
# the workload).
debug_addr=${SINERGI_DEBUG_ADDR:-127.0.0.1:18081}
SINERGI_DEBUG_ADDR=$debug_addr bin/sinergi serve > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 60); do curl -sf http://$SINERGI_HTTP_ADDR/readyz >/dev/null && break; sleep 1; done
if [ "$mode" != cluster ]; then
  port=$(python3 -c "import json;print(json.load(open('$SINERGI_DATA_DIR/clickhouse/server.json'))['tcp_port'])")
  admin_user=sinergi_admin
  admin_password=$(python3 -c "import json;print(json.load(open('$SINERGI_DATA_DIR/clickhouse/credentials.json'))['admin']['password'])")
fi

say "load regions and IDM through sinergi etl load"
t0=$(now)
bin/sinergi etl load regions "$data/wilayah.csv" | tail -n 3
bin/sinergi etl load idm "$data"/idm_*.csv | tail -n 3
echo "regions + IDM loaded in $(elapsed "$t0" "$(now)") s"

rows=$(($(wc -l < "$data/register/realisations.csv") - 1))
say "ingest: clickhouse-client INSERT ... FORMAT CSVWithNames, $rows realisation rows"
t0=$(now)
chq --query "INSERT INTO coop_realisation_rows (agreement_id, village_code, month, value, beneficiaries, outputs) FORMAT CSVWithNames" < "$data/register/realisations.csv"
t_client=$(elapsed "$t0" "$(now)")
chq --query "$delete_anchor_rows" > /dev/null
figure client_wall "$t_client"; figure realisation_rows "$rows"
echo "clickhouse-client: $t_client s, $(awk -v n="$rows" -v t="$t_client" 'BEGIN { printf "%.0f", n / t }') rows/s"

say "ingest: sinergi etl load register (agreements, parties, bodies, realisations)"
t0=$(now)
# At debug, the load logs how long its phases and each rebuild statement took.
SINERGI_LOG_LEVEL=debug /usr/bin/time -v bin/sinergi etl load register "$data"/register/*.csv > "$work/load.out" 2> "$work/load.err" || { tail "$work/load.err"; exit 1; }
t_etl=$(elapsed "$t0" "$(now)")
head -n 3 "$work/load.out"
grep -E "Maximum resident set size" "$work/load.err" | sed 's/^\s*/etl load /'
grep -E 'msg="register stored"' "$work/load.err" | sed -E 's/.* (reading_agreements_and_parties=.*)/phases: \1/' || true
figure register_wall "$t_etl"; figure register_refresh "$(refresh_took "$work/load.err")"
figure register_rss_kb "$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/load.err")"
echo "refresh (the full rebuild): $(refresh_took "$work/load.err") s"
echo "sinergi etl load: $t_etl s for the whole register (validation, insert, aggregate refresh)"
echo "realisation rows/s over the whole load: $(awk -v n="$rows" -v t="$t_etl" 'BEGIN { printf "%.0f", n / t }'); ratio to clickhouse-client: $(awk -v a="$t_client" -v b="$t_etl" 'BEGIN { printf "%.2f", a / b }')"

# incremental KEY COUNT PICK: loads again the first COUNT agreements whose id
# starts with PICK (with their parties and realisations), timed end to end,
# its refresh as the load logs it.
incremental() {
  local key=$1 count=$2 pick=$3 inc=$work/incremental-$1 t0 wall
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
  t0=$(now)
  SINERGI_LOG_LEVEL=debug bin/sinergi etl load register "$inc"/*.csv > "$inc.out" 2> "$inc.err" || { tail "$inc.err"; exit 1; }
  wall=$(elapsed "$t0" "$(now)")
  head -n 2 "$inc.out"
  figure "${key}_wall" "$wall"; figure "${key}_refresh" "$(refresh_took "$inc.err")"
  echo "$(($(wc -l < "$inc/agreements.csv") - 1)) agreements loaded again in $wall s, of which the refresh $(refresh_took "$inc.err") s (load average $(loadavg))"
}

say "refresh after a small incremental load (the first 100 agreements again)"
incremental incremental 100 ""

# An office's corrections: 20 agreements of one kabupaten (as
# bench/publish.sh's SINERGI_BENCH_PICK): SIN-6409- (Kutai Kartanegara),
# or the first agreement's kabupaten where the profile has none there.
pick=${SINERGI_BENCH_PICK:-SIN-6409-}
grep -q "^$pick" "$data/register/agreements.csv" || pick=$(sed -n 2p "$data/register/agreements.csv" | cut -c1-9)
figure office_pick "$pick"
say "refresh after an office's corrections (20 agreements $pick… again)"
incremental office 20 "$pick"

# The server learns of a publish by polling (every 2 s), then loads its warm
# rollups in the background; loadgen reads the SQL each query issues from
# system.query_log, so it starts once ClickHouse has run nothing for 2 s
# (at most 2 minutes' wait).
say "wait until the server has loaded what the last publish changed"
sleep 3
idle=0
for _ in $(seq 1 120); do
  running=$(chq --query "SELECT count() FROM system.processes WHERE query NOT LIKE '%system.processes%'" 2>/dev/null || echo 1)
  if [ "$running" = 0 ]; then idle=$((idle + 1)); else idle=0; fi
  [ "$idle" -ge 2 ] && break
  sleep 1
done

say "planner workload"
# A rate the profile sustains, one past saturation, and the goal.
rates=50,200,500
[ "$profile" = national ] && rates=20,50,500
bin/loadgen -url "http://$SINERGI_HTTP_ADDR/graphql" -clickhouse "127.0.0.1:$port" -db sinergi \
  -user "$admin_user" -password "$admin_password" \
  -rates "${SINERGI_BENCH_RATES:-$rates}" -duration "${seconds}s" -pid "$serve_pid" | tee "$work/loadgen.out"

# The memory the warm rollups of the last publish cost, as the server
# estimates it (part of its RSS).
warm_bytes=$(curl -sf "http://$debug_addr/metrics" | awk '$1 == "sinergi_warm_rollups_bytes" { print $2 }' || true)
figure warm_rollups_bytes "$warm_bytes"
echo "warm rollups: ${warm_bytes:-n/a} bytes (sinergi_warm_rollups_bytes)"

say "summary"
figure load_end "$(loadavg)"
python3 bench/summary.py "$figures" "$work/loadgen.out" | tee "$work/summary.md"
