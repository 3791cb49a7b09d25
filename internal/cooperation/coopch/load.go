// Package coopch keeps the cooperation register in ClickHouse: the rows as
// loaded, the current snapshots, and the queries that answer planners.
package coopch

import (
	"context"
	"fmt"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// InsertBodies stores the bodies of a register loaded by run runID. They
// are few (a BKAD per kecamatan at most); the register's other tables
// stream (NewPartyWriter, NewRealisationWriter, NewRecordWriter).
func (s *Store) InsertBodies(ctx context.Context, runID uint64, bodies []cooperation.Body) error {
	return s.insertBodies(ctx, runID, bodies)
}

func (s *Store) insertBodies(ctx context.Context, runID uint64, bodies []cooperation.Body) error {
	const q = `INSERT INTO coop_body_rows (run_id, body_id, name, region_code, established_on, legal_basis, joint_enterprise, members)`
	return s.batch(ctx, "insert bodies", q, len(bodies), func(i int) []any {
		b := bodies[i]
		return []any{runID, b.ID, b.Name, string(b.Region), date(b.EstablishedOn), b.LegalBasis, b.JointEnterprise, strs(b.Members)}
	})
}

// batchSize bounds the rows sent in one block, so memory stays flat on large
// registers.
const batchSize = 100_000

func (s *Store) batch(ctx context.Context, op, q string, n int, row func(int) []any) error {
	for start := 0; start < n; start += batchSize {
		b, err := s.db.PrepareBatch(ctx, q)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		for i := start; i < min(n, start+batchSize); i++ {
			if err := b.Append(row(i)...); err != nil {
				b.Abort()
				return fmt.Errorf("%s: row %d: %w", op, i, err)
			}
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("%s: %w", op, clickhouse.MapError(err))
		}
	}
	return nil
}

func date(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func nonNil(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}
