package clickhouse

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Snapshot tables hold what queries read. A refresh writes a complete new
// generation of each table it rebuilds (its partition key is the generation),
// then publishes all of them with one insert into snapshot_generations, so a
// reader sees either the old generations or the new ones, never a mix of a
// half-built table. A load that fails before publishing changes nothing that
// readers see.

// CurrentGeneration returns a SQL scalar subquery selecting the published
// generation of a snapshot table. table must be a constant from the code,
// never user input.
func CurrentGeneration(table string) string {
	return "(SELECT max(generation) FROM snapshot_generations WHERE snapshot = '" + table + "')"
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

// PublishGenerations makes gen the current generation of every table, in a
// single insert (one block, applied atomically), then drops generations
// older than the previous one.
func (db *DB) PublishGenerations(ctx context.Context, runID, gen uint64, tables []string) error {
	batch, err := db.PrepareBatch(ctx, `INSERT INTO snapshot_generations (snapshot, generation, run_id, published_at)`)
	if err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	now := nowUTC()
	for _, t := range tables {
		if err := batch.Append(t, gen, runID, now); err != nil {
			return fmt.Errorf("publish generation: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("publish generation: %w", mapError(err))
	}
	for _, t := range tables {
		if err := db.dropOldGenerations(ctx, t); err != nil {
			// Old generations only cost disk; readers never see them.
			db.log.Warn("dropping old snapshot generations failed", "table", t, "err", err)
		}
	}
	return nil
}

// dropOldGenerations keeps the current and the previous generation of a
// table (queries that started before the publish may still read the
// previous one) and drops the partitions of all others.
func (db *DB) dropOldGenerations(ctx context.Context, table string) error {
	var keep []struct {
		Generation uint64 `ch:"generation"`
	}
	if err := db.Select(ctx, &keep, `SELECT generation FROM snapshot_generations WHERE snapshot = ? ORDER BY generation DESC LIMIT 2`, table); err != nil {
		return err
	}
	if len(keep) < 2 {
		return nil
	}
	var parts []struct {
		Partition string `ch:"partition"`
	}
	if err := db.Select(ctx, &parts, `SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = ? AND active`, table); err != nil {
		return err
	}
	for _, p := range parts {
		g, err := strconv.ParseUint(p.Partition, 10, 64)
		if err != nil || g >= keep[1].Generation {
			continue
		}
		// table is a constant from the code and p a number: neither can be bound.
		if err := db.Exec(ctx, "ALTER TABLE "+table+" DROP PARTITION "+strconv.FormatUint(g, 10)); err != nil {
			return err
		}
	}
	return nil
}

// CommittedRuns is a SQL subquery selecting the runs whose rows count: those
// loaded completely (loaded or succeeded). Rows of running, failed or
// interrupted runs are never read.
const CommittedRuns = `(SELECT run_id FROM etl_runs GROUP BY run_id
	HAVING argMax(status, version) IN ('loaded', 'succeeded'))`

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
