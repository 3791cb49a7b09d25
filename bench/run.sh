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
# refresh after a small incremental load, then runs bench/loadgen (GraphQL
# at fixed rates beside the same SQL sent straight to ClickHouse, the result
# cache, server memory). Everything it starts, it stops.
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

say() { printf '\n== %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

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
cleanup() {
  [ -n "$serve_pid" ] && { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  [ -n "$cluster_pid" ] && { kill "$cluster_pid" 2>/dev/null; wait "$cluster_pid" 2>/dev/null || true; }
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
bin/sinergi serve > "$work/serve.log" 2>&1 &
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
echo "clickhouse-client: $t_client s, $(awk -v n="$rows" -v t="$t_client" 'BEGIN { printf "%.0f", n / t }') rows/s"

say "ingest: sinergi etl load register (agreements, parties, bodies, realisations)"
t0=$(now)
/usr/bin/time -v bin/sinergi etl load register "$data"/register/*.csv > "$work/load.out" 2> "$work/load.err" || { tail "$work/load.err"; exit 1; }
t_etl=$(elapsed "$t0" "$(now)")
head -n 3 "$work/load.out"
grep -E "Maximum resident set size" "$work/load.err" | sed 's/^\s*/etl load /'
echo "sinergi etl load: $t_etl s for the whole register (validation, insert, aggregate refresh)"
echo "realisation rows/s over the whole load: $(awk -v n="$rows" -v t="$t_etl" 'BEGIN { printf "%.0f", n / t }'); ratio to clickhouse-client: $(awk -v a="$t_client" -v b="$t_etl" 'BEGIN { printf "%.2f", a / b }')"

say "refresh after a small incremental load (the first 100 agreements again)"
inc=$work/incremental
mkdir -p "$inc"
python3 - "$data/register" "$inc" <<'PY'
import csv, os, sys
src, dst = sys.argv[1], sys.argv[2]
with open(os.path.join(src, 'agreements.csv'), newline='') as f:
    r = csv.reader(f); next(r)
    keep = {row[0] for _, row in zip(range(100), r)}
for table in ('agreements', 'parties', 'bodies', 'realisations'):
    with open(os.path.join(src, table + '.csv'), newline='') as f, open(os.path.join(dst, table + '.csv'), 'w', newline='') as g:
        r, w = csv.reader(f), csv.writer(g)
        header = next(r); w.writerow(header)
        if header[0] == 'agreement_id':
            w.writerows(row for row in r if row[0] in keep)
PY
t0=$(now)
bin/sinergi etl load register "$inc"/*.csv | head -n 2
echo "incremental register load incl. refresh: $(elapsed "$t0" "$(now)") s"

say "planner workload"
# A rate the profile sustains, one past saturation, and the goal.
rates=50,200,500
[ "$profile" = national ] && rates=20,50,500
bin/loadgen -url "http://$SINERGI_HTTP_ADDR/graphql" -clickhouse "127.0.0.1:$port" -db sinergi \
  -user "$admin_user" -password "$admin_password" \
  -rates "${SINERGI_BENCH_RATES:-$rates}" -duration "${seconds}s" -pid "$serve_pid"
