package tabulartest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sinergi-id/sinergi/etl/tabular"
)

// OpenCSV writes content to a file called name in a directory of the
// test's and opens it as a table (name is its source in rejects), or
// returns tabular.Open's error.
func OpenCSV(t testing.TB, name, content string) (*tabular.Table, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return tabular.Open(path)
}
