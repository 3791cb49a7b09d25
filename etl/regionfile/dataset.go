// Package regionfile is the dataset of the Kemendagri region register: it
// reads a region file (the region list or the village list), validates it
// into regions and stores them as one run per file.
package regionfile

import (
	"context"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Rows stores region rows and gives the current register.
type Rows interface {
	InsertRows(ctx context.Context, runID uint64, source string, regions []region.Region) error
	region.Lister
	etl.RawRows
}

// Dataset is the dataset of the Kemendagri region register: one run per
// file.
type Dataset struct{ rows Rows }

// New returns the regions dataset storing into rows.
func New(rows Rows) *Dataset { return &Dataset{rows: rows} }

func (d *Dataset) Name() string                      { return etl.DatasetRegions }
func (d *Dataset) Snapshot() string                  { return etl.DatasetRegions }
func (d *Dataset) Rows() etl.RawRows                 { return d.rows }
func (d *Dataset) Sources(files []string) [][]string { return etl.OneRunPerFile(files) }

// Load reads a region file, checking each region's parent against the file
// and the regions loaded before.
func (d *Dataset) Load(ctx context.Context, l *etl.Load) error {
	known, err := region.Known(ctx, d.rows)
	if err != nil {
		return err
	}
	batch, err := tabular.ParseFile(l.Paths[0], func(t *tabular.Table) (Batch, error) { return parse(t, known, l.Reject) })
	if err != nil {
		return err
	}
	l.Run.RowsRead, l.Run.RowsLoaded = batch.RowsRead, len(batch.Regions)
	return d.rows.InsertRows(ctx, l.Run.ID, l.Run.Source, batch.Regions)
}

// SnapshotStore rebuilds the regions snapshot (regionch.Store).
type SnapshotStore interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error
}

// Snapshot is the snapshot of the region register.
func Snapshot(s SnapshotStore) etl.Snapshot {
	return etl.Snapshot{Name: etl.DatasetRegions, Tables: s.SnapshotTables(),
		Rebuild: func(ctx context.Context, gen, _ uint64, runs []uint64) error {
			return s.RebuildSnapshot(ctx, gen, runs)
		}}
}
