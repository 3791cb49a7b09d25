// Package demo ships sinergi's demo dataset: a fictional province (code 99)
// with made-up IDM scores, in the official file layouts. `sinergi dev` loads
// it so that a fresh install answers at once. It is not official data.
package demo

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed demo_wilayah.csv demo_idm_2023.csv demo_idm_2024.csv register/*.csv
var files embed.FS

// File is one demo file and the dataset it belongs to.
type File struct {
	Dataset string
	Name    string
}

// Files lists the demo files in load order (regions before IDM and the
// register). The register is four CSV files, loaded together as one.
var Files = []File{
	{Dataset: "regions", Name: "demo_wilayah.csv"},
	{Dataset: "idm", Name: "demo_idm_2023.csv"},
	{Dataset: "idm", Name: "demo_idm_2024.csv"},
	{Dataset: "register", Name: "register/agreements.csv"},
	{Dataset: "register", Name: "register/parties.csv"},
	{Dataset: "register", Name: "register/bodies.csv"},
	{Dataset: "register", Name: "register/realisations.csv"},
}

// Extract writes the demo files into dir (created if needed) and returns
// their paths in Files order. Rewriting identical content keeps the files'
// fingerprints, so unchanged demo data is not loaded twice.
func Extract(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	paths := make([]string, len(Files))
	for i, f := range Files {
		body, err := files.ReadFile(f.Name)
		if err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		paths[i] = p
	}
	return paths, nil
}
