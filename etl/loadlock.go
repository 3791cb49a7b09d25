package etl

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// LoadLock serialises loads across processes — every sinergi on the same
// database, on this host or another — so that two loads never validate
// against, rebuild or publish each other's half-done work. Within one
// process, Runner.mu does the same.
type LoadLock interface {
	// LockLoads takes the lock for a load by process p: waiting while
	// another process holds it when wait is set, else failing at once
	// with a *clickhouse.LockedError.
	LockLoads(ctx context.Context, p ingest.Process, wait bool) (Lease, error)
}

// Lease is a held load lock.
type Lease interface {
	// Held returns nil while the lock is still held, an error wrapping
	// clickhouse.ErrLockLost once another process took it over.
	Held(ctx context.Context) error
	Release(ctx context.Context) error
}

// LoadLockTable is the table that is the load lock while it exists.
const LoadLockTable = "etl_load_lock"

// ClickHouseLoadLock is the load lock in ClickHouse (clickhouse.Lock): a
// holder that is gone from this host loses it at once, one of another host
// when it has not renewed it for lease (0: the default, 60 s).
type ClickHouseLoadLock struct {
	DB    *clickhouse.DB
	Lease time.Duration
	Log   *slog.Logger
}

// LockLoads takes the lock.
func (l ClickHouseLoadLock) LockLoads(ctx context.Context, p ingest.Process, wait bool) (Lease, error) {
	me := clickhouse.LockHolder{Host: p.Host, PID: p.PID, Start: p.Start}
	return l.DB.AcquireLock(ctx, LoadLockTable, me, clickhouse.LockOptions{
		Wait:  wait,
		Lease: l.Lease,
		Gone: func(h clickhouse.LockHolder) bool {
			return ingest.Process{Host: h.Host, PID: h.PID, Start: h.Start}.Gone()
		},
		Waiting: func(h clickhouse.LockHolder) {
			l.Log.Info("waiting for the load of another process to finish", "holder_pid", h.PID, "holder_host", h.Host)
		},
	})
}

// isLocked reports whether err says another process holds the lock.
func isLocked(err error) bool {
	var locked *clickhouse.LockedError
	return errors.As(err, &locked)
}
