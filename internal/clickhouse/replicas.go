package clickhouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Replication in ClickHouse is per table and asynchronous: a replica
// fetches each new part when it can, in no order across tables. A reader
// that saw a snapshot_generations row before the rows of its generation
// would answer from half a generation. So in cluster mode a load waits,
// before it publishes, until every replica of the cluster holds everything
// written so far (SYSTEM SYNC REPLICA on each replica, for every replicated
// table of the database); only then does the one-block insert into
// snapshot_generations make the generation current. Wherever that row has
// arrived, its rows are already there. A replica that cannot be reached
// holds the publish back (up to Config.ReplicaSyncTimeout, then the load
// fails and leaves every answer as it was): it could otherwise come back,
// fetch the row before the rows, and answer from half a generation.

// Replica is one server of the cluster.
type Replica struct {
	Shard   uint32
	Replica uint32
	Addr    string // host:port of its native protocol, as remote_servers names it
	// Err is why it did not answer; nil when it did.
	Err error
}

// Replicas lists the servers of the cluster (from system.clusters on the
// server this connection uses) and pings each: readiness reports them.
// Without a cluster it is nil.
func (db *DB) Replicas(ctx context.Context) ([]Replica, error) {
	if db.cfg.Cluster == "" {
		return nil, nil
	}
	replicas, err := db.clusterReplicas(ctx)
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			conn, err := db.openReplica(replicas[i].Addr)
			if err == nil {
				err = conn.Ping(ctx)
				conn.Close()
			}
			replicas[i].Err = err
		})
	}
	wg.Wait()
	return replicas, nil
}

func (db *DB) clusterReplicas(ctx context.Context) ([]Replica, error) {
	var rows []struct {
		Shard   uint32 `ch:"shard_num"`
		Replica uint32 `ch:"replica_num"`
		Host    string `ch:"host_name"`
		Port    uint16 `ch:"port"`
	}
	if err := db.Select(ctx, &rows, `SELECT shard_num, replica_num, host_name, port FROM system.clusters
		WHERE cluster = ? ORDER BY shard_num, replica_num`, db.cfg.Cluster); err != nil {
		return nil, fmt.Errorf("replicas of cluster %s: %w", db.cfg.Cluster, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("replicas of cluster %s: the server knows no such cluster (remote_servers)", db.cfg.Cluster)
	}
	out := make([]Replica, len(rows))
	for i, r := range rows {
		out[i] = Replica{Shard: r.Shard, Replica: r.Replica, Addr: net.JoinHostPort(r.Host, strconv.Itoa(int(r.Port)))}
	}
	return out, nil
}

// openReplica opens a small connection to one server of the cluster with
// this connection's account.
func (db *DB) openReplica(addr string) (*DB, error) {
	cfg := db.cfg
	cfg.Addr, cfg.MaxOpenConns = addr, 2
	conn, err := openConn(cfg, cfg.Database, db.log)
	if err != nil {
		return nil, err
	}
	return New(nativeEngine{conn}, cfg, db.log), nil
}

// replicatedTables are the tables of the database that hold rows on each
// server: every table but the Distributed ones.
func (db *DB) replicatedTables(ctx context.Context) ([]string, error) {
	var rows []struct {
		Name string `ch:"name"`
	}
	if err := db.Select(ctx, &rows, `SELECT name FROM system.tables
		WHERE database = currentDatabase() AND engine LIKE 'Replicated%' ORDER BY name`); err != nil {
		return nil, fmt.Errorf("replicated tables: %w", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	return out, nil
}

// SyncReplicas waits until every replica of the cluster holds every part
// of tables written so far anywhere (all replicated tables of the database
// when none are named; a sharded table's local tables for a sharded one).
// It is what a load does before it publishes, and before it reads through
// a Distributed table what it just inserted into it (the read may be
// answered by the shard's other replica). Without a cluster it does
// nothing.
func (db *DB) SyncReplicas(ctx context.Context, tables ...string) error {
	if db.cfg.Cluster == "" {
		return nil
	}
	start := time.Now()
	layout := db.layout()
	if len(tables) == 0 {
		all, err := db.replicatedTables(ctx)
		if err != nil {
			return err
		}
		tables = all
	} else {
		tables = slices.Clone(tables)
		for i, t := range tables {
			tables[i] = layout.storageTable(t)
		}
	}
	replicas, err := db.clusterReplicas(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, db.cfg.ReplicaSyncTimeout)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	for _, r := range replicas {
		g.Go(func() error { return db.syncReplica(gctx, r, tables) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("waiting for every replica to hold what was written: %w", err)
	}
	db.log.Debug("replicas in sync", "replicas", len(replicas), "tables", len(tables), "elapsed", time.Since(start))
	return nil
}

// syncReplica runs SYSTEM SYNC REPLICA for each table on one server. A
// server that cannot be reached is tried again every second until ctx
// ends: it may be restarting.
func (db *DB) syncReplica(ctx context.Context, r Replica, tables []string) error {
	waited := false
	for {
		err := db.syncReplicaOnce(ctx, r, tables)
		if err == nil || !retryableReplicaError(err) {
			return err
		}
		if !waited {
			db.log.Warn("waiting for a replica to come back before publishing", "replica", r.Addr, "err", err)
			waited = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replica %s (shard %d): %w (last error: %v)", r.Addr, r.Shard, ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) syncReplicaOnce(ctx context.Context, r Replica, tables []string) error {
	conn, err := db.openReplica(r.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The server's own wait is bounded by receive_timeout; ours by ctx.
	settings := Settings{"receive_timeout": int(db.cfg.ReplicaSyncTimeout.Seconds() + 0.999)}
	for _, t := range tables {
		// t comes from the code or from system.tables, never from users.
		if err := conn.engine.Exec(ctx, settings, "SYSTEM SYNC REPLICA "+t); err != nil {
			return fmt.Errorf("replica %s: SYSTEM SYNC REPLICA %s: %w", r.Addr, t, mapError(err))
		}
	}
	return nil
}

// retryableReplicaError: the replica is down or restarting (it cannot be
// reached, its tables are not attached yet, or they are read-only until its
// ZooKeeper session is back), as opposed to a mistake that waiting does not
// mend.
func retryableReplicaError(err error) bool {
	return errors.Is(err, fault.ErrUnavailable) || hasCode(err, codeTableIsReadOnly)
}

// onLeaders runs stmt on the leader replica of table: of each shard for a
// sharded table (its local tables), of the whole cluster for a table
// replicated whole. ClickHouse 18.16 forwards a DROP PARTITION issued on
// any other replica to the leader, as the user `default` without a
// password, which a secured cluster does not have; run on the leader, it
// is replicated from there. (Current releases let every replica drop.)
func (db *DB) onLeaders(ctx context.Context, table, stmt string) error {
	replicas, err := db.clusterReplicas(ctx)
	if err != nil {
		return err
	}
	storage := db.layout().storageTable(table)
	type leader struct {
		db   *DB
		addr string
	}
	leaders := map[uint32]leader{} // by shard; shard 0 for a table replicated whole
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for _, r := range replicas {
		g.Go(func() error {
			conn, err := db.openReplica(r.Addr)
			if err != nil {
				return err
			}
			var isLeader uint8
			err = conn.QueryRow(gctx, `SELECT is_leader FROM system.replicas WHERE database = ? AND table = ?`,
				[]any{db.cfg.Database, storage}, &isLeader)
			if err != nil || isLeader == 0 {
				conn.Close()
				if errors.Is(err, sql.ErrNoRows) || retryableReplicaError(err) {
					return nil // not a replica of it, or down: not the one to ask
				}
				return err
			}
			group := uint32(0)
			if Sharded(table) {
				group = r.Shard
			}
			mu.Lock()
			defer mu.Unlock()
			if _, ok := leaders[group]; ok {
				conn.Close()
				return nil
			}
			leaders[group] = leader{conn, r.Addr}
			return nil
		})
	}
	err = g.Wait()
	defer func() {
		for _, l := range leaders {
			l.db.Close()
		}
	}()
	if err != nil {
		return err
	}
	want := 1
	if Sharded(table) {
		shards := map[uint32]bool{}
		for _, r := range replicas {
			shards[r.Shard] = true
		}
		want = len(shards)
	}
	if len(leaders) < want {
		return fmt.Errorf("%s has a leader replica on %d of %d shards now (one is down, or electing)", storage, len(leaders), want)
	}
	for _, l := range leaders {
		if err := l.db.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("on %s: %w", l.addr, err)
		}
	}
	return nil
}
