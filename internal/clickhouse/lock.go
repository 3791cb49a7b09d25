package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// A Lock is held by one process at a time among all the processes that use
// one database, wherever they run: loads take it so that two of them never
// interleave their rebuilds and publishes.
//
// ClickHouse has no transactions, but creating a table is atomic on one
// server: of two CREATE TABLE statements for the same name, one fails. The
// lock is a table; its holder creates it, records itself in it and renews
// its lease there (a row per renewal, with the server's time) while it
// holds it, and drops it to release it. A lock whose holder stopped renewing
// for a lease, or whose holder is known to be gone (Gone), is stale: a
// process that wants it renames the table aside — atomic too, so only one
// of several contenders succeeds — checks that it moved the stale holder's
// table and not a fresh one, drops it and creates its own. A holder checks
// Held before it makes anything visible, so one that lost its lease (stopped
// for longer than a lease) does not publish.
type Lock struct {
	db    *DB
	table string
	me    LockHolder
	lease time.Duration

	stop    chan struct{}
	stopped sync.WaitGroup

	mu      sync.Mutex
	renewed time.Time // last successful renewal, this process's clock
	lost    error     // set once the lock is known to be held by another
}

// LockHolder is who holds a lock: a token unique to one acquisition, and
// the process, so that a lock left by a process that is gone can be told.
type LockHolder struct {
	Token string
	Host  string
	PID   int
	Start string // what tells a reused process id apart (see ingest.Process)
}

// LockOptions say how to take a lock.
type LockOptions struct {
	// Wait: wait while another holds the lock; otherwise fail at once with
	// a *LockedError.
	Wait bool
	// Gone reports whether a holder's process is known to have exited;
	// its lock is then taken over at once, without waiting for its lease.
	Gone func(LockHolder) bool
	// Lease is how long a holder that does not renew keeps the lock
	// (default 60 s); it renews every sixth of it.
	Lease time.Duration
	// Waiting is called once when the lock is held by another and Wait is
	// set.
	Waiting func(LockHolder)
}

// LockedError says who holds a lock that could not be taken.
type LockedError struct {
	Table  string
	Holder LockHolder
	Age    time.Duration // since the holder last renewed
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is held by process %d on %s (renewed %s ago)", e.Table, e.Holder.PID, e.Holder.Host, e.Age.Round(time.Second))
}

// ErrLockLost means the lock was taken over while this process thought it
// held it: it must not make anything visible.
var ErrLockLost = errors.New("the lock was taken over by another process")

const defaultLease = 60 * time.Second

// AcquireLock takes the lock named table (a constant from the code),
// recording me as its holder, and keeps renewing it until Release.
func (db *DB) AcquireLock(ctx context.Context, table string, me LockHolder, opt LockOptions) (*Lock, error) {
	if !isIdentifier(table) {
		return nil, fmt.Errorf("lock %q: not an identifier", table)
	}
	if db.cfg.Cluster != "" {
		// A table is created on one server: processes using other
		// replicas would not see it. A cluster's processes lock in its
		// ZooKeeper (internal/coordination).
		return nil, fmt.Errorf("lock %s: a lock kept in one server's tables cannot serve cluster %s", table, db.cfg.Cluster)
	}
	if opt.Lease <= 0 {
		opt.Lease = defaultLease
	}
	if me.Token == "" {
		me.Token = randomToken()
	}
	l := &Lock{db: db, table: table, me: me, lease: opt.Lease, stop: make(chan struct{})}
	waited := false
	for {
		err := db.Exec(ctx, `CREATE TABLE `+table+` (token String, host String, pid UInt32, process_start String, renewed_at DateTime)
			ENGINE = MergeTree() ORDER BY renewed_at`)
		if err == nil {
			if err := l.renew(ctx); err != nil {
				_ = db.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+table)
				return nil, fmt.Errorf("lock %s: %w", table, err)
			}
			l.stopped.Add(1)
			go l.keepRenewing()
			return l, nil
		}
		if hasCode(err, codeTableIsDropped) {
			continue // the holder is releasing it
		}
		if !hasCode(err, codeTableAlreadyExists) {
			return nil, fmt.Errorf("lock %s: %w", table, err)
		}
		holder, age, found, err := db.lockHolder(ctx, table)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", table, err)
		}
		if !found {
			continue // released meanwhile
		}
		if age > opt.Lease || holder.Token != "" && opt.Gone != nil && opt.Gone(holder) {
			if err := db.takeOver(ctx, table, holder); err != nil {
				return nil, fmt.Errorf("lock %s: %w", table, err)
			}
			continue
		}
		if !opt.Wait {
			return nil, &LockedError{Table: table, Holder: holder, Age: age}
		}
		if !waited && opt.Waiting != nil {
			opt.Waiting(holder)
		}
		waited = true
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", table, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// lockHolder reads who holds the lock and how long ago they renewed it;
// found is false when the lock table does not exist (released). A lock
// table without a holder yet (its creator is about to record itself) is as
// old as the table.
func (db *DB) lockHolder(ctx context.Context, table string) (holder LockHolder, age time.Duration, found bool, err error) {
	var rows []struct {
		Token string `ch:"token"`
		Host  string `ch:"host"`
		PID   uint32 `ch:"pid"`
		Start string `ch:"process_start"`
		Rows  uint64 `ch:"rows"`
		Age   int64  `ch:"age"`
	}
	q := `SELECT argMax(token, renewed_at) AS token, argMax(host, renewed_at) AS host, argMax(pid, renewed_at) AS pid,
		argMax(process_start, renewed_at) AS process_start, count() AS rows,
		toInt64(now()) - toInt64(max(renewed_at)) AS age
		FROM ` + table
	err = db.Select(ctx, &rows, q)
	if hasCode(err, codeUnknownTable) || hasCode(err, codeTableIsDropped) {
		return LockHolder{}, 0, false, nil // released meanwhile
	}
	if err != nil || len(rows) == 0 {
		return LockHolder{}, 0, false, err
	}
	r := rows[0]
	holder = LockHolder{Token: r.Token, Host: r.Host, PID: int(r.PID), Start: r.Start}
	if r.Rows > 0 {
		return holder, time.Duration(r.Age) * time.Second, true, nil
	}
	var created []struct {
		Age int64 `ch:"age"`
	}
	if err := db.Select(ctx, &created, `SELECT toInt64(now()) - toInt64(metadata_modification_time) AS age
		FROM system.tables WHERE database = currentDatabase() AND name = ?`, table); err != nil {
		return LockHolder{}, 0, false, err
	}
	if len(created) == 0 {
		return LockHolder{}, 0, false, nil
	}
	return holder, time.Duration(created[0].Age) * time.Second, true, nil
}

// takeOver removes a stale lock: it renames the table aside, which only one
// contender can do, and drops it if it is still the stale holder's.
// Otherwise (the holder renewed, or another took over and created a new
// one, in the meantime) it puts the table back.
func (db *DB) takeOver(ctx context.Context, table string, stale LockHolder) error {
	aside := table + "_stale_" + randomToken()
	if err := db.Exec(ctx, `RENAME TABLE `+table+` TO `+aside); err != nil {
		if hasCode(err, codeUnknownTable) || hasCode(err, codeTableIsDropped) {
			return nil // another contender moved it first
		}
		return err
	}
	moved, _, found, err := db.lockHolder(ctx, aside)
	if err == nil && found && moved.Token != stale.Token {
		if err := db.Exec(ctx, `RENAME TABLE `+aside+` TO `+table); err == nil {
			return nil
		}
		// A third process created the lock meanwhile: the holder whose
		// table this was notices that it lost the lock (Held).
	}
	db.log.Warn("took over a stale lock", "lock", table, "holder_pid", stale.PID, "holder_host", stale.Host)
	return db.Exec(ctx, `DROP TABLE IF EXISTS `+aside)
}

// renew records the holder again with the server's time.
func (l *Lock) renew(ctx context.Context) error {
	err := l.db.Exec(ctx, `INSERT INTO `+l.table+` (token, host, pid, process_start, renewed_at) SELECT ?, ?, ?, ?, now()`,
		l.me.Token, l.me.Host, uint32(l.me.PID), l.me.Start)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.renewed = time.Now()
	l.mu.Unlock()
	return nil
}

func (l *Lock) keepRenewing() {
	defer l.stopped.Done()
	tick := time.NewTicker(l.lease / 6)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.lease/6)
		if err := l.Held(ctx); err == nil {
			if err := l.renew(ctx); err != nil {
				l.db.log.Warn("renewing a lock failed", "lock", l.table, "err", err)
			}
		}
		cancel()
	}
}

// Held returns nil while this process still holds the lock, ErrLockLost
// once another took it over (or may have: no renewal succeeded for a
// lease), or the error that kept it from telling.
func (l *Lock) Held(ctx context.Context) error {
	l.mu.Lock()
	lost, renewed := l.lost, l.renewed
	l.mu.Unlock()
	if lost != nil {
		return lost
	}
	if time.Since(renewed) > l.lease {
		return l.lose(fmt.Errorf("%w: not renewed for %s", ErrLockLost, time.Since(renewed).Round(time.Second)))
	}
	holder, _, found, err := l.db.lockHolder(ctx, l.table)
	if err != nil {
		return fmt.Errorf("lock %s: %w", l.table, err)
	}
	if !found {
		return l.lose(fmt.Errorf("%w: %s is gone", ErrLockLost, l.table))
	}
	if holder.Token != l.me.Token {
		return l.lose(fmt.Errorf("%w: %s is held by process %d on %s", ErrLockLost, l.table, holder.PID, holder.Host))
	}
	return nil
}

func (l *Lock) lose(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost == nil {
		l.lost = err
	}
	return l.lost
}

// Release stops renewing and drops the lock if this process still holds it.
func (l *Lock) Release(ctx context.Context) error {
	select {
	case <-l.stop:
		return nil // released already
	default:
		close(l.stop)
	}
	l.stopped.Wait()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := l.Held(ctx); err != nil {
		if errors.Is(err, ErrLockLost) {
			return nil
		}
		return err
	}
	if err := l.db.Exec(ctx, `DROP TABLE IF EXISTS `+l.table); err != nil {
		return fmt.Errorf("unlock %s: %w", l.table, err)
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
