package coopch

import (
	"log/slog"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// Store is the ClickHouse cooperation store.
type Store struct {
	db *clickhouse.DB
	// snapshotOnly answers every question from the snapshot, never from
	// its rollups (tests compare the two).
	snapshotOnly bool
	// log receives the time of each statement of a snapshot rebuild
	// (debug level): where a publish spends its seconds.
	log *slog.Logger
	// deltaBound, when set, replaces maxIncremental as the most agreements
	// a delta generation may list as changed (tests reach it with a few).
	deltaBound int
}

// NewStore returns a Store on db.
func NewStore(db *clickhouse.DB) *Store {
	return &Store{db: db, log: slog.New(slog.DiscardHandler)}
}

// LogRebuilds makes the store log the time of each statement of its
// snapshot rebuilds, at debug level, to log.
func (s *Store) LogRebuilds(log *slog.Logger) *Store {
	s.log = log
	return s
}

// BoundDeltas makes an incremental publish build a whole generation (a new
// base) once more than n agreements changed since the base, instead of
// maxIncremental: tests reach the bound with a few agreements.
func (s *Store) BoundDeltas(n int) *Store {
	s.deltaBound = n
	return s
}

// maxChanged is the most agreements a delta generation lists as changed.
func (s *Store) maxChanged() int {
	if s.deltaBound > 0 {
		return s.deltaBound
	}
	return maxIncremental
}
