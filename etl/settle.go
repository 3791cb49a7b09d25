package etl

import (
	"context"
	"fmt"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// SettleInterrupted records the end of the runs that a process left
// unfinished (killed, or its ClickHouse gone, before it could record the
// outcome): a run that a published generation includes is marked
// succeeded, since its rows count; any other is marked failed with the
// reason. A run whose process may still be running — this one, or one on
// another host — is left alone. sinergi calls it at start-up, and every
// load calls it first. It returns the runs it settled.
func (r *Runner) SettleInterrupted(ctx context.Context) ([]ingest.Run, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.settleInterrupted(ctx)
}

func (r *Runner) settleInterrupted(ctx context.Context) ([]ingest.Run, error) {
	unfinished, err := r.runs.Unfinished(ctx)
	if err != nil {
		return nil, fmt.Errorf("settling interrupted runs: %w", err)
	}
	var settled []ingest.Run
	for _, u := range unfinished {
		run := u.Run
		if run.Process == r.process || !run.Process.Gone() {
			continue
		}
		run.FinishedAt = r.now().UTC()
		if u.Published {
			run.Status = ingest.StatusSucceeded
		} else {
			run.Status = ingest.StatusFailed
			run.Error = fmt.Sprintf("interrupted: %s ended before the run was published (it was %s); none of its rows count", run.Process, u.Status)
		}
		if err := r.runs.SaveRun(ctx, run); err != nil {
			return settled, fmt.Errorf("settling interrupted runs: %w", err)
		}
		r.log.Warn("settled a run left unfinished by a process that is gone", "run", run.ID, "dataset", run.Dataset,
			"status", run.Status, "process", run.Process.String())
		settled = append(settled, run)
	}
	return settled, nil
}
