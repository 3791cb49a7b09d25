package clickhouse_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

var createdName = regexp.MustCompile(`(?i)^\s*CREATE\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)`)

// droppedName finds the table a migration statement drops (a later
// migration replacing it).
var droppedName = regexp.MustCompile(`(?i)^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)`)

func TestMigrate(t *testing.T) {
	db := clickhousetest.NewDB(t) // migrated once already
	ctx := t.Context()
	log := clickhousetest.Logger(t)
	migrations, err := clickhouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, log); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	// A migration interrupted before it was recorded runs again: every
	// statement must be idempotent (ADD COLUMN IF NOT EXISTS included, which
	// 18.16 does not parse itself).
	if err := db.Exec(ctx, "TRUNCATE TABLE schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, log); err != nil {
		t.Fatalf("Migrate again after losing the record: %v", err)
	}

	v, err := db.AppliedVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest := clickhouse.LatestVersion(); v != latest || latest == 0 {
		t.Errorf("AppliedVersion() = %d, LatestVersion() = %d; want equal and not 0", v, latest)
	}
	var applied uint64
	if err := db.QueryRow(ctx, "SELECT count() FROM schema_migrations", nil, &applied); err != nil {
		t.Fatal(err)
	}
	if applied != uint64(len(migrations)) {
		t.Errorf("schema_migrations has %d rows after two runs, want %d", applied, len(migrations))
	}

	var tables []struct {
		Name string `ch:"name"`
	}
	if err := db.Select(ctx, &tables, "SELECT name FROM system.tables WHERE database = ?", db.Config().Database); err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, tbl := range tables {
		have = append(have, tbl.Name)
	}
	want := []string{"schema_migrations"}
	for _, m := range migrations {
		for _, stmt := range m.Statements {
			if match := createdName.FindStringSubmatch(stmt); match != nil {
				want = append(want, match[1])
			}
			if match := droppedName.FindStringSubmatch(stmt); match != nil {
				want = slices.DeleteFunc(want, func(name string) bool { return name == match[1] })
			}
		}
	}
	for _, name := range want {
		if !slices.Contains(have, name) {
			t.Errorf("table %s missing after Migrate; have %v", name, have)
		}
	}
}
