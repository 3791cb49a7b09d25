package etltest

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchEnv reads a whole number from the environment, def when unset.
func BenchEnv(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a whole number", name, s)
	}
	return n
}

// BenchMonths is how many months each generated agreement reports:
// SINERGI_BENCH_MONTHS, default 60 (240 realisations per agreement; more
// months, fewer agreements for the same rows).
func BenchMonths(b *testing.B) int { return BenchEnv(b, "SINERGI_BENCH_MONTHS", 60) }

// BenchRegister is the register that BenchmarkRegisterLoad and
// BenchmarkRegisterParse read: the CSV files of SINERGI_BENCH_REGISTER (a
// directory, such as `go run ./bench/generate --profile national` writes under
// register/) checked against the regions file SINERGI_BENCH_REGIONS; the
// benchmark is skipped without them.
func BenchRegister(b *testing.B) (files []string, regions string) {
	dir, regions := os.Getenv("SINERGI_BENCH_REGISTER"), os.Getenv("SINERGI_BENCH_REGIONS")
	if dir == "" || regions == "" {
		b.Skip("SINERGI_BENCH_REGISTER (a register's directory of CSV files) and SINERGI_BENCH_REGIONS (its regions file) are not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no CSV files in %s: %v", dir, err)
	}
	return files, regions
}
