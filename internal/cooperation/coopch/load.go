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

// InsertRegister stores a register as loaded by a run.
func (s *Store) InsertRegister(ctx context.Context, runID uint64, source string, reg cooperation.Register) error {
	if err := s.insertAgreements(ctx, runID, source, reg.Records); err != nil {
		return err
	}
	if err := s.insertParties(ctx, runID, reg.Parties); err != nil {
		return err
	}
	if err := s.insertRealisations(ctx, runID, reg.Realisations); err != nil {
		return err
	}
	return s.insertBodies(ctx, runID, reg.Bodies)
}

func (s *Store) insertAgreements(ctx context.Context, runID uint64, source string, recs []cooperation.Record) error {
	if len(recs) == 0 {
		return nil
	}
	const q = `INSERT INTO coop_agreement_rows (run_id, agreement_id, document_numbers, title, document_type,
		signed_on, signed_place, starts_on, ends_on, status, declared_issues, derived_issues, fields,
		committed_value, funding_source, source_reference, region_codes, village_keys, party_types,
		partner_keys, partner_sectors, source)`
	return s.batch(ctx, "insert agreements", q, len(recs), func(i int) []any {
		r := recs[i]
		return []any{runID, r.ID, nonNil(r.DocumentNumbers), r.Title, string(r.DocumentType),
			date(r.SignedOn), r.SignedPlace, date(r.StartsOn), date(r.EndsOn), string(r.Status),
			strs(r.DeclaredIssues), strs(r.Derived), strs(r.Fields), r.CommittedValue, r.FundingSource,
			r.SourceReference, strs(r.RegionCodes), nonNil(r.VillageKeys), strs(r.PartyTypes),
			nonNil(r.PartnerKeys), strs(r.PartnerSectors), source}
	})
}

func (s *Store) insertParties(ctx context.Context, runID uint64, parties []cooperation.Party) error {
	const q = `INSERT INTO coop_party_rows (run_id, agreement_id, party_type, name, partner_key, region_code, sector, role, body_id)`
	return s.batch(ctx, "insert parties", q, len(parties), func(i int) []any {
		p := parties[i]
		return []any{runID, p.AgreementID, string(p.Type), p.Name, cooperation.PartnerKey(p.Name), string(p.Region),
			string(p.Sector), p.Role, p.BodyID}
	})
}

func (s *Store) insertRealisations(ctx context.Context, runID uint64, rs []cooperation.Realisation) error {
	const q = `INSERT INTO coop_realisation_rows (run_id, agreement_id, village_code, month, value, beneficiaries, outputs)`
	return s.batch(ctx, "insert realisations", q, len(rs), func(i int) []any {
		r := rs[i]
		return []any{runID, r.AgreementID, string(r.Village), r.Month, r.Value, uint32(r.Beneficiaries), r.Outputs}
	})
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
