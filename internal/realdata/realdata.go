// Package realdata finds the real Kalimantan Timur files (regions, IDM)
// that tests and benchmarks check sinergi against: the copies shipped in
// data/kaltim (identical to ../shared/data, which a test there checks), or
// the directory SINERGI_SHARED_DATA names.
package realdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sinergi-id/sinergi/data/kaltim"
)

// The files, by name.
const (
	Wilayah       = kaltim.Wilayah
	DesaKelurahan = kaltim.DesaKelurahan
	KabupatenKota = kaltim.KabupatenKota
	IDM2023       = kaltim.IDM2023
	IDM2024       = kaltim.IDM2024
)

// Dir returns the directory of the real data, failing the test (never
// skipping it) when the files are not there.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := Find()
	if err != nil {
		t.Fatalf("real data: %v", err)
	}
	return dir
}

// Path returns the path of one real data file (see Dir).
func Path(t testing.TB, name string) string {
	return filepath.Join(Dir(t), name)
}

// Find locates the directory: SINERGI_SHARED_DATA, else the repository's
// data/kaltim.
func Find() (string, error) {
	dir := os.Getenv("SINERGI_SHARED_DATA")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0) // <repo>/internal/realdata/realdata.go
		dir = filepath.Join(filepath.Dir(file), "..", "..", "data", "kaltim")
	}
	if _, err := os.Stat(filepath.Join(dir, Wilayah)); err != nil {
		return "", &missingError{dir: dir, err: err}
	}
	return dir, nil
}

type missingError struct {
	dir string
	err error
}

func (e *missingError) Error() string {
	return "the real Kalimantan Timur files are not in " + e.dir +
		" (they ship in the repository's data/kaltim; SINERGI_SHARED_DATA overrides): " + e.err.Error()
}
