// Package submissionch keeps who submitted which register run in
// ClickHouse (register_submissions, one row per run, written once by the
// writer's pool after the run is loaded).
package submissionch

import (
	"context"
	"fmt"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// Store is the ClickHouse submission.Store.
type Store struct{ db *clickhouse.DB }

// NewStore returns a Store on db.
func NewStore(db *clickhouse.DB) *Store { return &Store{db: db} }

var _ submission.Store = (*Store)(nil)

// SaveSubmission records a submission.
func (s *Store) SaveSubmission(ctx context.Context, sub submission.Submission) error {
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO register_submissions (run_id, submitted_at, actor, file_names, file_sizes, file_sha256, status, error)`)
	if err != nil {
		return fmt.Errorf("save submission: %w", err)
	}
	names, sizes, sums := make([]string, len(sub.Files)), make([]uint64, len(sub.Files)), make([]string, len(sub.Files))
	for i, f := range sub.Files {
		names[i], sizes[i], sums[i] = f.Name, uint64(f.Size), f.SHA256
	}
	if err := batch.Append(sub.RunID, sub.At, sub.Actor, names, sizes, sums, string(sub.Status), sub.Error); err != nil {
		return fmt.Errorf("save submission: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save submission: %w", clickhouse.MapError(err))
	}
	return nil
}

type row struct {
	RunID  uint64    `ch:"run_id"`
	At     time.Time `ch:"submitted_at"`
	Actor  string    `ch:"actor"`
	Names  []string  `ch:"file_names"`
	Sizes  []uint64  `ch:"file_sizes"`
	Sums   []string  `ch:"file_sha256"`
	Status string    `ch:"status"`
	Error  string    `ch:"error"`
}

// Submissions returns the submissions of the given runs that have one.
func (s *Store) Submissions(ctx context.Context, runs []uint64) (map[uint64]submission.Submission, error) {
	out := map[uint64]submission.Submission{}
	if len(runs) == 0 {
		return out, nil
	}
	var rows []row
	q := `SELECT run_id, submitted_at, actor, file_names, file_sizes, file_sha256, status, error
		FROM register_submissions WHERE has(?, run_id) ORDER BY run_id LIMIT 1 BY run_id`
	if err := s.db.Select(ctx, &rows, q, runs); err != nil {
		return nil, fmt.Errorf("submissions: %w", err)
	}
	for _, r := range rows {
		sub := submission.Submission{RunID: r.RunID, At: r.At.UTC(), Actor: r.Actor, Status: ingest.Status(r.Status), Error: r.Error}
		for i, name := range r.Names {
			f := submission.File{Name: name}
			if i < len(r.Sizes) {
				f.Size = int64(r.Sizes[i])
			}
			if i < len(r.Sums) {
				f.SHA256 = r.Sums[i]
			}
			sub.Files = append(sub.Files, f)
		}
		out[r.RunID] = sub
	}
	return out, nil
}

var _ submission.WithdrawalStore = (*Store)(nil)

// SaveWithdrawal adds a withdrawal (or restoration) row.
func (s *Store) SaveWithdrawal(ctx context.Context, w submission.Withdrawal) error {
	batch, err := s.db.PrepareBatch(ctx, `INSERT INTO coop_agreement_withdrawals (agreement_id, version, withdrawn, actor, at, reason)`)
	if err != nil {
		return fmt.Errorf("save withdrawal: %w", err)
	}
	var withdrawn uint8
	if w.Withdrawn {
		withdrawn = 1
	}
	if err := batch.Append(w.AgreementID, uint64(time.Now().UnixNano()), withdrawn, w.Actor, w.At, w.Reason); err != nil {
		return fmt.Errorf("save withdrawal: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("save withdrawal: %w", clickhouse.MapError(err))
	}
	return nil
}

type withdrawalRow struct {
	ID        string    `ch:"agreement_id"`
	Withdrawn uint8     `ch:"withdrawn"`
	Actor     string    `ch:"actor"`
	At        time.Time `ch:"at"`
	Reason    string    `ch:"reason"`
}

// Withdrawal is the newest withdrawal row of an agreement.
func (s *Store) Withdrawal(ctx context.Context, id string) (submission.Withdrawal, bool, error) {
	var rows []withdrawalRow
	q := `SELECT agreement_id, withdrawn, actor, at, reason FROM coop_agreement_withdrawals
		WHERE agreement_id = ? ORDER BY version DESC LIMIT 1`
	if err := s.db.Select(ctx, &rows, q, id); err != nil {
		return submission.Withdrawal{}, false, fmt.Errorf("withdrawal: %w", err)
	}
	if len(rows) == 0 {
		return submission.Withdrawal{}, false, nil
	}
	r := rows[0]
	return submission.Withdrawal{AgreementID: r.ID, Withdrawn: r.Withdrawn == 1, Actor: r.Actor, At: r.At.UTC(), Reason: r.Reason}, true, nil
}

// Withdrawn lists the agreements whose newest row withdraws them, the
// newest withdrawal first. (Aliases differ from the columns they
// aggregate: ClickHouse 18.16 reads an alias named as its own column as a
// cycle.)
func (s *Store) Withdrawn(ctx context.Context, limit int) ([]submission.Withdrawal, error) {
	var rows []withdrawalRow
	q := `SELECT agreement_id, w AS withdrawn, who AS actor, t AS at, why AS reason FROM (
			SELECT agreement_id, argMax(withdrawn, version) AS w, argMax(actor, version) AS who,
				argMax(at, version) AS t, argMax(reason, version) AS why
			FROM coop_agreement_withdrawals GROUP BY agreement_id)
		WHERE w = 1 ORDER BY t DESC, agreement_id LIMIT ?`
	if err := s.db.Select(ctx, &rows, q, limit); err != nil {
		return nil, fmt.Errorf("withdrawn agreements: %w", err)
	}
	out := make([]submission.Withdrawal, len(rows))
	for i, r := range rows {
		out[i] = submission.Withdrawal{AgreementID: r.ID, Withdrawn: true, Actor: r.Actor, At: r.At.UTC(), Reason: r.Reason}
	}
	return out, nil
}
