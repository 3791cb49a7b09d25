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
