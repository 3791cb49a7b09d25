package etl_test

import (
	"context"
	"github.com/sinergi-id/sinergi/etl"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// currentAgreements lists the ids of the agreements queries see.
func (f *fixture) currentAgreements() []string {
	f.t.Helper()
	var ids []string
	q := `SELECT agreement_id FROM coop_agreements_current
		WHERE ` + coopch.PublishedRows("coop_agreements_current") + `
		ORDER BY agreement_id`
	rows, err := f.db.Query(context.Background(), q)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func simulated(ids []string) (n int) {
	for _, id := range ids {
		if cooperation.IsSimulated(id) {
			n++
		}
	}
	return n
}

var (
	seedFiles       = []string{filepath.Join("seed", "agreements.csv"), filepath.Join("seed", "parties.csv")}
	simulationFiles = []string{filepath.Join("register", "testdata", "simulation", "agreements.csv"),
		filepath.Join("register", "testdata", "simulation", "parties.csv")}
)

// The simulation loads beside the seed register; a real register replaces
// it in the same refresh; after that it is refused; and ids keep the two
// apart in both directions.
func TestSimulationNeverMixesWithARealRegister(t *testing.T) {
	f := newFixture(t)
	f.mustLoad(etl.DatasetRegions, realdataPath(t))
	f.mustLoad(etl.DatasetRegister, seedFiles...)
	sim := f.mustLoad(etl.DatasetSimulation, simulationFiles...)
	ids := f.currentAgreements()
	if len(ids) != 5 || simulated(ids) != 2 {
		t.Fatalf("seed + simulation: %v, want the 3 seed agreements and 2 simulated", ids)
	}

	// A file that calls itself a simulation but has real ids fails whole.
	if _, err := f.load(context.Background(), etl.DatasetSimulation, seedFiles...); err == nil ||
		!strings.Contains(err.Error(), "starts with SIMULASI-") {
		t.Fatalf("a simulation with real ids: %v, want refused", err)
	}
	// A real register that uses the simulation's prefix fails whole.
	if _, err := f.load(context.Background(), etl.DatasetRegister, simulationFiles...); err == nil ||
		!strings.Contains(err.Error(), "reserved for sinergi's simulation") {
		t.Fatalf("a real register with SIMULASI- ids: %v, want refused", err)
	}
	if got := f.currentAgreements(); !slices.Equal(got, ids) {
		t.Fatalf("refused loads changed the agreements: %v, want %v", got, ids)
	}

	// The seed again, from another copy: still beside the simulation.
	seedCopy := t.TempDir()
	for _, p := range seedFiles {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(seedCopy, filepath.Base(p)), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.mustLoad(etl.DatasetRegister, filepath.Join(seedCopy, "agreements.csv"), filepath.Join(seedCopy, "parties.csv"))
	if got := f.currentAgreements(); !slices.Equal(got, ids) {
		t.Fatalf("the seed from another copy changed the agreements: %v, want %v", got, ids)
	}

	// An office's real register: the simulation is gone in the same step.
	f.mustLoad(etl.DatasetRegister, registerFiles(filepath.Join("register", "testdata", "known"))...)
	ids = f.currentAgreements()
	if simulated(ids) != 0 || len(ids) <= 3 {
		t.Fatalf("after a real register: %v, want its agreements and the seed's, none simulated", ids)
	}
	run, _, err := f.runs.Run(context.Background(), sim.Runs[0].ID)
	if err != nil || run.Status != ingest.StatusWithdrawn {
		t.Fatalf("the simulation run reads %+v (%v), want withdrawn", run, err)
	}
	fresh, err := f.runs.Freshness(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range fresh {
		if fr.Dataset == etl.DatasetSimulation {
			t.Errorf("freshness still lists the withdrawn simulation: %+v", fr)
		}
	}

	// And the simulation cannot come back beside it.
	if _, err := f.load(context.Background(), etl.DatasetSimulation, simulationFiles...); err == nil ||
		!strings.Contains(err.Error(), "a real register is loaded") {
		t.Fatalf("simulation beside a real register: %v, want refused", err)
	}
	if got := f.currentAgreements(); simulated(got) != 0 {
		t.Fatalf("the refused simulation shows: %v", got)
	}
}

func TestWithdrawSimulation(t *testing.T) {
	f := newFixture(t)
	f.mustLoad(etl.DatasetRegions, realdataPath(t))
	f.mustLoad(etl.DatasetSimulation, simulationFiles...)
	if ids := f.currentAgreements(); simulated(ids) != 2 {
		t.Fatalf("simulation loaded: %v", ids)
	}
	n, err := f.runner.Withdraw(context.Background(), etl.DatasetSimulation, "removed on request")
	if err != nil || n != 1 {
		t.Fatalf("Withdraw: %d runs, %v; want 1", n, err)
	}
	if ids := f.currentAgreements(); len(ids) != 0 {
		t.Fatalf("after removing the simulation: %v, want none", ids)
	}
	if n, err := f.runner.Withdraw(context.Background(), etl.DatasetSimulation, "removed on request"); err != nil || n != 0 {
		t.Fatalf("removing again: %d, %v; want 0, nil", n, err)
	}
}

func realdataPath(t *testing.T) string {
	return filepath.Join(sharedDataDir(t), "kaltim_wilayah_kemendagri_2025.csv")
}
