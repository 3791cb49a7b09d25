package ingestch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// LoadLockTable is the table that is the load lock while it exists.
const LoadLockTable = "etl_load_lock"

// LoadLock is the ingest.LoadLock kept in ClickHouse (clickhouse.Lock): a
// holder that is gone from this host loses it at once, one of another host
// when it has not renewed it for Lease (0: the default, 60 s).
type LoadLock struct {
	DB    *clickhouse.DB
	Lease time.Duration
	Log   *slog.Logger
}

var _ ingest.LoadLock = LoadLock{}

// LockLoads takes the lock.
func (l LoadLock) LockLoads(ctx context.Context, p ingest.Process, wait bool) (ingest.Lease, error) {
	me := clickhouse.LockHolder{Host: p.Host, PID: p.PID, Start: p.Start}
	lock, err := l.DB.AcquireLock(ctx, LoadLockTable, me, clickhouse.LockOptions{
		Wait:  wait,
		Lease: l.Lease,
		Gone: func(h clickhouse.LockHolder) bool {
			return ingest.Process{Host: h.Host, PID: h.PID, Start: h.Start}.Gone()
		},
		Waiting: func(h clickhouse.LockHolder) {
			l.Log.Info("waiting for the load of another process to finish", "holder_pid", h.PID, "holder_host", h.Host)
		},
	})
	var locked *clickhouse.LockedError
	if errors.As(err, &locked) {
		return nil, lockedError{locked}
	}
	if err != nil {
		return nil, err
	}
	return lock, nil
}

// lockedError is clickhouse's, which also is ingest.ErrLoadsLocked.
type lockedError struct{ *clickhouse.LockedError }

func (e lockedError) Unwrap() error        { return e.LockedError }
func (e lockedError) Is(target error) bool { return target == ingest.ErrLoadsLocked }
