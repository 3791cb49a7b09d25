// Package ingestch keeps ETL runs and rejects in ClickHouse.
package ingestch

import (
	"context"
	"fmt"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/keyset"
)

// Store is the ClickHouse ingest.Store.
type Store struct{ db *clickhouse.DB }

// NewStore returns a Store on db.
func NewStore(db *clickhouse.DB) *Store { return &Store{db: db} }

var _ ingest.Store = (*Store)(nil)

// SaveRun writes a new version of the run's row; the newest version wins.
func (s *Store) SaveRun(ctx context.Context, r ingest.Run) error {
	const q = `INSERT INTO etl_runs (run_id, version, dataset, source, fingerprint, status, started_at,
		finished_at, rows_read, rows_loaded, rows_rejected, error, host, pid, process_start)`
	batch, err := s.db.PrepareBatch(ctx, q)
	if err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	version := uint64(time.Now().UnixNano())
	if err := batch.Append(r.ID, version, r.Dataset, r.Source, r.Fingerprint, string(r.Status), r.StartedAt,
		r.FinishedAt, uint64(r.RowsRead), uint64(r.RowsLoaded), uint64(r.RowsRejected), r.Error,
		r.Process.Host, uint32(r.Process.PID), r.Process.Start); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save run: %w", clickhouse.MapError(err))
	}
	return nil
}

// Withdraw records that the runs' rows no longer count.
func (s *Store) Withdraw(ctx context.Context, runs []ingest.Run, reason string) error {
	if len(runs) == 0 {
		return nil
	}
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO etl_withdrawn_runs (run_id, dataset, reason, withdrawn_at)`)
	if err != nil {
		return fmt.Errorf("withdraw runs: %w", err)
	}
	now := time.Now().UTC()
	for _, r := range runs {
		if err := batch.Append(r.ID, r.Dataset, reason, now); err != nil {
			return fmt.Errorf("withdraw runs: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("withdraw runs: %w", clickhouse.MapError(err))
	}
	return nil
}

// SaveRejects stores refused rows, and rows loaded with a warning.
func (s *Store) SaveRejects(ctx context.Context, rejects []ingest.Reject) error {
	if len(rejects) == 0 {
		return nil
	}
	const q = `INSERT INTO etl_rejects (run_id, dataset, source, sheet, line, reason, record, rejected_at, warning, column_name)`
	batch, err := s.db.PrepareBatch(ctx, q)
	if err != nil {
		return fmt.Errorf("save rejects: %w", err)
	}
	now := time.Now().UTC()
	for _, r := range rejects {
		var warning uint8
		if r.Warning {
			warning = 1
		}
		var column *string // null: the reason concerns the whole row
		if r.Column != "" {
			column = &r.Column
		}
		if err := batch.Append(r.RunID, r.Dataset, r.Source, r.Sheet, uint64(r.Line), r.Reason, r.Record, now, warning, column); err != nil {
			return fmt.Errorf("save rejects: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save rejects: %w", clickhouse.MapError(err))
	}
	return nil
}

type runRow struct {
	ID           uint64    `ch:"run_id"`
	Dataset      string    `ch:"dataset"`
	Source       string    `ch:"source"`
	Fingerprint  string    `ch:"fingerprint"`
	Status       string    `ch:"status"`
	StartedAt    time.Time `ch:"started_at"`
	FinishedAt   time.Time `ch:"finished_at"`
	RowsRead     uint64    `ch:"rows_read"`
	RowsLoaded   uint64    `ch:"rows_loaded"`
	RowsRejected uint64    `ch:"rows_rejected"`
	Error        string    `ch:"error"`
	Host         string    `ch:"host"`
	PID          uint32    `ch:"pid"`
	ProcessStart string    `ch:"process_start"`
}

func (r runRow) run() ingest.Run {
	run := ingest.Run{
		ID: r.ID, Dataset: r.Dataset, Source: r.Source, Fingerprint: r.Fingerprint,
		Status: ingest.Status(r.Status), StartedAt: r.StartedAt.UTC(),
		RowsRead: int(r.RowsRead), RowsLoaded: int(r.RowsLoaded), RowsRejected: int(r.RowsRejected), Error: r.Error,
		Process: ingest.Process{Host: r.Host, PID: int(r.PID), Start: r.ProcessStart},
	}
	if r.FinishedAt.Unix() > 0 {
		run.FinishedAt = r.FinishedAt.UTC()
	}
	return run
}

// latestRuns selects the newest version of every run.
const latestRuns = `
	SELECT run_id,
	       argMax(dataset, version)       AS dataset,
	       argMax(source, version)        AS source,
	       argMax(fingerprint, version)   AS fingerprint,
	       if(run_id IN (SELECT run_id FROM etl_withdrawn_runs), 'withdrawn',
	          toString(argMax(status, version))) AS status,
	       argMax(started_at, version)    AS started_at,
	       argMax(finished_at, version)   AS finished_at,
	       argMax(rows_read, version)     AS rows_read,
	       argMax(rows_loaded, version)   AS rows_loaded,
	       argMax(rows_rejected, version) AS rows_rejected,
	       argMax(error, version)         AS error,
	       argMax(host, version)          AS host,
	       argMax(pid, version)           AS pid,
	       argMax(process_start, version) AS process_start
	FROM etl_runs
	GROUP BY run_id`

// Runs returns the newest runs first, optionally of one dataset.
func (s *Store) Runs(ctx context.Context, last int, dataset string) ([]ingest.Run, error) {
	q := `SELECT * FROM (` + latestRuns + `) WHERE ? = '' OR dataset = ? ORDER BY run_id DESC LIMIT ?`
	var rows []runRow
	if err := s.db.Select(ctx, &rows, q, dataset, dataset, last); err != nil {
		return nil, err
	}
	return toRuns(rows), nil
}

// Run returns one run.
func (s *Store) Run(ctx context.Context, id uint64) (ingest.Run, bool, error) {
	q := `SELECT * FROM (` + latestRuns + `) WHERE run_id = ?`
	var rows []runRow
	if err := s.db.Select(ctx, &rows, q, id); err != nil {
		return ingest.Run{}, false, err
	}
	if len(rows) == 0 {
		return ingest.Run{}, false, nil
	}
	return rows[0].run(), true, nil
}

// LastSucceeded returns the newest succeeded run of dataset from source.
func (s *Store) LastSucceeded(ctx context.Context, dataset, source string) (ingest.Run, bool, error) {
	q := `SELECT * FROM (` + latestRuns + `) WHERE dataset = ? AND source = ? AND status = 'succeeded'
		ORDER BY run_id DESC LIMIT 1`
	var rows []runRow
	if err := s.db.Select(ctx, &rows, q, dataset, source); err != nil {
		return ingest.Run{}, false, err
	}
	if len(rows) == 0 {
		return ingest.Run{}, false, nil
	}
	return rows[0].run(), true, nil
}

// Freshness returns, for every dataset that has one, the last succeeded
// run that loaded rows: a run that refused every row changed nothing.
func (s *Store) Freshness(ctx context.Context) ([]ingest.Freshness, error) {
	q := `SELECT * FROM (` + latestRuns + `) WHERE status = 'succeeded' AND rows_loaded > 0 ORDER BY dataset, run_id DESC LIMIT 1 BY dataset`
	var rows []runRow
	if err := s.db.Select(ctx, &rows, q); err != nil {
		return nil, err
	}
	out := make([]ingest.Freshness, 0, len(rows))
	for _, r := range rows {
		out = append(out, ingest.Freshness{Dataset: r.Dataset, Last: r.run()})
	}
	return out, nil
}

// Unfinished returns the runs whose newest status is running or loaded,
// and whether a published snapshot generation includes each.
func (s *Store) Unfinished(ctx context.Context) ([]ingest.UnfinishedRun, error) {
	q := `SELECT * FROM (` + latestRuns + `) WHERE status IN ('running', 'loaded') ORDER BY run_id`
	var rows []runRow
	if err := s.db.Select(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("unfinished runs: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	published, err := s.db.PublishedRuns(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("unfinished runs: %w", err)
	}
	out := make([]ingest.UnfinishedRun, len(rows))
	for i, r := range rows {
		out[i] = ingest.UnfinishedRun{Run: r.run(), Published: published[r.ID]}
	}
	return out, nil
}

// rejectOrder is file order: source, sheet and line, then the reason and
// the record, so that every reject has a place of its own.
var rejectOrder = []clickhouse.KeyColumn{
	{Expr: "source", Kind: clickhouse.KeyText}, {Expr: "sheet", Kind: clickhouse.KeyText},
	{Expr: "line", Kind: clickhouse.KeyUInt}, {Expr: "reason", Kind: clickhouse.KeyText},
	{Expr: "record", Kind: clickhouse.KeyText},
}

// Warnings returns the first rows a run loaded with a warning, in source
// order.
func (s *Store) Warnings(ctx context.Context, runID uint64, first int) ([]ingest.Reject, error) {
	warnings, _, err := s.WarningPage(ctx, runID, keyset.Seek{Limit: first})
	return warnings, err
}

// Rejects returns the first rows a run refused, in source order.
func (s *Store) Rejects(ctx context.Context, runID uint64, first int) ([]ingest.Reject, error) {
	rejects, _, err := s.RejectPage(ctx, runID, keyset.Seek{Limit: first})
	return rejects, err
}

// RejectPage returns the page of the rows a run refused that follows seek's
// key in source order, with the counts around it.
func (s *Store) RejectPage(ctx context.Context, runID uint64, seek keyset.Seek) ([]ingest.Reject, keyset.Found, error) {
	return s.rejectPage(ctx, runID, false, seek)
}

// WarningPage is RejectPage for the rows a run loaded with a warning.
func (s *Store) WarningPage(ctx context.Context, runID uint64, seek keyset.Seek) ([]ingest.Reject, keyset.Found, error) {
	return s.rejectPage(ctx, runID, true, seek)
}

func (s *Store) rejectPage(ctx context.Context, runID uint64, warnings bool, seek keyset.Seek) ([]ingest.Reject, keyset.Found, error) {
	of := "run_id = ? AND warning = 0"
	if warnings {
		of = "run_id = ? AND warning = 1"
	}
	after, afterArgs := "1", []any(nil)
	if seek.After != nil {
		var err error
		if after, afterArgs, err = clickhouse.AfterKey(rejectOrder, seek.After); err != nil {
			return nil, keyset.Found{}, err
		}
	}
	q := `SELECT run_id, dataset, source, sheet, line, column_name, reason, record, ` + clickhouse.KeySelect(rejectOrder) + `
		FROM etl_rejects WHERE ` + of + ` AND ` + after + ` ORDER BY ` + clickhouse.KeyOrder(rejectOrder) + ` LIMIT ?`
	var rows []struct {
		RunID   uint64  `ch:"run_id"`
		Dataset string  `ch:"dataset"`
		Source  string  `ch:"source"`
		Sheet   string  `ch:"sheet"`
		Line    uint64  `ch:"line"`
		Column  *string `ch:"column_name"`
		Reason  string  `ch:"reason"`
		Record  string  `ch:"record"`
		K0      string  `ch:"k0"`
		K1      string  `ch:"k1"`
		K2      string  `ch:"k2"`
		K3      string  `ch:"k3"`
		K4      string  `ch:"k4"`
	}
	if err := s.db.Select(ctx, &rows, q, append(append([]any{runID}, afterArgs...), seek.Limit+1)...); err != nil {
		return nil, keyset.Found{}, err
	}
	var found keyset.Found
	counts := `SELECT count() AS total, countIf(NOT ` + after + `) AS before FROM etl_rejects WHERE ` + of
	var total, before uint64
	if err := s.db.QueryRow(ctx, counts, append(afterArgs, runID), &total, &before); err != nil {
		return nil, keyset.Found{}, err
	}
	found.TotalCount, found.HasPrevious = int(total), before > 0
	if len(rows) > seek.Limit {
		rows, found.HasNext = rows[:seek.Limit], true
	}
	out := make([]ingest.Reject, 0, len(rows))
	for _, r := range rows {
		rj := ingest.Reject{RunID: r.RunID, Dataset: r.Dataset, Source: r.Source, Sheet: r.Sheet,
			Line: int(r.Line), Reason: r.Reason, Record: r.Record, Warning: warnings}
		if r.Column != nil {
			rj.Column = *r.Column
		}
		out = append(out, rj)
		found.Keys = append(found.Keys, []string{r.K0, r.K1, r.K2, r.K3, r.K4})
	}
	return out, found, nil
}

func toRuns(rows []runRow) []ingest.Run {
	out := make([]ingest.Run, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.run())
	}
	return out
}
