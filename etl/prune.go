package etl

import (
	"context"
	"fmt"
	"slices"
)

// Disk: every run stores its rows, and every refresh a generation of the
// snapshots. Pruning keeps what answers and audits need and drops the rest
// (issue 16, finding 8: 28 loads of one register kept 4.2 M realisation
// rows for a register of 200 k).
//
// Retention, per dataset:
//   - rows of a run that some answer is built from (it is the newest
//     committed run of some code, score, agreement or body) are kept;
//   - of the committed runs no answer is built from any more (superseded),
//     the newest retainSuperseded are kept, to compare a register with the
//     version it replaced; older ones are deleted;
//   - rows of runs that never counted (failed, interrupted, withdrawn) are
//     deleted at the next load;
//   - etl_runs and etl_rejects (what ran, what was refused and why) are
//     kept: they are the audit trail, and small;
//   - snapshot tables keep their current and previous generation; older
//     ones, and half-built ones of failed refreshes, are dropped.

// retainSuperseded is how many superseded committed runs a dataset keeps.
const retainSuperseded = 2

// pruneRuns deletes the rows of dataset's runs that retention does not
// keep, and returns those runs. It runs under the load lock, after a
// publish: no run is being loaded, so a run that is not committed is dead.
func (r *Runner) pruneRuns(ctx context.Context, ds Dataset) ([]uint64, error) {
	dataset, raw := ds.Name(), ds.Rows()
	stored, err := raw.RunsWithRows(ctx)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", dataset, err)
	}
	winning, err := raw.WinningRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", dataset, err)
	}
	committed, err := r.refresher.gens.CommittedRunIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", dataset, err)
	}
	var dead, superseded []uint64
	for _, run := range stored {
		switch {
		case slices.Contains(winning, run):
		case committed[run]:
			superseded = append(superseded, run)
		default:
			dead = append(dead, run)
		}
	}
	slices.Sort(superseded) // run ids grow with time: the newest last
	if n := len(superseded) - retainSuperseded; n > 0 {
		dead = append(dead, superseded[:n]...)
	}
	if len(dead) == 0 {
		return nil, nil
	}
	if err := raw.DeleteRuns(ctx, dead); err != nil {
		return nil, fmt.Errorf("prune %s: %w", dataset, err)
	}
	return dead, nil
}

// prune is the clean-up after a load's publish: failures only cost disk, so
// they are logged, not returned.
func (r *Runner) prune(ctx context.Context, ds Dataset) {
	dataset := ds.Name()
	if err := r.refresher.gens.DropDeadGenerations(ctx, r.refresher.allSnapshotTables()); err != nil {
		r.log.Warn("dropping dead snapshot generations", "err", err)
	}
	pruned, err := r.pruneRuns(ctx, ds)
	if err != nil {
		r.log.Warn("pruning the rows of old runs", "dataset", dataset, "err", err)
		return
	}
	if len(pruned) > 0 {
		r.log.Info("deleting the rows of runs no answer needs", "dataset", dataset, "runs", len(pruned))
	}
}
