package etl_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// TestFreshnessSkipsRunsThatLoadedNothing: a file whose every row is
// refused is a succeeded run (its rejects are the report), but it changed
// no figure: the data's last successful load stays the run before it, and
// a later run that loads rows is the last again.
func TestFreshnessSkipsRunsThatLoadedNothing(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		dir := sharedDataDir(t)
		f := newFixtureOn(t, e)
		f.mustLoad(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
		in, err := os.ReadFile(filepath.Join(dir, "kaltim_idm_2024.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(in), "\n")
		write := func(name string, rows []string) string {
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, []byte(strings.Join(append([]string{lines[0]}, rows...), "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}
		idmFreshness := func() (ingest.Run, bool) {
			t.Helper()
			fresh, err := f.runs.Freshness(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, fr := range fresh {
				if fr.Dataset == etl.DatasetIDM {
					return fr.Last, true
				}
			}
			return ingest.Run{}, false
		}

		good := f.mustLoad(etl.DatasetIDM, write("good.csv", lines[1:4])).Runs[0]
		var refused []string
		for _, l := range lines[4:7] {
			refused = append(refused, strings.Replace(l, "64", "99", 1)) // no such province
		}
		all := f.mustLoad(etl.DatasetIDM, write("refused.csv", refused)).Runs[0]
		if all.Status != ingest.StatusSucceeded || all.RowsLoaded != 0 || all.RowsRejected != 3 {
			t.Fatalf("the refused file's run: %+v, want succeeded with 3 rows refused and none loaded", all)
		}
		if last, ok := idmFreshness(); !ok || last.ID != good.ID || last.RowsLoaded != 3 {
			t.Errorf("IDM freshness after a file refused whole: %+v (listed: %t), want run %d, which loaded 3 rows", last, ok, good.ID)
		}
		later := f.mustLoad(etl.DatasetIDM, write("later.csv", lines[7:9])).Runs[0]
		if last, ok := idmFreshness(); !ok || last.ID != later.ID || last.RowsLoaded != 2 {
			t.Errorf("IDM freshness after another good file: %+v (listed: %t), want run %d", last, ok, later.ID)
		}
	})
}
