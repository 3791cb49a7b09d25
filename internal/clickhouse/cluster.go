package clickhouse

import (
	"fmt"
	"strings"
)

// Cluster mode (Config.Cluster names a cluster of the servers'
// remote_servers): the schema lives on every server of the cluster, with
// ClickHouse's own replication (Replicated*MergeTree, coordinated by
// ZooKeeper or ClickHouse Keeper) and, for the largest tables, its own
// sharding (Distributed tables). Without a cluster, every table is a plain
// MergeTree on one server, as it always was. docs/operations.md says how to
// configure the servers; docs/clickhouse.md why the tables are laid out so.
//
// Two kinds of table:
//
//   - Sharded: the rows are split across the shards by a key, each shard
//     keeps its part in a replicated local table named <table>_local, and
//     <table> is a Distributed table over them that every query and insert
//     uses. Only the realisation tables are: they are the largest by far
//     (12 M rows nationally, growing by the month, kept per run), and every
//     question over them either sums them — which ClickHouse merges across
//     shards — or asks about agreements, whose realisations all lie on one
//     shard (the key is the agreement).
//   - Replicated whole: every server of the cluster holds all the rows (one
//     replicated table with a replica per server). Everything else: region
//     and IDM rows and snapshots, the agreements, parties and bodies, the
//     rollups (thousands of rows), the ETL's books and snapshot_generations.
//     Queries join and filter them freely, each server answers them alone,
//     and the generation a reader sees is decided on the server it asks.

// shardingKeys are the sharded tables and the expression that picks a row's
// shard. A table's realisations follow its agreement.
var shardingKeys = map[string]string{
	"coop_realisation_rows": "cityHash64(agreement_id)",
	"coop_realisations":     "cityHash64(agreement_id)",
}

// localSuffix names the replicated table behind a sharded table's
// Distributed one.
const localSuffix = "_local"

// Sharded reports whether table is split across the shards in cluster
// mode.
func Sharded(table string) bool {
	_, ok := shardingKeys[table]
	return ok
}

// Layout is where the schema lives: one server (Cluster empty) or every
// server of a cluster.
type Layout struct {
	Cluster  string
	Database string
}

// Clustered reports whether the layout is a cluster.
func (l Layout) Clustered() bool { return l.Cluster != "" }

// onCluster is the clause that runs DDL on every server of the cluster.
func (l Layout) onCluster() string {
	if !l.Clustered() {
		return ""
	}
	return " ON CLUSTER " + l.Cluster
}

// storageTable is the table that holds the rows of table on a server: its
// local table when it is sharded in cluster mode, else itself.
func (l Layout) storageTable(table string) string {
	if l.Clustered() && Sharded(table) {
		return table + localSuffix
	}
	return table
}

// alterTarget is what an ALTER that changes rows (DROP PARTITION, DELETE)
// names: a sharded table's local tables on every shard in a cluster (ON
// CLUSTER runs it on one replica of each shard, which replicates it), else
// the table, whose replicas, if any, ClickHouse keeps in step.
func (l Layout) alterTarget(table string) string {
	if l.Clustered() && Sharded(table) {
		return table + localSuffix + l.onCluster()
	}
	return table
}

// zooKeeperPath is where the replicas of table coordinate: per shard for a
// sharded table ({shard} is each server's macro), else one path for all.
func (l Layout) zooKeeperPath(table string) string {
	part := "all"
	if Sharded(table) {
		part = "{shard}"
	}
	return "/clickhouse/sinergi/" + l.Database + "/" + part + "/" + table
}

// engine is the engine of table: engine itself on one server (say
// "ReplacingMergeTree(version)"), its replicated form in a cluster
// ("ReplicatedReplacingMergeTree('<path>', '{replica}', version)").
func (l Layout) engine(table, engine string) (string, error) {
	if !l.Clustered() {
		return engine, nil
	}
	name, args, ok := strings.Cut(engine, "(")
	if !ok || !strings.HasSuffix(args, ")") || !strings.HasSuffix(name, "MergeTree") {
		return "", fmt.Errorf("engine %q of %s: want a *MergeTree(...) engine", engine, table)
	}
	args = strings.TrimSpace(strings.TrimSuffix(args, ")"))
	replicated := "Replicated" + name + "('" + l.zooKeeperPath(table) + "', '{replica}'"
	if args != "" {
		replicated += ", " + args
	}
	return replicated + ")", nil
}

// distributed creates the Distributed table of a sharded table, in a
// cluster; nothing on one server. It follows the local table's columns.
func (l Layout) distributed(table string) (string, error) {
	key, ok := shardingKeys[table]
	if !ok {
		return "", fmt.Errorf("distributed %s: not a sharded table", table)
	}
	if !l.Clustered() {
		return "", nil
	}
	local := table + localSuffix
	return "CREATE TABLE IF NOT EXISTS " + table + l.onCluster() + " AS " + l.Database + "." + local +
		" ENGINE = Distributed(" + l.Cluster + ", " + l.Database + ", " + local + ", " + key + ");", nil
}

// redistribute recreates the Distributed table of a sharded table after its
// local table changed columns: ClickHouse 18.16 refuses ALTER ... ON
// CLUSTER on a Distributed table over replicated shards, and a Distributed
// table holds no rows (sinergi inserts synchronously), so it is dropped and
// created again.
func (l Layout) redistribute(table string) (string, error) {
	create, err := l.distributed(table)
	if err != nil || create == "" {
		return "", err
	}
	return "DROP TABLE IF EXISTS " + table + l.onCluster() + ";\n" + create, nil
}
