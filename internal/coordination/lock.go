package coordination

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"
)

// ErrLost means a lock is no longer held: the session that held it
// expired (the process was cut off from ZooKeeper for a session timeout),
// so another may hold it now.
var ErrLost = errors.New("the lock's ZooKeeper session was lost")

// HeldError says that another holds a lock that could not be taken.
type HeldError struct {
	Name   string
	Holder []byte // what the holder recorded (Lock's data)
}

func (e *HeldError) Error() string { return fmt.Sprintf("lock %s is held by another process", e.Name) }

// Lock is a held lock.
type Lock struct {
	c       *Client
	node    string // full path of this holder's node
	session int64
}

// Lock takes the lock called name, recording data in it: when wait is set
// it waits its turn (until ctx ends), else a lock held by another fails at
// once with a *HeldError. waiting is called once, with the holder's data,
// when it has to wait.
func (c *Client) Lock(ctx context.Context, name string, data []byte, wait bool, waiting func(holder []byte)) (*Lock, error) {
	dir := c.root + "/locks/" + name
	mine, err := c.enqueue(dir, data)
	if err != nil {
		return nil, err
	}
	l := &Lock{c: c, node: dir + "/" + mine, session: c.conn.SessionID()}
	told := false
	for {
		queue, err := c.candidates(dir)
		if err != nil {
			l.abandon()
			return nil, err
		}
		at := -1
		for i, n := range queue {
			if n == mine {
				at = i
			}
		}
		if at < 0 {
			// The session expired meanwhile and the node went with it.
			return nil, fmt.Errorf("coordination: lock %s: %w", name, ErrLost)
		}
		if at == 0 {
			return l, nil
		}
		holder, _, _ := c.conn.Get(dir + "/" + queue[0])
		if !wait {
			l.abandon()
			return nil, &HeldError{Name: name, Holder: holder}
		}
		if !told && waiting != nil {
			waiting(holder)
			told = true
		}
		// Wait for the node just before this one to go.
		exists, _, changed, err := c.conn.ExistsW(dir + "/" + queue[at-1])
		if err != nil {
			l.abandon()
			return nil, fmt.Errorf("coordination: lock %s: %w", name, err)
		}
		if !exists {
			continue
		}
		select {
		case <-changed:
		case <-time.After(5 * time.Second): // look again: a watch fires once, and sessions move
		case <-ctx.Done():
			l.abandon()
			return nil, fmt.Errorf("coordination: lock %s: %w", name, ctx.Err())
		}
	}
}

// abandon removes this contender's node.
func (l *Lock) abandon() { _ = l.c.conn.Delete(l.node, -1) }

// Held returns nil while the lock is held, an error wrapping ErrLost once
// the session that took it is gone, or the error that kept it from
// telling.
func (l *Lock) Held(ctx context.Context) error {
	if l.c.conn.SessionID() != l.session {
		return fmt.Errorf("coordination: %w", ErrLost)
	}
	exists, _, err := l.c.conn.Exists(l.node)
	if err != nil {
		return fmt.Errorf("coordination: %w", err)
	}
	if !exists {
		return fmt.Errorf("coordination: %w", ErrLost)
	}
	return nil
}

// Release gives the lock up.
func (l *Lock) Release(ctx context.Context) error {
	if err := l.c.conn.Delete(l.node, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
		return fmt.Errorf("coordination: release %s: %w", l.node, err)
	}
	return nil
}
