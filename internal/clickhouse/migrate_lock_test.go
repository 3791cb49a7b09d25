package clickhouse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// A migration waits while another holds the migration lock, and `migrate
// status` names the holder meanwhile.
func TestMigrateWaitsForTheMigrationLock(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		db := e.NewDB(t)
		ctx := t.Context()
		log := clickhousetest.Logger(t)
		if err := db.Exec(ctx, "TRUNCATE TABLE schema_migrations"); err != nil {
			t.Fatal(err)
		}
		other := clickhouse.LockHolder{Host: "elsewhere", PID: 4242}
		lock, err := db.AcquireLock(ctx, clickhouse.MigrationLockTable, other, clickhouse.LockOptions{})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- db.Migrate(ctx, log) }()
		select {
		case err := <-done:
			t.Fatalf("Migrate ran while another held the migration lock: %v", err)
		case <-time.After(1500 * time.Millisecond):
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := clickhouse.Migrations()
		if !st.Locked || st.Holder.PID != 4242 || st.Holder.Host != "elsewhere" || len(st.Applied) != 0 || len(st.Pending) != len(all) {
			t.Fatalf("status while locked: locked %v by %+v, %d applied, %d pending; want locked by 4242@elsewhere, 0 applied, %d pending",
				st.Locked, st.Holder, len(st.Applied), len(st.Pending), len(all))
		}
		if err := lock.Release(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Migrate after the lock was released: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Migrate still waits after the lock was released")
		}
		st, err = db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Locked || len(st.Pending) != 0 || len(st.Applied) != len(all) || st.Applied[len(st.Applied)-1].Version != clickhouse.LatestVersion() {
			t.Fatalf("status after: locked %v, %d applied, %d pending", st.Locked, len(st.Applied), len(st.Pending))
		}
	})
}

// A database a newer sinergi migrated is refused, by Migrate and by
// CheckNotNewer, saying so.
func TestSchemaNewerThanTheBinaryIsRefused(t *testing.T) {
	db := clickhousetest.NewDB(t)
	ctx := context.Background()
	newer := clickhouse.LatestVersion() + 1
	batch, err := db.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, applied_at)")
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.Append(newer, "from_the_future.sql", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	err = db.Migrate(ctx, clickhousetest.Logger(t))
	if err == nil || !strings.Contains(err.Error(), "newer than this sinergi knows") {
		t.Fatalf("Migrate on a newer schema: %v", err)
	}
	if err := clickhouse.CheckNotNewer(newer); err == nil {
		t.Fatal("CheckNotNewer accepted a newer schema")
	}
	if err := clickhouse.CheckNotNewer(clickhouse.LatestVersion()); err != nil {
		t.Fatalf("CheckNotNewer refused the current schema: %v", err)
	}
}
