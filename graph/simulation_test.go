package graph_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
)

// The API says whether cooperation figures include the simulation, and
// marks each simulated agreement; once it is removed it says so too.
func TestSimulationIsExposed(t *testing.T) {
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(sharedData(t), "kaltim_wilayah_kemendagri_2025.csv"))
	sim := filepath.Join("..", "etl", "register", "testdata", "simulation")
	a.load(etl.DatasetSimulation, filepath.Join(sim, "agreements.csv"), filepath.Join(sim, "parties.csv"))

	type answer struct {
		Simulation struct {
			Active   bool
			IDPrefix string `json:"idPrefix"`
			RunID    *string
			Source   *string
		}
		Agreements struct {
			Nodes []struct {
				ID        string
				Simulated bool
			}
		}
	}
	const q = `{ simulation { active idPrefix runId source } agreements(first: 10, orderBy: ID_ASC) { nodes { id simulated } } }`
	var on answer
	a.mustQuery(q, nil, &on)
	if !on.Simulation.Active || on.Simulation.IDPrefix != "SIMULASI-" || on.Simulation.RunID == nil || on.Simulation.Source == nil {
		t.Fatalf("simulation while loaded: %+v", on.Simulation)
	}
	if len(on.Agreements.Nodes) != 2 || !on.Agreements.Nodes[0].Simulated || !on.Agreements.Nodes[1].Simulated {
		t.Fatalf("agreements: %+v, want two, both simulated", on.Agreements.Nodes)
	}

	if _, err := a.runner.Withdraw(context.Background(), etl.DatasetSimulation, "removed on request"); err != nil {
		t.Fatal(err)
	}
	var off answer
	a.mustQuery(q, nil, &off)
	if off.Simulation.Active || off.Simulation.RunID != nil || len(off.Agreements.Nodes) != 0 {
		t.Fatalf("after removing the simulation: %+v", off)
	}
}
