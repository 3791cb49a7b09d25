// Package register is the dataset of a cooperation register
// (docs/register.md): it reads a register's tables, validates their rows
// into cooperation values and streams them to the store as one run. It is
// also the register's format as an office's submission uses it
// (Registers, for internal/submission): the check, the load of an
// editor's rows within its scope, and the annotated workbook.
//
// Its files read in the order a load calls them, none calling back into a
// file before it: registers.go (what submissions use) → annotate.go (the
// workbook with a Keterangan column) → scoped.go (an editor's check and
// load: the rows outside its scope) → dataset.go (the load) → stream.go (what a register
// yields; its tables in order) → agreements.go → parties.go → bodies.go →
// realisations.go (each table's rules) → references.go (the accepted
// agreements rows refer to) → checks.go (what every table's rows share) →
// tables.go (finding the tables, reading their rows) → workbook.go (the
// values XLSX cells store) → values.go (a cell's dates, amounts and
// counts). TestFilesReadForward (order_test.go) checks it over every call.
package register

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/seed"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Rows stores cooperation registers. A register's parties,
// realisations and agreement records stream: they go to writers as they are
// read, and the copies of realisations are settled where they are stored.
type Rows interface {
	etl.RawRows
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

// Dataset is the dataset of a cooperation register (docs/register.md): an
// XLSX workbook, or CSV files one per table, which together are one run.
// The simulation (DatasetSimulation) is a register too, whose every id
// starts SIMULASI-; the two never mix (see CheckLoad and BeforeCommit).
type Dataset struct {
	rows       Rows
	regions    region.Lister
	runs       ingest.Store
	log        *slog.Logger
	simulation bool
}

// New returns the dataset of real registers.
func New(rows Rows, regions region.Lister, runs ingest.Store, log *slog.Logger) *Dataset {
	return &Dataset{rows: rows, regions: regions, runs: runs, log: log}
}

// NewSimulation returns the dataset of the simulated register (SIMULASI)
// that `sinergi dev` shows over the real villages.
func NewSimulation(rows Rows, regions region.Lister, runs ingest.Store, log *slog.Logger) *Dataset {
	return &Dataset{rows: rows, regions: regions, runs: runs, log: log, simulation: true}
}

func (d *Dataset) Name() string {
	if d.simulation {
		return etl.DatasetSimulation
	}
	return etl.DatasetRegister
}

// Snapshot: the simulation and real registers share the cooperation
// snapshot (and tables).
func (d *Dataset) Snapshot() string  { return etl.DatasetRegister }
func (d *Dataset) Rows() etl.RawRows { return d.rows }

// Sources: a workbook is a run on its own; CSV files, one per table, are
// one run together.
func (d *Dataset) Sources(files []string) [][]string {
	var groups [][]string
	var csvRegister []string
	for _, f := range files {
		if strings.EqualFold(filepath.Ext(f), ".csv") {
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

// The register of the source articles (etl/seed) is the one real register
// the simulation is shown beside, as `sinergi dev` does: loading it neither
// withdraws the simulation nor refuses it. It is known by its content,
// wherever it was copied to.
var seedFingerprint = seed.Fingerprint()

func isSeed(run ingest.Run) bool { return run.Fingerprint == seedFingerprint }

// CheckLoad refuses a simulation while a real register other than the seed
// is loaded.
func (d *Dataset) CheckLoad(ctx context.Context) error {
	if !d.simulation {
		return nil
	}
	real, err := etl.CommittedRuns(ctx, d.runs, etl.DatasetRegister)
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

// BeforeCommit withdraws the simulation when a real register other than
// the seed was loaded: the refresh that commits it is the first snapshot
// without the simulation. Should the refresh fail, the simulation stays
// withdrawn and the next refresh leaves it out.
func (d *Dataset) BeforeCommit(ctx context.Context, loaded []ingest.Run) error {
	if d.simulation || !slices.ContainsFunc(loaded, func(run ingest.Run) bool { return !isSeed(run) }) {
		return nil
	}
	sims, err := etl.CommittedRuns(ctx, d.runs, etl.DatasetSimulation)
	if err != nil || len(sims) == 0 {
		return err
	}
	reason := fmt.Sprintf("replaced by the real register of run %d", loaded[len(loaded)-1].ID)
	if err := d.runs.Withdraw(ctx, sims, reason); err != nil {
		return err
	}
	d.log.Warn("simulation withdrawn", "runs", len(sims), "reason", reason)
	return nil
}

// Load streams a register into ClickHouse as it is read: parties and
// realisations go to their tables as they are validated, each party and
// realised village leaving in memory only what its agreement's record says
// (cooperation.RecordBuilder). The copies of realisations are then settled
// in ClickHouse, and the agreements, which were only numbered, are read
// again and stored with their records. Memory grows with the agreements and
// their distinct villages and partners, not with rows.
func (d *Dataset) Load(ctx context.Context, l *etl.Load) error {
	known, err := region.Known(ctx, d.regions)
	if err != nil {
		return err
	}
	run, paths := l.Run, l.Paths
	start := time.Now()
	records := cooperation.NewRecordBuilder()
	var partiesDone time.Time
	parties := d.rows.NewPartyWriter(ctx, run.ID)
	realisations := d.rows.NewRealisationWriter(ctx, run.ID)
	batch, err := Stream(paths, known, Sink{
		Reject: l.Reject,
		Party: func(p *cooperation.Party, agreement int) error {
			return parties.Append(p, records.AddParty(agreement, p))
		},
		PartiesDone: func() error {
			partiesDone = time.Now()
			if err := parties.Close(); err != nil {
				return err
			}
			l.Reach(ctx, "inserting")
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
	streamed := time.Now()
	var repeats int
	var refused []cooperation.RealisationCopy
	if batch.RealisationRows > 1 {
		if repeats, refused, err = d.rows.SettleRealisationCopies(ctx, run.ID); err != nil {
			return err
		}
	}
	if batch.RealisationsSource == "" {
		// No realisations sheet: the agreements keep the realisations they
		// have, and so do their records (the villages realisations reach).
		if err := d.rows.KeepRealisations(ctx, run.ID); err != nil {
			return err
		}
		err := d.rows.RealisedVillages(ctx, func(id string, village region.Code) {
			if n, ok := batch.AgreementNumber(id); ok {
				records.AddRealised(n, village)
			}
		})
		if err != nil {
			return err
		}
	}
	settled := time.Now()
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
			l.Reject(rj)
		}
	}
	for _, b := range batch.Bodies {
		if err := checkSimulationID("body", b.ID, d.simulation); err != nil {
			return err
		}
	}
	w := d.rows.NewRecordWriter(ctx, run.ID, run.Source)
	err = batch.ReadAgreements(func(a *cooperation.Agreement, number int) error {
		if err := checkSimulationID("agreement", a.ID, d.simulation); err != nil {
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
	if err := d.rows.InsertBodies(ctx, run.ID, batch.Bodies); err != nil {
		return err
	}
	realised := batch.RealisationRows - repeats - len(refused)
	loaded := batch.AgreementRows + batch.PartyRows + realised + len(batch.Bodies)
	d.log.Debug("register stored", "run", run.ID, "agreements", batch.AgreementRows, "parties", batch.PartyRows,
		"realisations", batch.RealisationRows, "repeats", repeats, "refused_copies", len(refused),
		"reading_agreements_and_parties", partiesDone.Sub(start).Round(time.Millisecond), "streaming_realisations", streamed.Sub(partiesDone).Round(time.Millisecond),
		"settling_copies", settled.Sub(streamed).Round(time.Millisecond),
		"storing_records", time.Since(settled).Round(time.Millisecond))
	for _, warning := range batch.Warnings {
		l.Warn(warning)
	}
	run.RowsRead, run.RowsLoaded = batch.RowsRead, loaded
	return nil
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

// SnapshotStore rebuilds the cooperation snapshots (coopch.Store).
type SnapshotStore interface {
	SnapshotTables() []string
	RebuildSnapshot(ctx context.Context, gen uint64, runs []uint64) error
	// UpdateSnapshot writes what RebuildSnapshot would, from the published
	// generation and the agreements that changed since, and the bases of
	// the tables it wrote as deltas (etl.Snapshot.Update).
	UpdateSnapshot(ctx context.Context, gen uint64, runs []uint64) (map[string]uint64, error)
}

// Snapshot is the snapshot of the cooperation registers, real and
// simulated.
func Snapshot(s SnapshotStore) etl.Snapshot {
	return etl.Snapshot{Name: etl.DatasetRegister, Tables: s.SnapshotTables(),
		Rebuild: func(ctx context.Context, gen, _ uint64, runs []uint64) error {
			return s.RebuildSnapshot(ctx, gen, runs)
		},
		Update: func(ctx context.Context, gen, _ uint64, runs []uint64) (map[string]uint64, error) {
			return s.UpdateSnapshot(ctx, gen, runs)
		}}
}
