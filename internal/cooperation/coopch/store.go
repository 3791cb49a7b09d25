package coopch

import "github.com/sinergi-id/sinergi/internal/clickhouse"

// Store is the ClickHouse cooperation store.
type Store struct {
	db *clickhouse.DB
	// snapshotOnly answers every question from the snapshot, never from
	// its rollups (tests compare the two).
	snapshotOnly bool
}

// NewStore returns a Store on db.
func NewStore(db *clickhouse.DB) *Store { return &Store{db: db} }
