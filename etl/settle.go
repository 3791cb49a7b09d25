package etl

import (
	"context"
	"errors"
	"fmt"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// SettleInterrupted records the end of the runs that a process left
// unfinished (killed, or its ClickHouse gone, before it could record the
// outcome): a run that a published generation includes is marked
// succeeded, since its rows count; any other is marked failed with the
// reason. sinergi calls it at start-up, and every load calls it first.
//
// Every load holds the load lock: when the lock is free, no run can still
// be going on and every unfinished one is settled. When another process
// holds it, only the runs of processes known to be gone (on this host) are
// settled. It returns the runs it settled.
func (r *Runner) SettleInterrupted(ctx context.Context) ([]ingest.Run, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, false)
	if err != nil && !errors.Is(err, ingest.ErrLoadsLocked) {
		return nil, err
	}
	if err == nil {
		defer r.release(ctx, lease)
	}
	return r.settleInterrupted(ctx, err == nil)
}

// release gives the load lock back; failing to only delays the next load
// until the lock is found stale.
func (r *Runner) release(ctx context.Context, lease ingest.Lease) {
	if err := lease.Release(ctx); err != nil {
		r.log.Warn("releasing the load lock", "err", err)
	}
}

// settleInterrupted settles the unfinished runs: all of them when this
// process holds the load lock (locked), else those of processes known gone.
func (r *Runner) settleInterrupted(ctx context.Context, locked bool) ([]ingest.Run, error) {
	unfinished, err := r.runs.Unfinished(ctx)
	if err != nil {
		return nil, fmt.Errorf("settling interrupted runs: %w", err)
	}
	var settled []ingest.Run
	for _, u := range unfinished {
		run := u.Run
		if !locked && !run.Process.Gone() {
			continue
		}
		run.FinishedAt = r.now().UTC()
		if u.Published {
			run.Status = ingest.StatusSucceeded
		} else {
			run.Status = ingest.StatusFailed
			run.Error = fmt.Sprintf("interrupted: %s stopped before the run was published (it was %s); none of its rows count", run.Process, u.Status)
		}
		if err := r.runs.SaveRun(ctx, run); err != nil {
			return settled, fmt.Errorf("settling interrupted runs: %w", err)
		}
		r.log.Warn("settled a run left unfinished by a process that stopped", "run", run.ID, "dataset", run.Dataset,
			"status", run.Status, "process", run.Process.String())
		settled = append(settled, run)
	}
	return settled, nil
}
