package clickhouse

import (
	"context"
	"fmt"
)

// Raw rows are kept per run; pruning deletes the rows of runs that no
// answer can need any more (etl.Runner decides which). Deleting is a
// mutation: ClickHouse rewrites the parts that hold the rows in the
// background, which needs free space for those parts for a while.

// RunsWithRows returns the runs that have rows in table (a constant from
// the code).
func (db *DB) RunsWithRows(ctx context.Context, table string) ([]uint64, error) {
	runs, err := db.RunIDs(ctx, `SELECT DISTINCT run_id FROM `+table)
	if err != nil {
		return nil, fmt.Errorf("runs of %s: %w", table, err)
	}
	return runs, nil
}

// DeleteRuns deletes the rows of runs from each table (constants from the
// code). In a cluster the mutation is replicated; a sharded table's runs on
// every shard (see DropGeneration).
func (db *DB) DeleteRuns(ctx context.Context, runs []uint64, tables ...string) error {
	if len(runs) == 0 {
		return nil
	}
	for _, table := range tables {
		if err := db.Exec(ctx, `ALTER TABLE `+db.layout().alterTarget(table)+` DELETE WHERE has(CAST(? AS Array(UInt64)), run_id)`, runs); err != nil {
			return fmt.Errorf("delete runs from %s: %w", table, err)
		}
	}
	return nil
}

// CommittedRunIDs returns the runs whose rows count (see CommittedRuns).
func (db *DB) CommittedRunIDs(ctx context.Context) (map[uint64]bool, error) {
	runs, err := db.RunIDs(ctx, `SELECT DISTINCT run_id FROM `+CommittedRuns+` AS committed`)
	if err != nil {
		return nil, fmt.Errorf("committed runs: %w", err)
	}
	out := make(map[uint64]bool, len(runs))
	for _, r := range runs {
		out[r] = true
	}
	return out, nil
}

// RunIDs runs a read whose one column, run_id, lists runs.
func (db *DB) RunIDs(ctx context.Context, query string, args ...any) ([]uint64, error) {
	var rows []struct {
		RunID uint64 `ch:"run_id"`
	}
	if err := db.Select(ctx, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]uint64, len(rows))
	for i, r := range rows {
		out[i] = r.RunID
	}
	return out, nil
}
