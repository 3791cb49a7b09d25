package coordination

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// LoadLockName is the load lock's name under <root>/locks.
const LoadLockName = "etl_load_lock"

// LoadLock is the ingest.LoadLock of a cluster, kept in its ZooKeeper: the
// processes of a cluster use different servers, and a lock kept in one
// server's tables (ingestch.LoadLock) would not be seen by the others. A
// holder that dies loses it when its ZooKeeper session expires.
type LoadLock struct {
	Client *Client
	Log    *slog.Logger
}

var _ ingest.LoadLock = LoadLock{}

// LockLoads takes the lock.
func (l LoadLock) LockLoads(ctx context.Context, p ingest.Process, wait bool) (ingest.Lease, error) {
	me, _ := json.Marshal(p)
	lock, err := l.Client.Lock(ctx, LoadLockName, me, wait, func(holder []byte) {
		h := processOf(holder)
		l.Log.Info("waiting for the load of another process to finish", "holder_pid", h.PID, "holder_host", h.Host)
	})
	var held *HeldError
	if errors.As(err, &held) {
		return nil, loadsLocked{held}
	}
	if err != nil {
		return nil, err
	}
	return lock, nil
}

func processOf(data []byte) ingest.Process {
	var p ingest.Process
	_ = json.Unmarshal(data, &p) // who holds it is for the log only
	return p
}

// loadsLocked is a HeldError that is also ingest.ErrLoadsLocked.
type loadsLocked struct{ *HeldError }

func (e loadsLocked) Error() string {
	h := processOf(e.Holder)
	return "the load lock is held by " + h.String()
}
func (e loadsLocked) Unwrap() error        { return e.HeldError }
func (e loadsLocked) Is(target error) bool { return target == ingest.ErrLoadsLocked }
