package ingest

import (
	"context"
	"errors"
)

// LoadLock serialises loads across processes — every sinergi on the same
// database, on this host or another — so that two loads never validate
// against, rebuild or publish each other's half-done work.
type LoadLock interface {
	// LockLoads takes the lock for a load by process p: waiting while
	// another process holds it when wait is set, else failing at once with
	// an error that is ErrLoadsLocked.
	LockLoads(ctx context.Context, p Process, wait bool) (Lease, error)
}

// Lease is a held load lock.
type Lease interface {
	// Held returns nil while the lock is still held, an error once another
	// process took it over.
	Held(ctx context.Context) error
	Release(ctx context.Context) error
}

// ErrLoadsLocked means another process holds the load lock.
var ErrLoadsLocked = errors.New("another process is loading")
