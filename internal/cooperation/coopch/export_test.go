package coopch

import (
	"context"

	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// SnapshotOnly returns a Store on the same database that answers every
// question from the snapshot, never from its rollups, so that tests can
// compare the two answers.
func (s *Store) SnapshotOnly() *Store { return &Store{db: s.db, snapshotOnly: true} }

// CubeAnswers reports whether the cubes answer every statement of q (its
// rows and its totals).
func CubeAnswers(q cooperation.StatsQuery) bool {
	var agreements, realisations []cooperation.Measure
	for _, m := range q.Measures {
		if m.FromRealisations() {
			realisations = append(realisations, m)
		} else {
			agreements = append(agreements, m)
		}
	}
	for _, dims := range [][]cooperation.Dimension{q.Dimensions, nil} {
		if len(agreements) > 0 && agreementCubeQuery(q, dims, agreements) == nil ||
			len(realisations) > 0 && realisedCubeQuery(q, dims, realisations) == nil {
			return false
		}
	}
	return true
}

// IncrementalBase is incrementalBase: the generation a refresh publishing
// runs would copy from, and the agreements it would rebuild (nil: all).
func (s *Store) IncrementalBase(ctx context.Context, runs []uint64) (uint64, []string, error) {
	prev, ids, err := s.incrementalBase(ctx, runs)
	return prev.gen, ids, err
}
