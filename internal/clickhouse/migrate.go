package clickhouse

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string
}

// Migrations returns the embedded migrations in order, as they run on one
// server.
func Migrations() ([]Migration, error) {
	return MigrationsFor(Layout{})
}

// The migration files are text/templates, so that one file says what a
// table is on one server and on a cluster:
//
//	CREATE TABLE IF NOT EXISTS t{{onCluster}} (...) ENGINE = {{engine "t" "MergeTree()"}} ...
//
// onCluster is " ON CLUSTER <name>" in a cluster (DDL on every server) and
// nothing on one server; engine is the replicated engine of t in a cluster
// and the engine as written on one server; a sharded table is created as
// {{table "t"}} (its local table in a cluster) followed by
// {{distributed "t"}} (its Distributed table), and redistributed after its
// columns change. On one server every template renders to the statement it
// was before templates: testdata/migrations_single_node.sql holds them.
// ALTERs of replicated tables carry no ON CLUSTER: ClickHouse replicates
// them itself, and on 18.16 an ALTER ... ON CLUSTER runs once per shard,
// which a table replicated whole would see twice.

// MigrationsFor returns the embedded migrations in order, rendered for
// layout.
func MigrationsFor(layout Layout) ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sql, err := renderMigration(base, string(body), layout)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: base, Statements: splitStatements(sql)})
	}
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// renderMigration renders a migration file for layout.
func renderMigration(name, body string, layout Layout) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
		"onCluster":    layout.onCluster,
		"engine":       layout.engine,
		"table":        layout.storageTable,
		"distributed":  layout.distributed,
		"redistribute": layout.redistribute,
	}).Parse(body)
	if err != nil {
		return "", fmt.Errorf("migration %s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, nil); err != nil {
		return "", fmt.Errorf("migration %s: %w", name, err)
	}
	return b.String(), nil
}

// splitStatements splits a migration file on semicolons that end a line,
// dropping comment lines.
func splitStatements(sql string) []string {
	var stmts []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			stmts = append(stmts, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		stmts = append(stmts, s)
	}
	return stmts
}

// addColumnIfNotExists matches `ALTER TABLE t ADD COLUMN IF NOT EXISTS c
// ...`, which ClickHouse 18.16 does not parse (current releases do).
var addColumnIfNotExists = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(\w+)((?:\s+ON\s+CLUSTER\s+\w+)?)\s+ADD\s+COLUMN\s+IF\s+NOT\s+EXISTS\s+(\w+)\s+(.+)$`)

// execMigration runs one migration statement. An ADD COLUMN IF NOT EXISTS
// is run as a plain ADD COLUMN when the column is missing, and skipped when
// it exists, so that it stays idempotent on every server version.
func (db *DB) execMigration(ctx context.Context, stmt string) error {
	m := addColumnIfNotExists.FindStringSubmatch(stmt)
	if m == nil {
		return db.Exec(ctx, stmt)
	}
	table, onCluster, col, rest := m[1], m[2], m[3], m[4]
	var n uint64
	if err := db.QueryRow(ctx, `SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND name = ?`,
		[]any{table, col}, &n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return db.Exec(ctx, "ALTER TABLE "+table+onCluster+" ADD COLUMN "+col+" "+rest)
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations{{onCluster}} (
    version    UInt32,
    name       String,
    applied_at DateTime
) ENGINE = {{engine "schema_migrations" "MergeTree()"}}
ORDER BY version`

// AppliedVersion is the highest migration version applied, 0 for none.
func (db *DB) AppliedVersion(ctx context.Context) (uint32, error) {
	var v uint32
	if err := db.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`, nil, &v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// layout is where this connection's schema lives.
func (db *DB) layout() Layout { return Layout{Cluster: db.cfg.Cluster, Database: db.cfg.Database} }

// LatestVersion is the version of the newest embedded migration.
func LatestVersion() uint32 {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// MigrationLockTable is the table that is the migration lock while it
// exists (see Lock).
const MigrationLockTable = "schema_migrations_lock"

// Migrate applies the embedded migrations that are not applied yet, in
// order. Statements are idempotent (IF NOT EXISTS), so a migration that
// failed halfway can be run again. On one server, two Migrate calls never
// interleave: each holds the migration lock, kept in ClickHouse as the
// load lock is (Lock), and the second waits for the first. A Lock cannot
// span servers: on a cluster the caller serialises migrations (cmd/sinergi
// holds coordination's migration lock, in ZooKeeper, around Migrate).
// A database whose schema is newer than this binary's migrations is
// refused: an older binary must not run against it.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	ms, err := MigrationsFor(db.layout())
	if err != nil {
		return err
	}
	if db.cfg.Cluster == "" {
		lock, err := db.AcquireLock(ctx, MigrationLockTable, thisProcess(), LockOptions{Wait: true,
			Waiting: func(h LockHolder) {
				log.Info("waiting for the migration of another process to finish", "holder_pid", h.PID, "holder_host", h.Host)
			}})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer func() {
			if err := lock.Release(ctx); err != nil {
				log.Warn("releasing the migration lock", "err", err)
			}
		}()
	}
	create, err := renderMigration("schema_migrations", createMigrationsTable, db.layout())
	if err != nil {
		return err
	}
	if err := db.Exec(ctx, create); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := db.AppliedVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := CheckNotNewer(applied); err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version <= applied {
			continue
		}
		for _, stmt := range m.Statements {
			if err := db.execMigration(ctx, stmt); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
		}
		batch, err := db.PrepareBatch(ctx, `INSERT INTO schema_migrations (version, name, applied_at)`)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if err := batch.Append(m.Version, m.Name, nowUTC()); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if err := batch.Send(); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, mapError(err))
		}
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return nil
}

// CheckNotNewer refuses a database whose schema version is newer than the
// newest migration this binary has: an older sinergi would read and write
// tables it does not know.
func CheckNotNewer(applied uint32) error {
	if latest := LatestVersion(); applied > latest {
		return fmt.Errorf("the database schema is at version %d, newer than this sinergi knows (%d): "+
			"a newer sinergi migrated it; run that version, or one at least as new", applied, latest)
	}
	return nil
}

// thisProcess is the migration lock's holder: this process.
func thisProcess() LockHolder {
	host, _ := os.Hostname()
	return LockHolder{Host: host, PID: os.Getpid()}
}

// MigrationStatus is what `sinergi migrate status` shows.
type MigrationStatus struct {
	Applied []AppliedMigration
	Pending []Migration
	// Locked says a migration holds the lock now: by Holder, renewed Age
	// ago.
	Locked bool
	Holder LockHolder
	Age    time.Duration
}

// AppliedMigration is a migration the database records as applied.
type AppliedMigration struct {
	Version   uint32    `ch:"version"`
	Name      string    `ch:"name"`
	AppliedAt time.Time `ch:"applied_at"`
}

// MigrationStatus reads the applied migrations, the pending ones and who
// holds the migration lock. A database never migrated has every migration
// pending.
func (db *DB) MigrationStatus(ctx context.Context) (MigrationStatus, error) {
	var st MigrationStatus
	ms, err := MigrationsFor(db.layout())
	if err != nil {
		return st, err
	}
	err = db.Select(ctx, &st.Applied, `SELECT version, any(name) AS name, min(applied_at) AS applied_at
		FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil && !hasCode(err, codeUnknownTable) {
		return st, fmt.Errorf("migration status: %w", err)
	}
	var applied uint32
	for _, m := range st.Applied {
		applied = max(applied, m.Version)
	}
	for _, m := range ms {
		if m.Version > applied {
			st.Pending = append(st.Pending, m)
		}
	}
	if db.cfg.Cluster == "" {
		if st.Holder, st.Age, st.Locked, err = db.lockHolder(ctx, MigrationLockTable); err != nil {
			return st, fmt.Errorf("migration status: %w", err)
		}
	}
	return st, nil
}
