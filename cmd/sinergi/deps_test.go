package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryHasNoTestCode checks that the sinergi binary links no test or
// benchmark code: no generator (bench/...), no test helper package (…test,
// such as etltest or clickhousetest, and chDB with them), and not the
// standard library's testing package.
func TestBinaryHasNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !containsPath(deps, "github.com/sinergi-id/sinergi/etl/register") {
		t.Fatalf("go list -deps gave %d packages, without the register dataset: %v", len(deps), deps)
	}
	const module = "github.com/sinergi-id/sinergi/"
	for _, p := range deps {
		own := strings.TrimPrefix(p, module)
		switch {
		case p == "testing" || strings.HasPrefix(p, "testing/"):
			t.Errorf("the binary links %s", p)
		case own != p && (strings.HasPrefix(own, "bench/") || strings.HasPrefix(own, "test/") || strings.HasSuffix(own, "test") || strings.Contains(own, "synth")):
			t.Errorf("the binary links %s, a test or benchmark package", p)
		case strings.Contains(p, "chdb"):
			t.Errorf("the binary links %s (chDB is for tests only)", p)
		}
	}
}

func containsPath(deps []string, p string) bool {
	for _, d := range deps {
		if d == p {
			return true
		}
	}
	return false
}

// TestInternalImportsNeitherGraphNorETL checks that dependencies point one
// way (STYLE.md): cmd → graph/etl → internal. No product code under
// internal/ imports graph/ or etl/ (test files may load data through the
// ETL). internal/submission reads register files through the Registers
// interface it declares, which etl/register implements (wired in
// cmd/sinergi).
func TestInternalImportsNeitherGraphNorETL(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "../../internal/...").Output()
	if err != nil {
		t.Fatalf("go list ./internal/...: %v", err)
	}
	const module = "github.com/sinergi-id/sinergi/"
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 20 {
		t.Fatalf("go list gave %d internal packages: %q", len(lines), out)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		for _, imp := range fields[1:] {
			own := strings.TrimPrefix(imp, module)
			if own == imp || !(own == "graph" || strings.HasPrefix(own, "graph/") || own == "etl" || strings.HasPrefix(own, "etl/")) {
				continue
			}
			t.Errorf("%s imports %s: nothing in internal/ imports graph/ or etl/", pkg, own)
		}
	}
}
