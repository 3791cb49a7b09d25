package clickhouse_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

const testLock = "test_lock"

func holder(host string, pid int) clickhouse.LockHolder {
	return clickhouse.LockHolder{Host: host, PID: pid}
}

// TestLockExcludes: while one holds the lock, another cannot take it (and is
// told who holds it); once released, it can. Many contenders that wait
// never overlap.
func TestLockExcludes(t *testing.T) {
	db := clickhousetest.NewDB(t)
	ctx := context.Background()
	a, err := db.AcquireLock(ctx, testLock, holder("here", 1), clickhouse.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.AcquireLock(ctx, testLock, holder("there", 2), clickhouse.LockOptions{})
	var locked *clickhouse.LockedError
	if !errors.As(err, &locked) || locked.Holder.PID != 1 || locked.Holder.Host != "here" {
		t.Fatalf("second acquire: %v, want a LockedError naming process 1 on here", err)
	}
	if err := a.Held(ctx); err != nil {
		t.Fatalf("the holder lost the lock: %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := db.AcquireLock(ctx, testLock, holder("there", 2), clickhouse.LockOptions{})
	if err != nil {
		t.Fatalf("after the release: %v", err)
	}
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}

	// Contenders on their own connections, as separate processes would be.
	var inside, overlaps, done atomic.Int32
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := clickhouse.Open(ctx, db.Config(), clickhousetest.Logger(t))
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			for range 3 {
				l, err := conn.AcquireLock(ctx, testLock, holder("here", 100+i), clickhouse.LockOptions{Wait: true})
				if err != nil {
					t.Error(err)
					return
				}
				if inside.Add(1) > 1 {
					overlaps.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
				inside.Add(-1)
				if err := l.Release(ctx); err != nil {
					t.Error(err)
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if overlaps.Load() != 0 || done.Load() != 18 {
		t.Fatalf("%d of %d critical sections overlapped", overlaps.Load(), done.Load())
	}
}

// TestLockTakesOverStaleLocks: a lock whose holder stopped renewing for a
// lease, or whose holder is known gone, is taken over; a fresh one of a
// holder that may be alive is not. A holder whose lock was taken over knows
// it has lost it.
func TestLockTakesOverStaleLocks(t *testing.T) {
	db := clickhousetest.NewDB(t)
	ctx := context.Background()
	leftBy := func(host string, pid int, ago time.Duration) {
		t.Helper()
		if err := db.Exec(ctx, `CREATE TABLE `+testLock+` (token String, host String, pid UInt32, process_start String, renewed_at DateTime)
			ENGINE = MergeTree() ORDER BY renewed_at`); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(ctx, `INSERT INTO `+testLock+` (token, host, pid, process_start, renewed_at)
			SELECT 'old', ?, ?, '', now() - ?`, host, uint32(pid), int(ago.Seconds())); err != nil {
			t.Fatal(err)
		}
	}
	me := holder("here", 7)

	leftBy("elsewhere", 3, 5*time.Second) // renewed recently, on a host no one can look at
	if _, err := db.AcquireLock(ctx, testLock, me, clickhouse.LockOptions{}); err == nil {
		t.Fatal("took a fresh lock of another host")
	}
	if err := db.Exec(ctx, `DROP TABLE `+testLock); err != nil {
		t.Fatal(err)
	}

	leftBy("elsewhere", 3, 10*time.Minute) // not renewed for longer than a lease
	l, err := db.AcquireLock(ctx, testLock, me, clickhouse.LockOptions{})
	if err != nil {
		t.Fatalf("a lock not renewed for 10 minutes was not taken over: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}

	leftBy("here", 3, 0) // fresh, but its process is gone
	gone := func(h clickhouse.LockHolder) bool { return h.PID == 3 }
	l, err = db.AcquireLock(ctx, testLock, me, clickhouse.LockOptions{Gone: gone})
	if err != nil {
		t.Fatalf("the lock of a process known gone was not taken over: %v", err)
	}

	// Taken over while still held (its holder was stopped for longer than
	// a lease, say): the holder finds out before it publishes.
	if err := db.Exec(ctx, `DROP TABLE `+testLock); err != nil {
		t.Fatal(err)
	}
	other, err := db.AcquireLock(ctx, testLock, holder("there", 9), clickhouse.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Held(ctx); !errors.Is(err, clickhouse.ErrLockLost) {
		t.Fatalf("Held after a takeover: %v, want ErrLockLost", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := other.Held(ctx); err != nil {
		t.Fatalf("the loser's release dropped the new holder's lock: %v", err)
	}
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
}
