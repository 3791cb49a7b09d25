package clickhouse

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// On one server the templated migrations are the statements they were
// before templates, byte for byte.
func TestSingleNodeMigrationsUnchanged(t *testing.T) {
	want, err := os.ReadFile("testdata/migrations_single_node.sql")
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpMigrations(t, Layout{Database: "sinergi"}); got != string(want) {
		t.Errorf("single-node migrations changed:\n%s", firstDifference(got, string(want)))
	}
}

func TestClusterMigrations(t *testing.T) {
	got := dumpMigrations(t, Layout{Cluster: "prod", Database: "sinergi"})
	for _, stmt := range strings.Split(got, ";\n") {
		stmt = strings.TrimSpace(stmt)
		switch {
		case stmt == "" || strings.HasPrefix(stmt, "-- ") && !strings.Contains(stmt, "\n"):
		case strings.Contains(stmt, "CREATE TABLE") || strings.Contains(stmt, "DROP TABLE"):
			if !strings.Contains(stmt, " ON CLUSTER prod") {
				t.Errorf("DDL without ON CLUSTER:\n%s", stmt)
			}
			if strings.Contains(stmt, "ENGINE = ") && !strings.Contains(stmt, "ENGINE = Replicated") && !strings.Contains(stmt, "ENGINE = Distributed(prod, sinergi, ") {
				t.Errorf("table neither replicated nor distributed:\n%s", stmt)
			}
		case strings.Contains(stmt, "ALTER TABLE coop_realisation_rows_local"):
			if !strings.Contains(stmt, "ON CLUSTER prod") {
				t.Errorf("ALTER of a shard's table runs on one shard only:\n%s", stmt)
			}
		case strings.Contains(stmt, "ALTER TABLE"):
			if strings.Contains(stmt, "ON CLUSTER") {
				t.Errorf("ALTER of a table replicated whole with ON CLUSTER (18.16 runs it once per shard):\n%s", stmt)
			}
		}
	}
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS coop_realisations_local ON CLUSTER prod (",
		"ENGINE = ReplicatedMergeTree('/clickhouse/sinergi/sinergi/{shard}/coop_realisations', '{replica}')",
		"CREATE TABLE IF NOT EXISTS coop_realisations ON CLUSTER prod AS sinergi.coop_realisations_local ENGINE = Distributed(prod, sinergi, coop_realisations_local, cityHash64(agreement_id))",
		"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/sinergi/sinergi/all/etl_runs', '{replica}', version)",
		"DROP TABLE IF EXISTS coop_realisation_rows ON CLUSTER prod;\n-- 0005_realisation_lines.sql\nCREATE TABLE IF NOT EXISTS coop_realisation_rows ON CLUSTER prod AS sinergi.coop_realisation_rows_local",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("cluster migrations lack %q", want)
		}
	}
	if n := len(regexp.MustCompile(`\{\{|\}\}`).FindAllString(got, -1)); n > 0 {
		t.Errorf("%d template markers left", n)
	}
}

func dumpMigrations(t *testing.T, layout Layout) string {
	t.Helper()
	ms, err := MigrationsFor(layout)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		for _, s := range m.Statements {
			b.WriteString("-- " + m.Name + "\n" + s + ";\n")
		}
	}
	return b.String()
}

func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ: " + itoa(len(g)) + " and " + itoa(len(w)) + " lines"
}

func itoa(i int) string { return strconv.Itoa(i) }
