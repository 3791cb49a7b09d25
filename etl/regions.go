package etl

import (
	"context"
	"fmt"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/region"
)

// RegionRows stores region rows and gives the current register.
type RegionRows interface {
	InsertRows(ctx context.Context, runID uint64, source string, regions []region.Region) error
	RegionLister
	RawRows
}

// RegionLister gives the current region register, which every dataset's
// rows are checked against.
type RegionLister interface {
	All(ctx context.Context) ([]region.Region, error)
}

// knownRegions is the region register as the committed loads left it.
func knownRegions(ctx context.Context, regions RegionLister) (*RegionSet, error) {
	all, err := regions.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading current regions: %w", err)
	}
	return NewRegionSet(all), nil
}

// Regions is the dataset of the Kemendagri region register: one run per
// file.
type Regions struct{ rows RegionRows }

// NewRegions returns the regions dataset storing into rows.
func NewRegions(rows RegionRows) *Regions { return &Regions{rows: rows} }

func (d *Regions) Name() string                      { return DatasetRegions }
func (d *Regions) Snapshot() string                  { return DatasetRegions }
func (d *Regions) Rows() RawRows                     { return d.rows }
func (d *Regions) Sources(files []string) [][]string { return oneRunPerFile(files) }

// Load reads a region file, checking each region's parent against the file
// and the regions loaded before.
func (d *Regions) Load(ctx context.Context, l *Load) error {
	known, err := knownRegions(ctx, d.rows)
	if err != nil {
		return err
	}
	batch, err := parseFile(l.Paths[0], func(t *tabular.Table) (RegionBatch, error) { return parseRegions(t, known, l.Reject) })
	if err != nil {
		return err
	}
	l.Run.RowsRead, l.Run.RowsLoaded = batch.RowsRead, len(batch.Regions)
	return d.rows.InsertRows(ctx, l.Run.ID, l.Run.Source, batch.Regions)
}

// oneRunPerFile is the sources of a dataset whose every file is one run.
func oneRunPerFile(files []string) [][]string {
	groups := make([][]string, len(files))
	for i, f := range files {
		groups[i] = []string{f}
	}
	return groups
}

// RegionSnapshotStore rebuilds the regions snapshot (regionch.Store).
type RegionSnapshotStore interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error
}

// RegionsSnapshot is the snapshot of the region register.
func RegionsSnapshot(s RegionSnapshotStore) Snapshot {
	return Snapshot{Name: DatasetRegions, Tables: s.SnapshotTables(),
		Rebuild: func(ctx context.Context, gen, _ uint64, runs []uint64) error {
			return s.RebuildSnapshot(ctx, gen, runs)
		}}
}
