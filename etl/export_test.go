package etl

import (
	"context"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// What the tests of package etl_test reach inside a Runner and a Scheduler.

// SetPause installs a fault test's pause on the runner and its refresher.
func (r *Runner) SetPause(pause func(ctx context.Context, point string)) {
	r.pause = pause
	r.refresher.pause = pause
}

// SetRefresherPause installs a pause on the refresher alone.
func (r *Runner) SetRefresherPause(pause func(ctx context.Context, point string)) {
	r.refresher.pause = pause
}

// SetProcessHost records the runner's runs as a process of host.
func (r *Runner) SetProcessHost(host string) { r.process.Host = host }

// LoadLock is the runner's load lock.
func (r *Runner) LoadLock() ingest.LoadLock { return r.lock }

// SetLoadLock replaces the runner's load lock.
func (r *Runner) SetLoadLock(lock ingest.LoadLock) { r.lock = lock }

// SnapshotTables are the tables of every snapshot the runner rebuilds.
func (r *Runner) SnapshotTables() []string { return r.refresher.allSnapshotTables() }

// Jobs are the scheduler's jobs.
func (s *Scheduler) Jobs() []Job { return s.jobs }
