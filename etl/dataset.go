package etl

import (
	"context"
	"time"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// Dataset is one kind of source the Runner loads: it reads a source,
// validates it into domain values and stores them under a run. The runner
// knows datasets only through this interface; adding one is writing a type
// that implements it and handing it to NewRunner.
type Dataset interface {
	// Name is the dataset's name on the command line, in jobs and in run
	// records.
	Name() string
	// Sources splits files into the sources of one run each.
	Sources(files []string) [][]string
	// Load reads, validates and stores one source as l.Run, setting its
	// RowsRead and RowsLoaded; refused rows go to l.Reject.
	Load(ctx context.Context, l *Load) error
	// Rows are where its loads store their rows, by run (pruning).
	Rows() RawRows
	// Snapshot names the snapshot (Refresher) its loads rebuild.
	Snapshot() string
}

// Gate is a Dataset that may refuse to load at all now (the simulation,
// beside a real register); the runner asks it under the load lock.
type Gate interface {
	CheckLoad(ctx context.Context) error
}

// Committer is a Dataset with something to do under the load lock before
// the runs it loaded are committed (a real register withdraws the
// simulation).
type Committer interface {
	BeforeCommit(ctx context.Context, loaded []ingest.Run) error
}

// Load is one source being loaded.
type Load struct {
	Run   *ingest.Run
	Paths []string
	// Now is when the load started (IDM takes years up to next year).
	Now time.Time

	rejects *rejectWriter
	pause   func(ctx context.Context, point string)
}

// Reject keeps a refused row.
func (l *Load) Reject(rj tabular.Reject) { l.rejects.add(rj) }

// Warn keeps a row that loaded but looks wrong (etlWarnings).
func (l *Load) Warn(rj tabular.Reject) { l.rejects.warn(rj) }

// Reach marks a point of the load at which a fault test may stop it
// ("inserting": some rows of the run are stored, not all).
func (l *Load) Reach(ctx context.Context, point string) {
	if l.pause != nil {
		l.pause(ctx, point)
	}
}

// OneRunPerFile is the sources of a dataset whose every file is one run.
func OneRunPerFile(files []string) [][]string {
	groups := make([][]string, len(files))
	for i, f := range files {
		groups[i] = []string{f}
	}
	return groups
}
