package coordination

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNotLeader is IsLeader's answer to a standby.
var ErrNotLeader = errors.New("another process leads")

// Elector takes part in the election called name: of the processes that
// take part, the one whose node is oldest leads, until its session ends.
// It is gocron's Elector (IsLeader), so a scheduler runs its jobs only
// while its process leads.
type Elector struct {
	c    *Client
	dir  string
	data []byte

	mu      sync.Mutex
	node    string // this process's node under dir, "" before it has one
	session int64
	leading bool
}

// Elector enters the election called name, recording data (who this is)
// in its node.
func (c *Client) Elector(name string, data []byte) *Elector {
	return &Elector{c: c, dir: c.root + "/elections/" + name, data: data}
}

// IsLeader returns nil when this process leads, ErrNotLeader when another
// does. A process whose session expired (and its node with it) enters
// again, behind the others.
func (e *Elector) IsLeader(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.node != "" && e.c.conn.SessionID() != e.session {
		e.node = "" // gone with the old session
	}
	if e.node == "" {
		node, err := e.c.enqueue(e.dir, e.data)
		if err != nil {
			return err
		}
		e.node, e.session = node, e.c.conn.SessionID()
	}
	queue, err := e.c.candidates(e.dir)
	if err != nil {
		return err
	}
	leading := len(queue) > 0 && queue[0] == e.node
	if leading != e.leading {
		e.c.log.Info("scheduler leadership changed", "election", e.dir, "leading", leading)
		e.leading = leading
	}
	if !leading {
		return fmt.Errorf("%w (election %s)", ErrNotLeader, e.dir)
	}
	return nil
}

// WaitLeader returns once this process leads, checking every interval,
// or ctx's error when ctx ends first.
func (e *Elector) WaitLeader(ctx context.Context, interval time.Duration) error {
	for {
		err := e.IsLeader(ctx)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNotLeader) {
			e.c.log.Warn("election: cannot tell who leads", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
