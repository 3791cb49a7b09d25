package synth_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sinergi-id/sinergi/bench/synth"
	"github.com/sinergi-id/sinergi/data/simulation"
	"github.com/sinergi-id/sinergi/internal/realdata"
)

// TestSimulationIsCommitted generates the simulated register as
// data/simulation/README.md says and compares it with the committed files
// that `sinergi dev` loads: a generator change that changes the simulation
// must commit the new files with it.
func TestSimulationIsCommitted(t *testing.T) {
	dir := t.TempDir()
	_, err := synth.Generate(context.Background(), synth.Options{
		Profile: synth.Kaltim, Seed: 1, Dir: dir, Label: synth.Simulation,
		RegionsFile: realdata.Path(t, realdata.Wilayah),
		IDMFiles:    []string{realdata.Path(t, realdata.IDM2023), realdata.Path(t, realdata.IDM2024)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range simulation.Names {
		generated, err := os.ReadFile(filepath.Join(dir, "register", name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := simulation.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(generated, committed) {
			t.Errorf("data/simulation/%s.gz is not what the generator writes now (%d bytes generated, %d committed): "+
				"regenerate it as data/simulation/README.md says", name, len(generated), len(committed))
		}
	}
}
