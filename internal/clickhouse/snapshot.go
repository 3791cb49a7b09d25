package clickhouse

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Snapshot tables hold what queries read. A refresh writes a complete new
// generation of each table it rebuilds (its partition key is the generation),
// then publishes all of them with one insert into snapshot_generations, so a
// reader sees either the old generations or the new ones, never a mix of a
// half-built table. A load that fails before publishing changes nothing that
// readers see.
//
// The same insert names the runs whose rows the new generations include
// (run_ids): that one block is the only fact that makes a run's rows count
// (CommittedRuns). A loader killed before it leaves rows that no rebuild
// ever reads; one killed after it loses nothing, whatever the run's status
// in etl_runs says (SettleInterrupted corrects it).

// CurrentGeneration returns a SQL scalar subquery selecting the published
// generation of a snapshot table. table must be a constant from the code,
// never user input.
//
// A request that runs several statements (most GraphQL fields run two to
// seven) must read one generation in all of them, or a load publishing in
// between gives it figures of two generations side by side. So the
// subquery reads the newest generation up to a bound, and a request pins
// that bound (PinGeneration) to the latest generation when it starts: every
// statement it runs then reads the data of that moment. Unpinned, the bound
// is the largest UInt64. (In a cluster the scalar subquery runs once, on
// the server the request asks, also for the shards of a Distributed table.)
func CurrentGeneration(table string) string {
	return "(SELECT max(generation) FROM snapshot_generations WHERE snapshot = '" + table + "' AND " + unpinned + ")"
}

// CurrentBase returns a SQL scalar subquery selecting the base of the
// published generation of a snapshot table (CurrentGeneration, pinned
// alike): 0 when that generation is whole, else the older, whole
// generation whose rows it shares (see PublishGenerations).
func CurrentBase(table string) string {
	return "(SELECT argMax(base_generation, generation) FROM snapshot_generations WHERE snapshot = '" + table + "' AND " + unpinned + ")"
}

// unpinned is the bound of CurrentGeneration before a pin replaces it.
const unpinned = "generation <= 18446744073709551615"

// SharedRows marks general, a store's condition selecting the published
// generation's rows of table, a table published as base + delta (see
// PublishGenerations' bases): general holds for either kind of generation.
// A pinned read whose generation of table is whole (base 0) sends
// `generation = CurrentGeneration(table)` in its place: general reads
// agreement_id and evaluates its NOT IN for every row although a whole
// generation shares nothing (2.9-3x the scan, bench/README), the plain one
// costs what a whole generation cost before deltas. The DB learns which
// tables are whole once per pinned generation (wholeTables). Unpinned
// reads send general. table must be a constant from the code.
func SharedRows(table, general string) string {
	return sharedOpen + table + "*/" + general + sharedClose
}

// The marks around a SharedRows condition: SQL comments, so that the
// statement reads as general where nothing replaces it.
const (
	sharedOpen  = "/*shared rows of "
	sharedClose = "/*end shared rows*/"
)

// collapseWhole replaces each SharedRows condition of query whose table is
// whole by the plain condition on its generation.
func collapseWhole(query string, whole map[string]bool) string {
	var out strings.Builder
	for {
		start := strings.Index(query, sharedOpen)
		if start < 0 {
			break
		}
		rest := query[start+len(sharedOpen):]
		nameEnd := strings.Index(rest, "*/")
		end := strings.Index(rest, sharedClose)
		if nameEnd < 0 || end < nameEnd {
			break // not a mark SharedRows wrote: leave the rest as it is
		}
		table := rest[:nameEnd]
		out.WriteString(query[:start])
		if whole[table] {
			out.WriteString("generation = " + CurrentGeneration(table))
		} else {
			out.WriteString(query[start : start+len(sharedOpen)+end+len(sharedClose)])
		}
		query = rest[end+len(sharedClose):]
	}
	out.WriteString(query)
	return out.String()
}

// maxWholePins bounds the pinned generations whose whole tables a DB keeps:
// requests pin the latest one, a few more while a publish is under way.
const maxWholePins = 8

// wholeByPin is, per pinned generation, the snapshot tables whose current
// generation under that pin is whole. It never changes for a pin: a later
// publish has a greater generation (NewGeneration).
type wholeByPin struct {
	mu    sync.Mutex
	byPin map[uint64]map[string]bool
}

// wholeTables are the snapshot tables whose current generation is whole for
// reads pinned to pin, learned with one statement per pin and kept for the
// newest maxWholePins pins.
func (db *DB) wholeTables(ctx context.Context, pin uint64) (map[string]bool, error) {
	db.whole.mu.Lock()
	whole, ok := db.whole.byPin[pin]
	db.whole.mu.Unlock()
	if ok {
		return whole, nil
	}
	var rows []struct {
		Snapshot string `ch:"snapshot"`
	}
	if err := db.Select(ctx, &rows, `SELECT snapshot FROM snapshot_generations WHERE generation <= ?
		GROUP BY snapshot HAVING argMax(base_generation, generation) = 0`, pin); err != nil {
		return nil, fmt.Errorf("whole generations under pin %d: %w", pin, err)
	}
	whole = make(map[string]bool, len(rows))
	for _, r := range rows {
		whole[r.Snapshot] = true
	}
	db.whole.mu.Lock()
	defer db.whole.mu.Unlock()
	if db.whole.byPin == nil {
		db.whole.byPin = map[uint64]map[string]bool{}
	}
	if len(db.whole.byPin) >= maxWholePins {
		delete(db.whole.byPin, slices.Min(slices.Collect(maps.Keys(db.whole.byPin))))
	}
	db.whole.byPin[pin] = whole
	return whole, nil
}

type pinKey struct{}

// PinGeneration makes every read under ctx see the snapshots as they were
// when gen was the latest published generation (see CurrentGeneration). 0
// pins nothing.
func PinGeneration(ctx context.Context, gen uint64) context.Context {
	if gen == 0 {
		return ctx
	}
	return context.WithValue(ctx, pinKey{}, gen)
}

// PinnedGeneration is the generation ctx's reads are pinned to
// (PinGeneration), and whether they are: what a copy of the snapshots kept
// in memory (internal/warm) must match to answer for them.
func PinnedGeneration(ctx context.Context) (uint64, bool) {
	gen, ok := ctx.Value(pinKey{}).(uint64)
	return gen, ok
}

// pinned applies ctx's pin, if any, to a query: its bound, and the plain
// condition for each SharedRows table that is whole under it.
func (db *DB) pinned(ctx context.Context, query string) (string, error) {
	gen, ok := ctx.Value(pinKey{}).(uint64)
	if !ok {
		return query, nil
	}
	if strings.Contains(query, sharedOpen) {
		whole, err := db.wholeTables(ctx, gen)
		if err != nil {
			return "", err
		}
		query = collapseWhole(query, whole)
	}
	return strings.ReplaceAll(query, unpinned, "generation <= "+strconv.FormatUint(gen, 10)), nil
}

// PinnedStatement is the text a read of query under ctx sends, its pin
// applied: what tests check reaches ClickHouse.
func (db *DB) PinnedStatement(ctx context.Context, query string) (string, error) {
	return db.pinned(ctx, query)
}

// NewGeneration returns a generation number greater than any published one.
func (db *DB) NewGeneration(ctx context.Context) (uint64, error) {
	var maxGen uint64
	if err := db.QueryRow(ctx, `SELECT max(generation) FROM snapshot_generations`, nil, &maxGen); err != nil {
		return 0, fmt.Errorf("new generation: %w", err)
	}
	gen := uint64(time.Now().UnixNano())
	if gen <= maxGen {
		gen = maxGen + 1
	}
	return gen, nil
}

// PublishGenerations makes gen the current generation of every table and
// commits the runs whose rows it includes, in a single insert (one block,
// applied atomically), then drops generations older than the previous one.
// bases names, for the tables whose generation gen is a delta, the whole
// generation it shares the rows of its unchanged keys with (readers take
// those from it; pruning keeps it while gen lives); other tables' gen is
// whole.
//
// In cluster mode it first waits until every replica holds everything
// written so far (SyncReplicas), so that no replica ever has the new row
// of snapshot_generations without the rows it makes current.
func (db *DB) PublishGenerations(ctx context.Context, runs []uint64, gen uint64, tables []string, bases map[string]uint64) error {
	// A load cancelled before its publish must not publish: the driver
	// may still send a batch on a cancelled context (it picks an idle
	// connection or the cancellation at random).
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	if db.cfg.Cluster != "" {
		start := time.Now()
		if err := db.SyncReplicas(ctx); err != nil {
			return fmt.Errorf("publish generation: %w", err)
		}
		db.log.Info("every replica holds the new generation: publishing", "generation", gen, "waited", time.Since(start).Round(time.Millisecond))
	}
	batch, err := db.PrepareBatch(ctx, `INSERT INTO snapshot_generations (snapshot, generation, run_id, run_ids, published_at, base_generation)`)
	if err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	now := nowUTC()
	var last uint64
	if len(runs) > 0 {
		last = slices.Max(runs)
	}
	for _, t := range tables {
		if err := batch.Append(t, gen, last, runs, now, bases[t]); err != nil {
			return fmt.Errorf("publish generation: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("publish generation: %w", mapError(err))
	}
	if err := db.DropDeadGenerations(ctx, tables); err != nil {
		// Old generations only cost disk; readers never see them.
		db.log.Warn("dropping old snapshot generations failed", "tables", tables, "err", err)
	}
	return nil
}

// DropDeadGenerations keeps the current and the previous generation of each
// table (queries that started before a publish may still read the
// previous one), and any superseded less than Config.GenerationGrace ago,
// and the bases those are deltas of, and drops the partitions of all others: older ones, and
// half-built ones that a failed or killed refresh left. It must run while no
// refresh is building (under the load lock), or it would drop that
// refresh's new generation.
func (db *DB) DropDeadGenerations(ctx context.Context, tables []string) error {
	for _, table := range tables {
		keep, err := db.liveGenerations(ctx, table)
		if err != nil {
			return err
		}
		var parts []struct {
			Partition string `ch:"partition"`
		}
		// A sharded table's parts are its local tables', one replica of
		// each shard asked (ClickHouse's cluster() table function; the
		// cluster's name is a checked identifier).
		source := "system.parts"
		if l := db.layout(); l.Clustered() && Sharded(table) {
			source = "cluster('" + l.Cluster + "', system, parts)"
		}
		// (The database is named: on the other servers of cluster() the
		// current database is their default one.)
		if err := db.Select(ctx, &parts, `SELECT DISTINCT partition FROM `+source+` WHERE database = ? AND table = ? AND active`,
			db.cfg.Database, db.layout().storageTable(table)); err != nil {
			return err
		}
		for _, p := range parts {
			g, err := strconv.ParseUint(p.Partition, 10, 64)
			if err != nil || slices.Contains(keep, g) {
				continue
			}
			if err := db.DropGeneration(ctx, table, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// liveGenerations are the generations of table that readers may still
// read: the current and the previous one, and any superseded less than
// Config.GenerationGrace ago (a request pinned to a generation, see
// PinGeneration, reads it for as long as it lasts), and the base of each
// of those that is a delta (its readers read the base's rows too).
func (db *DB) liveGenerations(ctx context.Context, table string) ([]uint64, error) {
	var published []struct {
		Generation uint64 `ch:"generation"`
		Base       uint64 `ch:"base"`
		Age        int64  `ch:"age"` // seconds since it was published, by the server's clock
	}
	if err := db.Select(ctx, &published, `SELECT generation, max(base_generation) AS base,
		toInt64(now()) - toInt64(min(published_at)) AS age
		FROM snapshot_generations WHERE snapshot = ? GROUP BY generation ORDER BY generation DESC`, table); err != nil {
		return nil, err
	}
	var keep []uint64
	for i, p := range published {
		// published[i-1] superseded p, published[i-1].Age seconds ago.
		if i < 2 || time.Duration(published[i-1].Age)*time.Second < db.cfg.GenerationGrace {
			keep = append(keep, p.Generation)
			if p.Base != 0 {
				keep = append(keep, p.Base)
			}
		}
	}
	return keep, nil
}

// DropGeneration drops one generation of a snapshot table. In a cluster it
// is dropped on the table's leader replica (of each shard, for a sharded
// table), and ClickHouse replicates the drop to the other replicas.
func (db *DB) DropGeneration(ctx context.Context, table string, gen uint64) error {
	// table is a constant from the code and gen a number: neither can be bound.
	drop := "ALTER TABLE " + db.layout().storageTable(table) + " DROP PARTITION " + strconv.FormatUint(gen, 10)
	if db.cfg.Cluster != "" {
		if err := db.onLeaders(ctx, table, drop); err != nil {
			return fmt.Errorf("drop generation %d of %s: %w", gen, table, err)
		}
		return nil
	}
	if err := db.Exec(ctx, drop); err != nil {
		return fmt.Errorf("drop generation %d of %s: %w", gen, table, err)
	}
	return nil
}

// CommittedRuns is a SQL subquery selecting the runs whose rows count: those
// a published generation includes, less those withdrawn since (the
// simulated register, once a real one replaces it). Runs recorded as
// succeeded before generations named their runs (schema version 8 and
// older) count too; a run is marked succeeded only after its publish. Rows
// of running, loaded, failed, interrupted or withdrawn runs are never read.
const CommittedRuns = `(SELECT run_id FROM (SELECT arrayJoin(run_ids) AS run_id FROM snapshot_generations
	UNION ALL SELECT run_id FROM etl_runs GROUP BY run_id HAVING argMax(status, version) = 'succeeded')
	WHERE run_id NOT IN (SELECT run_id FROM etl_withdrawn_runs))`

// IncludedRuns is the condition a rebuild puts on a raw table's run_id:
// the rows of committed runs and of the runs the new generation is about
// to publish, bound as an array to its one placeholder. (The CAST: 18.16
// types an empty array literal Array(Nothing), which has() refuses.)
const IncludedRuns = `(run_id IN ` + CommittedRuns + ` OR has(CAST(? AS Array(UInt64)), run_id))`

// PublishedRuns reports which of the given runs a published generation
// includes.
func (db *DB) PublishedRuns(ctx context.Context, runs []uint64) (map[uint64]bool, error) {
	if len(runs) == 0 {
		return map[uint64]bool{}, nil
	}
	var rows []struct {
		RunID uint64 `ch:"run_id"`
	}
	q := `SELECT DISTINCT run_id FROM (SELECT arrayJoin(run_ids) AS run_id FROM snapshot_generations
		WHERE hasAny(run_ids, ?)) WHERE has(?, run_id)`
	if err := db.Select(ctx, &rows, q, runs, runs); err != nil {
		return nil, fmt.Errorf("published runs: %w", err)
	}
	out := make(map[uint64]bool, len(rows))
	for _, r := range rows {
		out[r.RunID] = true
	}
	return out, nil
}

// GenerationPublished reports whether gen was published: after a publish
// that returned an error, whether the insert reached the server anyway.
func (db *DB) GenerationPublished(ctx context.Context, gen uint64) (bool, error) {
	var n uint64
	if err := db.QueryRow(ctx, `SELECT count() FROM snapshot_generations WHERE generation = ?`, []any{gen}, &n); err != nil {
		return false, fmt.Errorf("generation published: %w", err)
	}
	return n > 0, nil
}

// PublishedGeneration returns the current generation of a snapshot table,
// 0 when none is published.
func (db *DB) PublishedGeneration(ctx context.Context, table string) (uint64, error) {
	var gen uint64
	if err := db.QueryRow(ctx, `SELECT max(generation) FROM snapshot_generations WHERE snapshot = ?`, []any{table}, &gen); err != nil {
		return 0, fmt.Errorf("published generation of %s: %w", table, err)
	}
	return gen, nil
}

// LatestGeneration is the newest published generation of any snapshot: it
// changes whenever a load publishes, which is what result caches watch.
func (db *DB) LatestGeneration(ctx context.Context) (uint64, error) {
	var gen uint64
	if err := db.QueryRow(ctx, `SELECT max(generation) FROM snapshot_generations`, nil, &gen); err != nil {
		return 0, fmt.Errorf("latest generation: %w", err)
	}
	return gen, nil
}
