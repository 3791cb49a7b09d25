package etl

import (
	"context"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/idm"
)

// IDMRows stores IDM rows.
type IDMRows interface {
	InsertRows(ctx context.Context, runID uint64, source string, scores []idm.Score) error
	RawRows
}

// IDM is the dataset of the village development index: one run per file,
// each score checked against the region register.
type IDM struct {
	rows    IDMRows
	regions RegionLister
}

// NewIDM returns the IDM dataset storing into rows, checking codes against
// regions.
func NewIDM(rows IDMRows, regions RegionLister) *IDM { return &IDM{rows: rows, regions: regions} }

func (d *IDM) Name() string                      { return DatasetIDM }
func (d *IDM) Snapshot() string                  { return DatasetIDM }
func (d *IDM) Rows() RawRows                     { return d.rows }
func (d *IDM) Sources(files []string) [][]string { return oneRunPerFile(files) }

// Load reads an IDM file.
func (d *IDM) Load(ctx context.Context, l *Load) error {
	known, err := knownRegions(ctx, d.regions)
	if err != nil {
		return err
	}
	batch, err := parseFile(l.Paths[0], func(t *tabular.Table) (IDMBatch, error) {
		return parseIDM(t, known, IDMYears(l.Now), l.Reject)
	})
	if err != nil {
		return err
	}
	l.Run.RowsRead, l.Run.RowsLoaded = batch.RowsRead, len(batch.Scores)
	return d.rows.InsertRows(ctx, l.Run.ID, l.Run.Source, batch.Scores)
}

// IDMSnapshotStore rebuilds the IDM snapshots against a regions generation
// (idmch.Store).
type IDMSnapshotStore interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen, regionGen uint64, runs []uint64) error
}

// IDMSnapshot is the snapshot of the IDM scores and their statistics per
// region, built over the regions.
func IDMSnapshot(s IDMSnapshotStore) Snapshot {
	return Snapshot{Name: DatasetIDM, Tables: s.SnapshotTables(), Over: DatasetRegions, Rebuild: s.RebuildSnapshot}
}
