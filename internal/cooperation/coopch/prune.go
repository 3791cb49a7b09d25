package coopch

import (
	"context"
	"fmt"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// rawTables hold registers as loaded (and the settling of their
// realisation copies), by run.
var rawTables = []string{"coop_agreement_rows", "coop_party_rows", "coop_realisation_rows", "coop_body_rows",
	"coop_realisation_dropped", "coop_realisation_copied_agreements"}

// RunsWithRows returns the runs that have rows stored: every register run
// stores agreement rows.
func (s *Store) RunsWithRows(ctx context.Context) ([]uint64, error) {
	return s.db.RunsWithRows(ctx, rawTables[0])
}

// WinningRuns returns the committed runs that are the newest committed
// register of some agreement or body: the runs the snapshots are built
// from (an agreement and its parties come from its run), and those of
// withdrawn agreements, kept for their restoration; and, per agreement,
// withdrawn ones too, the newest that had a realisations sheet, which its
// realisations come from (a register sent without one leaves them as they
// were; a restoration needs it as much as the agreement's newest run).
func (s *Store) WinningRuns(ctx context.Context) ([]uint64, error) {
	none := append([]any{[]uint64{}}, touched(nil)...)
	runs, err := s.db.RunIDs(ctx, `SELECT DISTINCT winning_run AS run_id FROM `+newestRuns+` AS agreement_winners
		UNION ALL
		SELECT DISTINCT winning_run AS run_id FROM `+newestRealisationRuns+` AS realisation_runs
		UNION ALL
		SELECT DISTINCT winner AS run_id FROM (SELECT body_id, max(run_id) AS winner FROM coop_body_rows
			WHERE run_id IN `+clickhouse.CommittedRuns+` GROUP BY body_id) AS body_winners`, append(none, none...)...)
	if err != nil {
		return nil, fmt.Errorf("winning register runs: %w", err)
	}
	return runs, nil
}

// DeleteRuns deletes the rows of runs from every raw table.
func (s *Store) DeleteRuns(ctx context.Context, runs []uint64) error {
	return s.db.DeleteRuns(ctx, runs, rawTables...)
}
