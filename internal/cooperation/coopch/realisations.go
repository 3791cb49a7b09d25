package coopch

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Realisations stream: a national register has millions of them, so they
// are inserted in blocks as they are read, and their duplicates are found
// afterwards, in ClickHouse (SettleRealisationCopies).

// RealisationBlockRows is how many realisations one block carries: enough
// to send efficiently, few enough to keep memory flat (two blocks are alive
// at a time, one filling and one being sent). ClickHouse gathers the blocks
// of one INSERT into parts of up to a million rows itself.
var RealisationBlockRows = 100_000

const insertRealisationLines = `INSERT INTO coop_realisation_rows
	(run_id, agreement_id, village_code, month, value, beneficiaries, outputs, line)`

// NewRealisationWriter returns a writer that inserts the realisations of
// run runID into coop_realisation_rows as they are appended, in one INSERT
// of blocks of RealisationBlockRows rows sent by a goroutine of its own
// (blockWriter, stream.go), so that reading the next block overlaps with
// sending the last. Rows that reach ClickHouse are tagged with the run: if
// the load fails they stay invisible, like every row of a run that is not
// committed.
func (s *Store) NewRealisationWriter(ctx context.Context, runID uint64) cooperation.RealisationWriter {
	return &realisationWriter{runID: runID, blockWriter: startBlockWriter(ctx, s.db, "insert realisations",
		insertRealisationLines, RealisationBlockRows, func() *realisationBlock { return &realisationBlock{} })}
}

type realisationWriter struct {
	*blockWriter[*realisationBlock]
	runID uint64
}

// realisationBlock holds one block's rows column by column, the way the
// driver takes them; its columns grow as rows come (a register of a few
// realisations stays small) and keep their room when the block is reused.
type realisationBlock struct {
	runID         []uint64
	agreement     []string
	village       []string
	month         []time.Time
	value         []decimal.Decimal
	beneficiaries []uint32
	outputs       []string
	line          []uint32
}

func (b *realisationBlock) rows() int { return len(b.line) }

func (b *realisationBlock) columns() []any {
	return []any{b.runID, b.agreement, b.village, b.month, b.value, b.beneficiaries, b.outputs, b.line}
}

func (b *realisationBlock) reset() {
	b.agreement, b.village, b.outputs = clearAll(b.agreement), clearAll(b.village), clearAll(b.outputs)
	b.value = clearAll(b.value)
	b.runID, b.month, b.beneficiaries, b.line = b.runID[:0], b.month[:0], b.beneficiaries[:0], b.line[:0]
}

func (w *realisationWriter) Append(r *cooperation.Realisation, line int) error {
	b := w.fill
	b.runID = append(b.runID, w.runID)
	b.agreement = append(b.agreement, r.AgreementID)
	b.village = append(b.village, string(r.Village))
	b.month = append(b.month, r.Month)
	b.value = append(b.value, r.Value)
	b.beneficiaries = append(b.beneficiaries, uint32(r.Beneficiaries))
	b.outputs = append(b.outputs, r.Outputs)
	b.line = append(b.line, uint32(line))
	return w.appended()
}

// SettleRealisationCopies deals with the realisations that run runID
// inserted more than once (one agreement, village and month on several
// lines), as the register's rules say: identical copies are kept once;
// copies that disagree are all refused. The rows that go are recorded in
// coop_realisation_dropped, which the snapshot leaves out. It returns how
// many rows were dropped as repeats of a kept row, and the refused copies
// ordered by agreement, village, month and line.
//
// One pass over the run's rows, grouped by agreement (the table's order),
// finds the agreements that have a village and month more than once; only
// when there are some does a second pass group their rows by realisation.
// (A hash collision can only flag an agreement without copies, which the
// exact grouping then clears.) Both passes are INSERT … SELECT, under the
// limits of writes: a run's rows may be many millions.
func (s *Store) SettleRealisationCopies(ctx context.Context, runID uint64) (repeats int, refused []cooperation.RealisationCopy, err error) {
	// In a cluster the rows were inserted through one replica of each
	// shard, and the reads below may be answered by another.
	if err := s.db.SyncReplicas(ctx, "coop_realisation_rows"); err != nil {
		return 0, nil, fmt.Errorf("find realisation copies: %w", err)
	}
	const flag = `INSERT INTO coop_realisation_copied_agreements (run_id, agreement_id)
		SELECT ?, agreement_id FROM (
			SELECT agreement_id, count() AS copies, uniqExact(cityHash64(village_code, month)) AS distinct_keys
			FROM coop_realisation_rows WHERE run_id = ? GROUP BY agreement_id)
		WHERE copies > distinct_keys`
	if err := s.db.Exec(ctx, flag, runID, runID); err != nil {
		return 0, nil, fmt.Errorf("find realisation copies: %w", err)
	}
	var flagged uint64
	if err := s.db.QueryRow(ctx, `SELECT count() FROM coop_realisation_copied_agreements WHERE run_id = ?`, []any{runID}, &flagged); err != nil {
		return 0, nil, fmt.Errorf("find realisation copies: %w", err)
	}
	if flagged == 0 {
		return 0, nil, nil
	}
	// Identical copies (one variant): all lines but the first go. Copies
	// that disagree: every line goes, refused. (GLOBAL IN: in a cluster
	// coop_realisation_rows is sharded, and a plain IN's subquery would run
	// on each shard's server in its default database; GLOBAL runs it here
	// once. On one server it is a plain IN.)
	const drop = `INSERT INTO coop_realisation_dropped (run_id, agreement_id, line, refused)
		SELECT ?, agreement_id, arrayJoin(if(variants = 1, arraySlice(arraySort(copy_lines), 2), copy_lines)), toUInt8(variants > 1)
		FROM (
			SELECT agreement_id, groupArray(line) AS copy_lines, uniqExact(value, beneficiaries, outputs) AS variants
			FROM coop_realisation_rows
			WHERE agreement_id GLOBAL IN (SELECT agreement_id FROM coop_realisation_copied_agreements WHERE run_id = ?)
			  AND run_id = ?
			GROUP BY agreement_id, village_code, month
			HAVING count() > 1)`
	if err := s.db.Exec(ctx, drop, runID, runID, runID); err != nil {
		return 0, nil, fmt.Errorf("settle realisation copies: %w", err)
	}
	var dropped, refusedRows uint64
	if err := s.db.QueryRow(ctx, `SELECT count(), countIf(refused = 1) FROM coop_realisation_dropped WHERE run_id = ?`,
		[]any{runID}, &dropped, &refusedRows); err != nil {
		return 0, nil, fmt.Errorf("count realisation copies: %w", err)
	}
	repeats = int(dropped - refusedRows)
	if refusedRows == 0 {
		return repeats, nil, nil
	}
	// The refused rows, found through their agreements (the table's key).
	rows, err := s.db.Query(ctx, `
		SELECT agreement_id, village_code, month, value, beneficiaries, outputs, line
		FROM coop_realisation_rows
		WHERE agreement_id GLOBAL IN (SELECT agreement_id FROM coop_realisation_dropped WHERE run_id = ? AND refused = 1)
		  AND run_id = ?
		  AND line GLOBAL IN (SELECT line FROM coop_realisation_dropped WHERE run_id = ? AND refused = 1)
		ORDER BY agreement_id, village_code, month, line`, runID, runID, runID)
	if err != nil {
		return 0, nil, fmt.Errorf("read refused realisation copies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c cooperation.RealisationCopy
		var village string
		var beneficiaries, line uint32
		if err := rows.Scan(&c.AgreementID, &village, &c.Month, &c.Value, &beneficiaries, &c.Outputs, &line); err != nil {
			return 0, nil, fmt.Errorf("read refused realisation copies: %w", clickhouse.MapError(err))
		}
		c.Village, c.Beneficiaries, c.Line = region.Code(village), int(beneficiaries), int(line)
		c.Month = time.Date(c.Month.Year(), c.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
		refused = append(refused, c)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("read refused realisation copies: %w", clickhouse.MapError(err))
	}
	if len(refused) != int(refusedRows) {
		return 0, nil, fmt.Errorf("read refused realisation copies: %d rows, want %d", len(refused), refusedRows)
	}
	return repeats, refused, nil
}

// KeepRealisations records that run runID had no realisations sheet: the
// snapshot keeps the realisations of its agreements from the newest run
// that had one.
func (s *Store) KeepRealisations(ctx context.Context, runID uint64) error {
	if err := s.db.Exec(ctx, `INSERT INTO coop_runs_without_realisations (run_id) SELECT ?`, runID); err != nil {
		return fmt.Errorf("keep realisations: %w", err)
	}
	return nil
}

// RealisedVillages calls each with every agreement and village of the
// current realisations: what a run that keeps them adds to its records.
func (s *Store) RealisedVillages(ctx context.Context, each func(agreementID string, village region.Code)) error {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT agreement_id, village_code FROM coop_realisations
		WHERE `+currentRows(RealisationsTable)+` AND village_code != ''`)
	if err != nil {
		return fmt.Errorf("realised villages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, village string
		if err := rows.Scan(&id, &village); err != nil {
			return fmt.Errorf("realised villages: %w", clickhouse.MapError(err))
		}
		each(id, region.Code(village))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("realised villages: %w", clickhouse.MapError(err))
	}
	return nil
}
