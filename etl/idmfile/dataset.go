// Package idmfile is the dataset of the village development index (IDM):
// it reads an IDM file, validates each score against the region register
// and stores them as one run per file.
package idmfile

import (
	"context"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Rows stores IDM rows.
type Rows interface {
	InsertRows(ctx context.Context, runID uint64, source string, scores []idm.Score) error
	etl.RawRows
}

// Dataset is the dataset of the village development index: one run per
// file, each score checked against the region register.
type Dataset struct {
	rows    Rows
	regions region.Lister
}

// New returns the IDM dataset storing into rows, checking codes against
// regions.
func New(rows Rows, regions region.Lister) *Dataset { return &Dataset{rows: rows, regions: regions} }

func (d *Dataset) Name() string                      { return etl.DatasetIDM }
func (d *Dataset) Snapshot() string                  { return etl.DatasetIDM }
func (d *Dataset) Rows() etl.RawRows                 { return d.rows }
func (d *Dataset) Sources(files []string) [][]string { return etl.OneRunPerFile(files) }

// Load reads an IDM file.
func (d *Dataset) Load(ctx context.Context, l *etl.Load) error {
	known, err := region.Known(ctx, d.regions)
	if err != nil {
		return err
	}
	batch, err := tabular.ParseFile(l.Paths[0], func(t *tabular.Table) (Batch, error) {
		return parse(t, known, Years(l.Now), l.Reject)
	})
	if err != nil {
		return err
	}
	l.Run.RowsRead, l.Run.RowsLoaded = batch.RowsRead, len(batch.Scores)
	return d.rows.InsertRows(ctx, l.Run.ID, l.Run.Source, batch.Scores)
}

// Years is the range of years an IDM file may hold: from the first IDM
// (2015) to next year.
func Years(now time.Time) YearRange { return YearRange{Min: 2015, Max: now.Year() + 1} }

// SnapshotStore rebuilds the IDM snapshots against a regions generation
// (idmch.Store).
type SnapshotStore interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen, regionGen uint64, runs []uint64) error
}

// Snapshot is the snapshot of the IDM scores and their statistics per
// region, built over the regions.
func Snapshot(s SnapshotStore) etl.Snapshot {
	return etl.Snapshot{Name: etl.DatasetIDM, Tables: s.SnapshotTables(), Over: etl.DatasetRegions, Rebuild: s.RebuildSnapshot}
}
