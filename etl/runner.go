// Package etl reads source files, validates them, loads them into
// ClickHouse, rebuilds the aggregates that depend on them and records every
// run. The scheduler (scheduler.go) runs configured loads with gocron.
package etl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// Dataset names, as used on the command line, in job configuration and in
// run records.
const (
	DatasetRegions  = "regions"
	DatasetIDM      = "idm"
	DatasetRegister = "register"
	// DatasetSimulation is a register in the same format whose agreements
	// and bodies are all simulated (ids starting SIMULASI-): what `sinergi
	// dev` shows over the real villages so that charts have something to
	// show. It never mixes with a real register: loading a real register
	// withdraws it, and it is refused beside one (see Runner).
	DatasetSimulation = ingest.SimulationDataset
)

// RawRows are a dataset's rows as loaded, by run, which pruning deletes
// once no answer needs them (prune.go).
type RawRows interface {
	RunsWithRows(ctx context.Context) ([]uint64, error)
	// WinningRuns are the committed runs the snapshots are built from.
	WinningRuns(ctx context.Context) ([]uint64, error)
	DeleteRuns(ctx context.Context, runs []uint64) error
}

// Runner loads files, one run per file, and refreshes the aggregates.
type Runner struct {
	runs      ingest.Store
	datasets  []Dataset // in the order a full load must take
	refresher *Refresher
	lock      ingest.LoadLock
	log       *slog.Logger
	now       func() time.Time

	// mu serialises loads in this process, lock across processes: a load
	// validates against the regions that the previous load committed, and
	// two rebuilds must not interleave their publishes.
	mu sync.Mutex

	// pause, when set (by fault tests), is called at the named points of
	// a load: "inserting" (a register's parties are stored, its
	// realisations not yet), "inserted" (every row is stored), "loaded"
	// (the run is recorded as loaded, the refresh not started), then the
	// Refresher's points.
	pause func(ctx context.Context, point string)

	// process is recorded in every run this runner starts.
	process ingest.Process

	// published is told each generation a load publishes (the API's
	// result cache listens).
	published []func(generation uint64)

	metrics *Metrics // nil: runs are counted nowhere
}

// OnPublish registers f to be called with every generation a load
// publishes.
func (r *Runner) OnPublish(f func(generation uint64)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.published = append(r.published, f)
}

// NewRunner returns a Runner of the datasets, given in the order a full
// load must take (the regions first: every other dataset is checked
// against them).
func NewRunner(runs ingest.Store, datasets []Dataset, refresher *Refresher, lock ingest.LoadLock, log *slog.Logger) *Runner {
	return &Runner{runs: runs, datasets: datasets, refresher: refresher, lock: lock, log: log,
		now: time.Now, process: ingest.CurrentProcess()}
}

// Datasets are the names of the datasets the runner loads, in load order.
func (r *Runner) Datasets() []string {
	names := make([]string, len(r.datasets))
	for i, d := range r.datasets {
		names[i] = d.Name()
	}
	return names
}

func (r *Runner) dataset(name string) (Dataset, error) {
	for _, d := range r.datasets {
		if d.Name() == name {
			return d, nil
		}
	}
	return nil, fault.Invalid("unknown dataset %q (known: %v)", name, r.Datasets())
}

// Sources splits files into the sources of one run each, as dataset reads
// them.
func (r *Runner) Sources(dataset string, files []string) ([][]string, error) {
	d, err := r.dataset(dataset)
	if err != nil {
		return nil, err
	}
	return d.Sources(files), nil
}

func (r *Runner) reach(ctx context.Context, point string) {
	if r.pause != nil {
		r.pause(ctx, point)
	}
}

// Result is what a load did, one run per file.
type Result struct {
	Runs    []ingest.Run
	Rejects []ingest.Reject
}

// Load loads each source as one run of dataset, then rebuilds the
// aggregates once. A source is one file, except for a register given as CSV
// files (one per table), which is one source. Sources that fail are recorded
// as failed runs and reported in the error; the others still load. Nothing a
// failed run wrote becomes visible.
func (r *Runner) Load(ctx context.Context, dataset string, files ...string) (Result, error) {
	ds, err := r.dataset(dataset)
	if err != nil {
		return Result{}, err
	}
	if len(files) == 0 {
		return Result{}, fault.Invalid("no files to load")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, true)
	if err != nil {
		return Result{}, fmt.Errorf("load %s: %w", dataset, err)
	}
	defer r.release(ctx, lease)
	// No other load runs now: every unfinished run was left by a process
	// that stopped.
	if _, err := r.settleInterrupted(ctx, true); err != nil {
		return Result{}, err
	}
	if gate, ok := ds.(Gate); ok {
		if err := gate.CheckLoad(ctx); err != nil {
			return Result{}, err
		}
	}

	var res Result
	var errs []error
	var loaded []ingest.Run
	started := map[uint64]time.Time{}
	defer func() {
		end := r.now()
		for _, run := range res.Runs {
			r.metrics.observe(run, started[run.ID], end)
		}
	}()
	for _, src := range ds.Sources(files) {
		start := r.now()
		run, rejects, err := r.loadSource(ctx, ds, src)
		started[run.ID] = start
		res.Rejects = append(res.Rejects, rejects...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", baseNames(src), err))
			res.Runs = append(res.Runs, run)
			continue
		}
		loaded = append(loaded, run)
	}
	if len(loaded) > 0 {
		refreshed, err := r.commit(ctx, lease, ds, loaded)
		res.Runs = append(res.Runs, refreshed...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if ctx.Err() == nil && lease.Held(ctx) == nil {
		r.prune(ctx, ds)
	}
	sort.Slice(res.Runs, func(i, j int) bool { return res.Runs[i].ID < res.Runs[j].ID })
	return res, errors.Join(errs...)
}

func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

// loadSource reads, validates and inserts one source as one run, leaving it
// in status loaded. On failure the run is recorded as failed.
func (r *Runner) loadSource(ctx context.Context, ds Dataset, paths []string) (ingest.Run, []ingest.Reject, error) {
	dataset := ds.Name()
	start := r.now().UTC()
	run := ingest.Run{
		ID:        uint64(start.UnixNano()),
		Dataset:   dataset,
		Source:    SourceName(paths...),
		Status:    ingest.StatusRunning,
		StartedAt: start.Truncate(time.Second),
		Process:   r.process,
	}
	log := r.log.With("dataset", dataset, "run", run.ID, "source", run.Source)
	fail := func(err error) (ingest.Run, []ingest.Reject, error) {
		run.Status = ingest.StatusFailed
		run.FinishedAt = r.now().UTC()
		run.Error = err.Error()
		// Record the failure even when ctx was cancelled.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if serr := r.runs.SaveRun(bg, run); serr != nil {
			log.Error("recording failed run", "err", serr)
		}
		log.Error("load failed", "err", err)
		return run, nil, err
	}

	fp, err := Fingerprint(paths...)
	if err != nil {
		return fail(err)
	}
	run.Fingerprint = fp
	if err := r.runs.SaveRun(ctx, run); err != nil {
		return fail(err)
	}
	log.Info("load started", "fingerprint", fp[:12])

	rejects := newRejectWriter(ctx, r.runs, &run)
	err = ds.Load(ctx, &Load{Run: &run, Paths: paths, Now: start, rejects: rejects, pause: r.pause})
	if cerr := rejects.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	run.RowsRejected = rejects.count
	r.reach(ctx, "inserted")
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("interrupted: %w", err))
	}
	run.Status = ingest.StatusLoaded
	if err := r.runs.SaveRun(ctx, run); err != nil {
		return fail(err)
	}
	if run.RowsRejected == 0 {
		log.Info("rows loaded", "read", run.RowsRead, "loaded", run.RowsLoaded, "rejected", 0)
	} else {
		// The first reasons, and where the rest are: a log line with only a
		// count leaves the reader nowhere.
		log.Warn("rows loaded, some refused", "read", run.RowsRead, "loaded", run.RowsLoaded, "rejected", run.RowsRejected,
			"first_reasons", firstReasons(rejects.reported(), 3),
			"all_reasons", fmt.Sprintf("GraphQL etlRejects(runId: %d, first: 1000, after: …) page by page", run.ID))
	}
	r.reach(ctx, "loaded")
	return run, rejects.reported(), nil
}

// firstReasons are up to n rejects as "sheet line N: reason", for a log line.
func firstReasons(rejects []ingest.Reject, n int) []string {
	var out []string
	for _, rj := range rejects[:min(n, len(rejects))] {
		where := filepath.Base(rj.Source)
		if rj.Sheet != "" {
			where += " " + rj.Sheet
		}
		out = append(out, fmt.Sprintf("%s line %d: %s", where, rj.Line, rj.Reason))
	}
	return out
}

// commit rebuilds the aggregates over the loaded runs and publishes them,
// which commits the runs, then marks them succeeded. A run whose
// generation was not published is marked failed: its rows stay out of
// every later rebuild. When it cannot be told whether the publish reached
// the server (the server went away), the runs stay loaded and the next
// load or start settles them (settleInterrupted).
func (r *Runner) commit(ctx context.Context, lease ingest.Lease, ds Dataset, loaded []ingest.Run) ([]ingest.Run, error) {
	dataset, start := ds.Name(), r.now()
	if c, ok := ds.(Committer); ok {
		if err := c.BeforeCommit(ctx, loaded); err != nil {
			return loaded, fmt.Errorf("commit %s: %w", dataset, err)
		}
	}
	ids := make([]uint64, len(loaded))
	for i, run := range loaded {
		ids[i] = run.ID
	}
	gen, err := r.refresher.Refresh(ctx, lease.Held, ids, ds.Snapshot())
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	published := err == nil
	if err != nil && gen != 0 {
		var perr error
		if published, perr = r.refresher.gens.GenerationPublished(bg, gen); perr != nil {
			r.log.Error("cannot tell whether the refresh was published; the next load settles its runs", "dataset", dataset, "err", perr)
			out := make([]ingest.Run, len(loaded))
			copy(out, loaded)
			return out, fmt.Errorf("commit %s: %w", dataset, err)
		}
	}
	status, msg := ingest.StatusSucceeded, ""
	if published {
		r.log.Info("aggregates refreshed", "dataset", dataset, "took", r.now().Sub(start).Round(time.Millisecond))
		for _, f := range r.published {
			f(gen)
		}
		if err != nil {
			r.log.Warn("the refresh was published although it reported an error", "dataset", dataset, "err", err)
			err = nil
		}
	} else {
		status, msg = ingest.StatusFailed, "refreshing aggregates: "+err.Error()
	}
	out := make([]ingest.Run, len(loaded))
	for i, run := range loaded {
		run.Status, run.Error, run.FinishedAt = status, msg, r.now().UTC()
		if serr := r.runs.SaveRun(bg, run); serr != nil && err == nil {
			err = serr
		}
		out[i] = run
	}
	if err != nil {
		return out, fmt.Errorf("commit %s: %w", dataset, err)
	}
	return out, nil
}

// SourceName is how a source is named in run records: the absolute paths
// of its files.
func SourceName(paths ...string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = p
		if abs, err := filepath.Abs(p); err == nil {
			names[i] = abs
		}
	}
	return strings.Join(names, ", ")
}

// Fingerprint is the SHA-256 of the files' content, in order.
func Fingerprint(paths ...string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", fmt.Errorf("fingerprint: %w", err)
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("fingerprint %s: %w", p, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// RebuildStale rebuilds the snapshots an upgrade left stale (see
// Refresher.RebuildStale), under the load lock.
func (r *Runner) RebuildStale(ctx context.Context) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, true)
	if err != nil {
		return nil, fmt.Errorf("rebuilding stale snapshots: %w", err)
	}
	defer r.release(ctx, lease)
	return r.refresher.RebuildStale(ctx, lease.Held)
}

// Rebuild rebuilds every snapshot whole from the rows of the committed
// runs and publishes it, under the load lock (sinergi etl rebuild). What
// loads publish must equal it table by table and row by row
// (TestPublicationEqualsFullRebuild). It returns the snapshots it rebuilt.
func (r *Runner) Rebuild(ctx context.Context) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, true)
	if err != nil {
		return nil, fmt.Errorf("rebuilding the snapshots: %w", err)
	}
	defer r.release(ctx, lease)
	var rebuilt []string
	for _, s := range r.refresher.snapshots {
		if s.Over != "" {
			continue // rebuilt with the snapshot it is built over
		}
		gen, err := r.refresher.Rebuild(ctx, lease.Held, s.Name)
		if err != nil {
			return rebuilt, fmt.Errorf("rebuilding the %s snapshots: %w", s.Name, err)
		}
		for _, f := range r.published {
			f(gen)
		}
		for _, c := range r.refresher.chain(s.Name) {
			rebuilt = append(rebuilt, c.Name)
		}
	}
	return rebuilt, nil
}

// Republish publishes a new generation of dataset's snapshots with what
// changed outside loads since the last publish — an agreement withdrawn or
// restored — under the load lock. It rebuilds only what changed where the
// snapshot can (Snapshot.Update), like a load.
func (r *Runner) Republish(ctx context.Context, dataset string) error {
	ds, err := r.dataset(dataset)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, true)
	if err != nil {
		return fmt.Errorf("publishing %s: %w", dataset, err)
	}
	defer r.release(ctx, lease)
	start := r.now()
	gen, err := r.refresher.Refresh(ctx, lease.Held, nil, ds.Snapshot())
	if err != nil {
		return fmt.Errorf("publishing %s: %w", dataset, err)
	}
	for _, f := range r.published {
		f(gen)
	}
	r.log.Info("aggregates refreshed", "dataset", dataset, "took", r.now().Sub(start).Round(time.Millisecond))
	return nil
}

// CommittedRuns are the runs of a dataset whose rows count.
func CommittedRuns(ctx context.Context, runs ingest.Store, dataset string) ([]ingest.Run, error) {
	all, err := runs.Runs(ctx, ingest.MaxRuns, dataset)
	if err != nil {
		return nil, err
	}
	var out []ingest.Run
	for _, run := range all {
		if run.Status == ingest.StatusSucceeded || run.Status == ingest.StatusLoaded {
			out = append(out, run)
		}
	}
	return out, nil
}

// CheckLoad says why a load of dataset would be refused now (the
// simulation beside a real register), or nil when it would load.
func (r *Runner) CheckLoad(ctx context.Context, dataset string) error {
	ds, err := r.dataset(dataset)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if gate, ok := ds.(Gate); ok {
		return gate.CheckLoad(ctx)
	}
	return nil
}

// Withdraw withdraws every run of dataset whose rows count and rebuilds its
// snapshot without them (sinergi simulation remove). It reports how many
// runs it withdrew; with none, it does nothing.
func (r *Runner) Withdraw(ctx context.Context, dataset, reason string) (int, error) {
	ds, err := r.dataset(dataset)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, true)
	if err != nil {
		return 0, fmt.Errorf("withdrawing %s: %w", dataset, err)
	}
	defer r.release(ctx, lease)
	withdrawn, err := CommittedRuns(ctx, r.runs, dataset)
	if err != nil || len(withdrawn) == 0 {
		return 0, err
	}
	if err := r.runs.Withdraw(ctx, withdrawn, reason); err != nil {
		return 0, err
	}
	gen, err := r.refresher.Refresh(ctx, lease.Held, nil, ds.Snapshot())
	if err != nil {
		return len(withdrawn), fmt.Errorf("withdrawing %s: %w", dataset, err)
	}
	for _, f := range r.published {
		f(gen)
	}
	r.log.Info("runs withdrawn", "dataset", dataset, "runs", len(withdrawn), "reason", reason)
	return len(withdrawn), nil
}
