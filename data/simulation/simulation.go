// Package simulation holds the simulated register (SIMULASI) that `sinergi
// dev` loads over the real Kalimantan Timur villages, so that charts and
// tables have something to show: made-up agreements, parties, bodies and
// realisations whose every id starts SIMULASI- (see README.md). The files
// are generated once by bench/generate and committed, compressed, so that
// the program carries the data and not the generator;
// bench/synth's TestSimulationIsCommitted checks that generating them again
// gives the same bytes.
package simulation

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Names are the register's tables, as CSV files.
var Names = []string{"agreements.csv", "parties.csv", "bodies.csv", "realisations.csv"}

//go:embed *.csv.gz
var files embed.FS

// Open returns the content of one of the Names.
func Open(name string) (io.ReadCloser, error) {
	gz, err := files.ReadFile(name + ".gz")
	if err != nil {
		return nil, fmt.Errorf("simulation: %w", err)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("simulation %s: %w", name, err)
	}
	return r, nil
}

// Write writes the register's CSV files into dir (created if needed) and
// returns their paths. Files are rewritten with the same bytes every time,
// so the loader's fingerprints see an unchanged simulation as unchanged.
func Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, len(Names))
	for i, name := range Names {
		paths[i] = filepath.Join(dir, name)
		if err := writeFile(paths[i], name); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func writeFile(path, name string) error {
	r, err := Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("simulation %s: %w", name, err)
	}
	return f.Close()
}
