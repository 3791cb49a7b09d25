package coordination

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/go-zookeeper/zk"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// MigrationLockName is the migration lock's name under <root>/locks.
const MigrationLockName = "schema_migration_lock"

// LockMigrations takes a cluster's migration lock, waiting while another
// process migrates (until ctx ends): the migrations of a cluster run ON
// CLUSTER, and the lock a single server keeps in its tables
// (clickhouse.MigrationLockTable) would not be seen by the processes that
// use the other servers. A holder that dies loses it when its ZooKeeper
// session expires.
func (c *Client) LockMigrations(ctx context.Context, log *slog.Logger) (*Lock, error) {
	me, _ := json.Marshal(ingest.CurrentProcess())
	return c.Lock(ctx, MigrationLockName, me, true, func(holder []byte) {
		h := processOf(holder)
		log.Info("waiting for the migration of another process to finish", "holder_pid", h.PID, "holder_host", h.Host)
	})
}

// MigrationHolder says which process holds the migration lock now, if
// any, changing nothing.
func (c *Client) MigrationHolder() (ingest.Process, bool, error) {
	dir := c.root + "/locks/" + MigrationLockName
	for {
		queue, err := c.candidates(dir)
		if errors.Is(err, zk.ErrNoNode) || err == nil && len(queue) == 0 {
			return ingest.Process{}, false, nil // never taken, or free
		}
		if err != nil {
			return ingest.Process{}, false, err
		}
		data, _, err := c.conn.Get(dir + "/" + queue[0])
		if errors.Is(err, zk.ErrNoNode) {
			continue // released meanwhile: look again
		}
		if err != nil {
			return ingest.Process{}, false, fmt.Errorf("coordination: %w", err)
		}
		return processOf(data), true, nil
	}
}
