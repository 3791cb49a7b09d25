package coopch

import (
	"context"
	"fmt"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// Snapshot tables this store rebuilds.
const (
	AgreementsTable   = "coop_agreements"
	PartiesTable      = "coop_parties"
	RealisationsTable = "coop_realisations"
	YearlyTable       = "coop_realised_yearly"
	BodiesTable       = "coop_bodies"
)

// SnapshotTables lists them in rebuild order.
var SnapshotTables = []string{AgreementsTable, PartiesTable, RealisationsTable, YearlyTable, BodiesTable}

// winners selects, per agreement, the newest committed run that has it.
const winners = `(SELECT agreement_id, max(run_id) AS winning_run FROM coop_agreement_rows
	WHERE run_id IN ` + clickhouse.CommittedRuns + ` GROUP BY agreement_id)`

// RebuildSnapshot writes generation gen of every cooperation snapshot from
// the winning runs: an agreement, its parties and its realisations all come
// from the newest committed register that has the agreement.
func (s *Store) RebuildSnapshot(ctx context.Context, gen uint64) error {
	stmts := []struct{ name, q string }{
		{AgreementsTable, `
		INSERT INTO coop_agreements (generation, agreement_id, run_id, document_numbers, title, document_type,
			signed_on, signed_place, starts_on, ends_on, status, declared_issues, derived_issues, issues, fields,
			committed_value, funding_source, source_reference, region_codes, village_keys, party_types,
			partner_keys, partner_sectors)
		SELECT ?, agreement_id, run_id, document_numbers, title, document_type, signed_on, signed_place,
		       starts_on, ends_on, status, declared_issues, derived_issues,
		       arraySort(arrayDistinct(arrayConcat(declared_issues, derived_issues))), fields,
		       committed_value, funding_source, source_reference, region_codes, village_keys, party_types,
		       partner_keys, partner_sectors
		FROM coop_agreement_rows
		WHERE (agreement_id, run_id) IN ` + winners},
		{PartiesTable, `
		INSERT INTO coop_parties (generation, agreement_id, party_type, name, partner_key, region_code, sector, role, body_id)
		SELECT ?, agreement_id, party_type, name, partner_key, region_code, sector, role, body_id
		FROM coop_party_rows
		WHERE (agreement_id, run_id) IN ` + winners},
		{RealisationsTable, `
		INSERT INTO coop_realisations (generation, agreement_id, village_code, month, value, beneficiaries, outputs)
		SELECT ?, agreement_id, village_code, month, value, beneficiaries, outputs
		FROM coop_realisation_rows
		WHERE (agreement_id, run_id) IN ` + winners + `
		  AND (run_id, line) NOT IN (SELECT run_id, line FROM coop_realisation_dropped)`},
		{YearlyTable, `
		INSERT INTO coop_realised_yearly (generation, village_code, year, agreement_id, value, beneficiaries)
		SELECT generation, village_code, toYear(month) AS year, agreement_id, sum(value), sum(beneficiaries)
		FROM coop_realisations
		WHERE generation = ?
		GROUP BY generation, village_code, year, agreement_id`},
		{BodiesTable, `
		INSERT INTO coop_bodies (generation, body_id, name, region_code, established_on, legal_basis, joint_enterprise, members)
		SELECT ?, body_id, name, region_code, established_on, legal_basis, joint_enterprise, members
		FROM coop_body_rows
		WHERE (body_id, run_id) IN (SELECT body_id, max(run_id) FROM coop_body_rows
			WHERE run_id IN ` + clickhouse.CommittedRuns + ` GROUP BY body_id)`},
	}
	for _, st := range stmts {
		if err := s.db.Exec(ctx, st.q, gen); err != nil {
			return fmt.Errorf("rebuild %s: %w", st.name, err)
		}
	}
	return nil
}
