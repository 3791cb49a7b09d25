// Package ingest records what the ETL did: runs with their counts and
// outcome, the rows each run refused and why, and how fresh each dataset is.
package ingest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sinergi-id/sinergi/internal/keyset"
)

// Status is where a run stands. Its rows count only once a published
// snapshot generation includes the run (see clickhouse.CommittedRuns); the
// status follows that fact: Running while rows are read and inserted,
// Loaded once they are all stored and the aggregates are being rebuilt,
// Succeeded once the new generation is published, Failed when the run
// stopped before that — on an error, or found interrupted later (its
// process gone) by SettleInterrupted.
type Status string

const (
	StatusRunning   Status = "running"
	StatusLoaded    Status = "loaded"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	// StatusWithdrawn: the run loaded, then its rows were withdrawn (the
	// simulated register, when a real register replaces it).
	StatusWithdrawn Status = "withdrawn"
)

// Run is one ETL run of one dataset over one or more source files.
type Run struct {
	ID           uint64
	Dataset      string
	Source       string
	Fingerprint  string
	Status       Status
	StartedAt    time.Time
	FinishedAt   time.Time // zero while running
	RowsRead     int
	RowsLoaded   int
	RowsRejected int
	Error        string
	// Process is the process that ran it, so that an unfinished run can
	// be told apart from a live one.
	Process Process
}

// Duration is how long the run took, 0 while it runs.
func (r Run) Duration() time.Duration {
	if r.FinishedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// Reject is a source row a run refused, with where it came from and why.
type Reject struct {
	RunID   uint64
	Dataset string
	Source  string
	Sheet   string
	Line    int
	// Column is the header, as the file writes it, of the column the
	// reason is about; "" when it concerns the whole row (and for rejects
	// stored before columns were).
	Column string
	Reason string
	Record string
	// Warning marks a row that loaded but looks wrong; Reason says why.
	Warning bool
}

// Freshness is the last successful run of a dataset that loaded rows: a
// run that refused every row (or read none) changed no figure, so the data
// is as fresh as the run before it; etlRuns lists it with its rejects.
type Freshness struct {
	Dataset string
	Last    Run
}

// Limits on listings.
const (
	MaxRuns    = 200
	MaxRejects = 1000
)

// Store keeps runs and rejects.
type Store interface {
	SaveRun(ctx context.Context, run Run) error
	SaveRejects(ctx context.Context, rejects []Reject) error
	Runs(ctx context.Context, last int, dataset string) ([]Run, error)
	Run(ctx context.Context, id uint64) (Run, bool, error)
	Rejects(ctx context.Context, runID uint64, first int) ([]Reject, error)
	// RejectPage returns the page of a run's rejects after seek's key, in
	// file order.
	RejectPage(ctx context.Context, runID uint64, seek keyset.Seek) ([]Reject, keyset.Found, error)
	// WarningPage is RejectPage for the rows a run loaded with a warning.
	WarningPage(ctx context.Context, runID uint64, seek keyset.Seek) ([]Reject, keyset.Found, error)
	Freshness(ctx context.Context) ([]Freshness, error)
	// LastSucceeded returns the newest succeeded run of a dataset from the
	// given source, if any.
	LastSucceeded(ctx context.Context, dataset, source string) (Run, bool, error)
	// Unfinished returns the runs still running or loaded, with whether a
	// published generation includes each (then its rows count already).
	Unfinished(ctx context.Context) ([]UnfinishedRun, error)
	// Withdraw records that the runs' rows no longer count, with the reason;
	// the runs read as StatusWithdrawn from then on.
	Withdraw(ctx context.Context, runs []Run, reason string) error
}

// UnfinishedRun is a run that has not recorded its end.
type UnfinishedRun struct {
	Run
	Published bool
}

// Service answers questions about runs for the API.
type Service struct{ store Store }

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Runs returns the newest runs, at most MaxRuns.
func (s *Service) Runs(ctx context.Context, last int, dataset string) ([]Run, error) {
	if last < 1 || last > MaxRuns {
		return nil, invalid("last must be between 1 and %d", MaxRuns)
	}
	runs, err := s.store.Runs(ctx, last, dataset)
	if err != nil {
		return nil, fmt.Errorf("etl runs: %w", err)
	}
	return runs, nil
}

// DefaultRejects is the page size of etlRejects.
const DefaultRejects = 100

// Rejects returns a page of the rows a run refused, in file order.
func (s *Service) Rejects(ctx context.Context, runID uint64, page keyset.Request) (keyset.Page[Reject], error) {
	scope := keyset.NewScope("etlRejects", strconv.FormatUint(runID, 10))
	seek, err := scope.Seek(page, DefaultRejects, MaxRejects)
	if err != nil {
		return keyset.Page[Reject]{}, err
	}
	rejects, found, err := s.store.RejectPage(ctx, runID, seek)
	if err != nil {
		return keyset.Page[Reject]{}, fmt.Errorf("etl rejects: %w", err)
	}
	return keyset.NewPage(scope, rejects, found), nil
}

// Warnings returns a page of the rows a run loaded with a warning (a DESA
// party named unlike its code's desa), in file order.
func (s *Service) Warnings(ctx context.Context, runID uint64, page keyset.Request) (keyset.Page[Reject], error) {
	scope := keyset.NewScope("etlWarnings", strconv.FormatUint(runID, 10))
	seek, err := scope.Seek(page, DefaultRejects, MaxRejects)
	if err != nil {
		return keyset.Page[Reject]{}, err
	}
	warnings, found, err := s.store.WarningPage(ctx, runID, seek)
	if err != nil {
		return keyset.Page[Reject]{}, fmt.Errorf("etl warnings: %w", err)
	}
	return keyset.NewPage(scope, warnings, found), nil
}

// SimulationDataset is the dataset of the simulated register (SIMULASI)
// that `sinergi dev` loads over the real villages.
const SimulationDataset = "simulation"

// Simulation returns the run of the simulated register whose rows count,
// if one does: while it does, cooperation figures include simulated
// agreements.
func (s *Service) Simulation(ctx context.Context) (Run, bool, error) {
	fs, err := s.Freshness(ctx)
	if err != nil {
		return Run{}, false, err
	}
	for _, f := range fs {
		if f.Dataset == SimulationDataset {
			return f.Last, true, nil
		}
	}
	return Run{}, false, nil
}

// Freshness returns the last successful run per dataset that loaded rows.
func (s *Service) Freshness(ctx context.Context) ([]Freshness, error) {
	f, err := s.store.Freshness(ctx)
	if err != nil {
		return nil, fmt.Errorf("data freshness: %w", err)
	}
	return f, nil
}
