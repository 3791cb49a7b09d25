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
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sinergi-id/sinergi/etl/seed"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
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

// Datasets lists the datasets the runner loads, in the order a full load
// must take (IDM rows and registers are checked against the regions).
var Datasets = []string{DatasetRegions, DatasetIDM, DatasetRegister, DatasetSimulation}

// RegionRows stores region rows and gives the current register.
type RegionRows interface {
	InsertRows(ctx context.Context, runID uint64, source string, regions []region.Region) error
	All(ctx context.Context) ([]region.Region, error)
	RawRows
}

// IDMRows stores IDM rows.
type IDMRows interface {
	InsertRows(ctx context.Context, runID uint64, source string, scores []idm.Score) error
	RawRows
}

// RawRows are a dataset's rows as loaded, by run, which pruning deletes
// once no answer needs them (prune.go).
type RawRows interface {
	RunsWithRows(ctx context.Context) ([]uint64, error)
	// WinningRuns are the committed runs the snapshots are built from.
	WinningRuns(ctx context.Context) ([]uint64, error)
	DeleteRuns(ctx context.Context, runs []uint64) error
}

// RegisterRows stores cooperation registers. A register's parties,
// realisations and agreement records stream: they go to writers as they are
// read, and the copies of realisations are settled where they are stored.
type RegisterRows interface {
	RawRows
	NewPartyWriter(ctx context.Context, runID uint64) cooperation.PartyWriter
	NewRealisationWriter(ctx context.Context, runID uint64) cooperation.RealisationWriter
	NewRecordWriter(ctx context.Context, runID uint64, source string) cooperation.RecordWriter
	InsertBodies(ctx context.Context, runID uint64, bodies []cooperation.Body) error
	// SettleRealisationCopies keeps one of identical copies of a
	// realisation (agreement, village, month) that the run stored, and
	// drops every copy of copies that disagree. It returns how many rows it
	// dropped as repeats, and the refused copies grouped by realisation,
	// each group ordered by line.
	SettleRealisationCopies(ctx context.Context, runID uint64) (repeats int, refused []cooperation.RealisationCopy, err error)
	// KeepRealisations records that the run had no realisations sheet, so
	// its agreements keep the realisations they have.
	KeepRealisations(ctx context.Context, runID uint64) error
	// RealisedVillages lists the villages the current realisations reach,
	// per agreement.
	RealisedVillages(ctx context.Context, each func(agreementID string, village region.Code)) error
}

// Runner loads files, one run per file, and refreshes the aggregates.
type Runner struct {
	runs      ingest.Store
	regions   RegionRows
	scores    IDMRows
	registers RegisterRows
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
}

// The register of the source articles (etl/seed) is the one real register
// the simulation is shown beside, as `sinergi dev` does: loading it neither
// withdraws the simulation nor refuses it. It is known by its content,
// wherever it was copied to.
var seedFingerprint = seed.Fingerprint()

func isSeed(run ingest.Run) bool { return run.Fingerprint == seedFingerprint }

// OnPublish registers f to be called with every generation a load
// publishes.
func (r *Runner) OnPublish(f func(generation uint64)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.published = append(r.published, f)
}

// NewRunner returns a Runner.
func NewRunner(runs ingest.Store, regions RegionRows, scores IDMRows, registers RegisterRows, refresher *Refresher, lock ingest.LoadLock, log *slog.Logger) *Runner {
	return &Runner{runs: runs, regions: regions, scores: scores, registers: registers, refresher: refresher, lock: lock, log: log,
		now: time.Now, process: ingest.CurrentProcess()}
}

// setPause installs a fault test's pause on the runner and its refresher.
func (r *Runner) setPause(pause func(ctx context.Context, point string)) {
	r.pause = pause
	r.refresher.pause = pause
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
	if !validDataset(dataset) {
		return Result{}, fault.Invalid("unknown dataset %q (known: %v)", dataset, Datasets)
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
	if dataset == DatasetSimulation {
		if err := r.checkNoRealRegister(ctx); err != nil {
			return Result{}, err
		}
	}

	var res Result
	var errs []error
	var loaded []ingest.Run
	for _, src := range SourceGroups(dataset, files) {
		run, rejects, err := r.loadSource(ctx, dataset, src)
		res.Rejects = append(res.Rejects, rejects...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", baseNames(src), err))
			res.Runs = append(res.Runs, run)
			continue
		}
		loaded = append(loaded, run)
	}
	if len(loaded) > 0 {
		refreshed, err := r.commit(ctx, lease, dataset, loaded)
		res.Runs = append(res.Runs, refreshed...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if ctx.Err() == nil && lease.Held(ctx) == nil {
		r.prune(ctx, dataset)
	}
	sort.Slice(res.Runs, func(i, j int) bool { return res.Runs[i].ID < res.Runs[j].ID })
	return res, errors.Join(errs...)
}

func validDataset(name string) bool {
	for _, d := range Datasets {
		if d == name {
			return true
		}
	}
	return false
}

// SourceGroups splits files into the sources of one run each: every file on
// its own, except CSV files of a register, which together are one register.
func SourceGroups(dataset string, files []string) [][]string {
	var groups [][]string
	var csvRegister []string
	for _, f := range files {
		if isRegister(dataset) && strings.EqualFold(filepath.Ext(f), ".csv") {
			csvRegister = append(csvRegister, f)
			continue
		}
		groups = append(groups, []string{f})
	}
	if len(csvRegister) > 0 {
		groups = append(groups, csvRegister)
	}
	return groups
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
func (r *Runner) loadSource(ctx context.Context, dataset string, paths []string) (ingest.Run, []ingest.Reject, error) {
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

	// Every dataset is checked against the regions committed so far.
	known, err := r.knownRegions(ctx)
	if err != nil {
		return fail(err)
	}
	rejects := newRejectWriter(ctx, r.runs, &run)
	switch dataset {
	case DatasetRegions:
		err = r.loadRegions(ctx, &run, paths[0], known, rejects)
	case DatasetIDM:
		err = r.loadIDM(ctx, &run, paths[0], known, rejects)
	case DatasetRegister, DatasetSimulation:
		err = r.loadRegister(ctx, &run, paths, known, rejects)
	}
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
	log.Info("rows loaded", "read", run.RowsRead, "loaded", run.RowsLoaded, "rejected", run.RowsRejected)
	r.reach(ctx, "loaded")
	return run, rejects.reported(), nil
}

// commit rebuilds the aggregates over the loaded runs and publishes them,
// which commits the runs, then marks them succeeded. A run whose
// generation was not published is marked failed: its rows stay out of
// every later rebuild. When it cannot be told whether the publish reached
// the server (the server went away), the runs stay loaded and the next
// load or start settles them (settleInterrupted).
func (r *Runner) commit(ctx context.Context, lease ingest.Lease, dataset string, loaded []ingest.Run) ([]ingest.Run, error) {
	start := r.now()
	if dataset == DatasetRegister && slices.ContainsFunc(loaded, func(run ingest.Run) bool { return !isSeed(run) }) {
		// A real register replaces the simulation: the refresh below is the
		// first snapshot without it. Should the refresh fail, the
		// simulation stays withdrawn and the next refresh leaves it out.
		if err := r.withdrawSimulation(ctx, fmt.Sprintf("replaced by the real register of run %d", loaded[len(loaded)-1].ID)); err != nil {
			return loaded, fmt.Errorf("commit %s: %w", dataset, err)
		}
	}
	ids := make([]uint64, len(loaded))
	for i, run := range loaded {
		ids[i] = run.ID
	}
	gen, err := r.refresher.Refresh(ctx, lease.Held, ids, refreshedAs(dataset))
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

func (r *Runner) knownRegions(ctx context.Context) (*RegionSet, error) {
	all, err := r.regions.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading current regions: %w", err)
	}
	return NewRegionSet(all), nil
}

// parseFile opens a file as a table and parses it.
func parseFile[B any](path string, parse func(*tabular.Table) (B, error)) (B, error) {
	var zero B
	t, err := tabular.Open(path)
	if err != nil {
		return zero, err
	}
	defer t.Close()
	return parse(t)
}

func (r *Runner) loadRegions(ctx context.Context, run *ingest.Run, path string, known *RegionSet, rejects *rejectWriter) error {
	batch, err := parseFile(path, func(t *tabular.Table) (RegionBatch, error) { return parseRegions(t, known, rejects.add) })
	if err != nil {
		return err
	}
	run.RowsRead, run.RowsLoaded = batch.RowsRead, len(batch.Regions)
	return r.regions.InsertRows(ctx, run.ID, run.Source, batch.Regions)
}

func (r *Runner) loadIDM(ctx context.Context, run *ingest.Run, path string, known *RegionSet, rejects *rejectWriter) error {
	batch, err := parseFile(path, func(t *tabular.Table) (IDMBatch, error) {
		return parseIDM(t, known, IDMYears(r.now()), rejects.add)
	})
	if err != nil {
		return err
	}
	run.RowsRead, run.RowsLoaded = batch.RowsRead, len(batch.Scores)
	return r.scores.InsertRows(ctx, run.ID, run.Source, batch.Scores)
}

// loadRegister streams a register into ClickHouse as it is read: parties
// and realisations go to their tables as they are validated, each party
// and realised village leaving in memory only what its agreement's record
// says (cooperation.RecordBuilder). The copies of realisations are then
// settled in ClickHouse, and the agreements, which were only numbered, are
// read again and stored with their records. Memory grows with the
// agreements and their distinct villages and partners, not with rows.
func (r *Runner) loadRegister(ctx context.Context, run *ingest.Run, paths []string, known *RegionSet, rejects *rejectWriter) error {
	start := r.now()
	records := cooperation.NewRecordBuilder()
	var partiesDone time.Time
	parties := r.registers.NewPartyWriter(ctx, run.ID)
	realisations := r.registers.NewRealisationWriter(ctx, run.ID)
	batch, err := StreamRegister(paths, known, RegisterSink{
		Reject: rejects.add,
		Party: func(p *cooperation.Party, agreement int) error {
			return parties.Append(p, records.AddParty(agreement, p))
		},
		PartiesDone: func() error {
			partiesDone = r.now()
			if err := parties.Close(); err != nil {
				return err
			}
			r.reach(ctx, "inserting")
			return nil
		},
		Realisation: func(rl *cooperation.Realisation, agreement, line int) error {
			if rl.Village != "" {
				records.AddRealised(agreement, rl.Village)
			}
			return realisations.Append(rl, line)
		},
	})
	if err == nil {
		err = parties.Close() // a register without parties: nothing to send
	}
	if err != nil {
		parties.Abort()
		realisations.Abort()
		return err
	}
	if err := realisations.Close(); err != nil {
		return err
	}
	streamed := r.now()
	var repeats int
	var refused []cooperation.RealisationCopy
	if batch.RealisationRows > 1 {
		if repeats, refused, err = r.registers.SettleRealisationCopies(ctx, run.ID); err != nil {
			return err
		}
	}
	if batch.RealisationsSource == "" {
		// No realisations sheet: the agreements keep the realisations they
		// have, and so do their records (the villages realisations reach).
		if err := r.registers.KeepRealisations(ctx, run.ID); err != nil {
			return err
		}
		err := r.registers.RealisedVillages(ctx, func(id string, village region.Code) {
			if n, ok := batch.AgreementNumber(id); ok {
				records.AddRealised(n, village)
			}
		})
		if err != nil {
			return err
		}
	}
	settled := r.now()
	if len(refused) > 0 {
		lines := make([]int, len(refused))
		for i, c := range refused {
			lines[i] = c.Line
			if n, ok := batch.AgreementNumber(c.AgreementID); ok && c.Village != "" {
				records.RemoveRealised(n, c.Village)
			}
		}
		texts, err := realisationRecords(paths, lines)
		if err != nil {
			return err
		}
		for _, rj := range realisationCopyRejects(batch.RealisationsSource, batch.RealisationsSheet, refused, texts) {
			rejects.add(rj)
		}
	}
	simulation := run.Dataset == DatasetSimulation
	for _, b := range batch.Bodies {
		if err := checkSimulationID("body", b.ID, simulation); err != nil {
			return err
		}
	}
	w := r.registers.NewRecordWriter(ctx, run.ID, run.Source)
	err = batch.ReadAgreements(func(a *cooperation.Agreement, number int) error {
		if err := checkSimulationID("agreement", a.ID, simulation); err != nil {
			return err
		}
		rec := records.Record(number, *a)
		return w.Append(&rec)
	})
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := r.registers.InsertBodies(ctx, run.ID, batch.Bodies); err != nil {
		return err
	}
	realised := batch.RealisationRows - repeats - len(refused)
	loaded := batch.AgreementRows + batch.PartyRows + realised + len(batch.Bodies)
	r.log.Debug("register stored", "run", run.ID, "agreements", batch.AgreementRows, "parties", batch.PartyRows,
		"realisations", batch.RealisationRows, "repeats", repeats, "refused_copies", len(refused),
		"reading_agreements_and_parties", partiesDone.Sub(start).Round(time.Millisecond), "streaming_realisations", streamed.Sub(partiesDone).Round(time.Millisecond),
		"settling_copies", settled.Sub(streamed).Round(time.Millisecond),
		"storing_records", r.now().Sub(settled).Round(time.Millisecond))
	for _, warning := range batch.Warnings {
		rejects.warn(warning)
	}
	run.RowsRead, run.RowsLoaded = batch.RowsRead, loaded
	return nil
}

// IDMYears is the range of years an IDM file may hold: from the first IDM
// (2015) to next year.
func IDMYears(now time.Time) YearRange { return YearRange{Min: 2015, Max: now.Year() + 1} }

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

func isRegister(dataset string) bool {
	return dataset == DatasetRegister || dataset == DatasetSimulation
}

// refreshedAs is the dataset whose snapshots a load of dataset rebuilds:
// the simulation is a register.
func refreshedAs(dataset string) string {
	if dataset == DatasetSimulation {
		return DatasetRegister
	}
	return dataset
}

// checkSimulationID keeps the simulation's ids and real ones apart: a
// simulation has only SIMULASI- ids, a real register none. Either mistake
// fails the whole run, so that no simulated row is ever counted as real.
func checkSimulationID(what, id string, simulation bool) error {
	switch {
	case simulation && !cooperation.IsSimulated(id):
		return fault.Invalid("%s %q: every id of a simulation starts with %s", what, id, cooperation.SimulationPrefix)
	case !simulation && cooperation.IsSimulated(id):
		return fault.Invalid("%s %q: ids starting with %s are reserved for sinergi's simulation; a real register must use its own ids",
			what, id, cooperation.SimulationPrefix)
	}
	return nil
}

// committedRuns are the runs of a dataset whose rows count.
func (r *Runner) committedRuns(ctx context.Context, dataset string) ([]ingest.Run, error) {
	runs, err := r.runs.Runs(ctx, ingest.MaxRuns, dataset)
	if err != nil {
		return nil, err
	}
	var out []ingest.Run
	for _, run := range runs {
		if run.Status == ingest.StatusSucceeded || run.Status == ingest.StatusLoaded {
			out = append(out, run)
		}
	}
	return out, nil
}

// CheckSimulationAllowed says why a simulation would be refused now, or
// nil when it would load.
func (r *Runner) CheckSimulationAllowed(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checkNoRealRegister(ctx)
}

// checkNoRealRegister refuses a simulation while a real register other
// than the seed is loaded.
func (r *Runner) checkNoRealRegister(ctx context.Context) error {
	real, err := r.committedRuns(ctx, DatasetRegister)
	if err != nil {
		return fmt.Errorf("simulation: %w", err)
	}
	for _, run := range real {
		if !isSeed(run) {
			return fault.Invalid("a real register is loaded (run %d, %s): the simulation is never loaded beside one", run.ID, run.Source)
		}
	}
	return nil
}

// withdrawSimulation withdraws every simulation run whose rows count.
func (r *Runner) withdrawSimulation(ctx context.Context, reason string) error {
	sims, err := r.committedRuns(ctx, DatasetSimulation)
	if err != nil || len(sims) == 0 {
		return err
	}
	if err := r.runs.Withdraw(ctx, sims, reason); err != nil {
		return err
	}
	r.log.Warn("simulation withdrawn", "runs", len(sims), "reason", reason)
	return nil
}

// RemoveSimulation withdraws the simulated register and rebuilds the
// cooperation snapshots without it. It reports how many runs it withdrew;
// with none loaded it does nothing.
func (r *Runner) RemoveSimulation(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lease, err := r.lock.LockLoads(ctx, r.process, true)
	if err != nil {
		return 0, fmt.Errorf("removing the simulation: %w", err)
	}
	defer r.release(ctx, lease)
	sims, err := r.committedRuns(ctx, DatasetSimulation)
	if err != nil || len(sims) == 0 {
		return 0, err
	}
	if err := r.runs.Withdraw(ctx, sims, "removed on request"); err != nil {
		return 0, err
	}
	gen, err := r.refresher.Refresh(ctx, lease.Held, nil, DatasetRegister)
	if err != nil {
		return len(sims), fmt.Errorf("removing the simulation: %w", err)
	}
	for _, f := range r.published {
		f(gen)
	}
	r.log.Info("simulation removed", "runs", len(sims))
	return len(sims), nil
}
