// Package coordination keeps the sinergi processes that share a ClickHouse
// cluster in step through the cluster's own ZooKeeper (or ClickHouse
// Keeper, which speaks its protocol): one load at a time (Lock) and one
// scheduler at a time (Elector). Both are ZooKeeper's standard recipe: each
// contender creates an ephemeral sequential node under a path, and the
// lowest holds the lock or leads. An ephemeral node lives as long as its
// process's session, so a process that dies (or stops answering for a
// session timeout) releases what it held without anyone's help.
//
// On one server sinergi needs none of this: its load lock is a table
// (clickhouse.Lock), and one `sinergi etl` is run.
package coordination

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"
)

// Client is a session with ZooKeeper.
type Client struct {
	conn *zk.Conn
	root string
	log  *slog.Logger
}

// DefaultSessionTimeout is how long ZooKeeper keeps a silent process's
// nodes: a dead leader or lock holder is replaced after about as long.
const DefaultSessionTimeout = 10 * time.Second

// Connect opens a session with the ZooKeeper servers (host:port) and waits
// until it is established. Every node sinergi creates lives under root
// (say /sinergi/<database>).
func Connect(ctx context.Context, servers []string, root string, sessionTimeout time.Duration, log *slog.Logger) (*Client, error) {
	if len(servers) == 0 {
		return nil, errors.New("coordination: no ZooKeeper servers")
	}
	if !strings.HasPrefix(root, "/") || strings.HasSuffix(root, "/") {
		return nil, fmt.Errorf("coordination: root %q must start with / and not end with it", root)
	}
	if sessionTimeout <= 0 {
		sessionTimeout = DefaultSessionTimeout
	}
	conn, events, err := zk.Connect(servers, sessionTimeout, zk.WithLogger(zkLogger{log}))
	if err != nil {
		return nil, fmt.Errorf("coordination: connect %v: %w", servers, err)
	}
	c := &Client{conn: conn, root: root, log: log}
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				go drain(events)
				return c, nil
			}
		case <-ctx.Done():
			conn.Close()
			return nil, fmt.Errorf("coordination: no ZooKeeper session with %v: %w", servers, ctx.Err())
		}
	}
}

func drain(events <-chan zk.Event) {
	for range events {
	}
}

// Close ends the session: its nodes go at once.
func (c *Client) Close() { c.conn.Close() }

// ensurePath creates dir and its parents, as persistent nodes.
func (c *Client) ensurePath(dir string) error {
	p := ""
	for _, part := range strings.Split(strings.TrimPrefix(dir, "/"), "/") {
		p += "/" + part
		if _, err := c.conn.Create(p, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("coordination: create %s: %w", p, err)
		}
	}
	return nil
}

// candidates are the contenders under dir, lowest sequence first.
func (c *Client) candidates(dir string) ([]string, error) {
	children, _, err := c.conn.Children(dir)
	if err != nil {
		return nil, fmt.Errorf("coordination: list %s: %w", dir, err)
	}
	slices.SortFunc(children, func(a, b string) int { return sequence(a) - sequence(b) })
	return children, nil
}

// sequence is the number ZooKeeper appended to a sequential node's name.
func sequence(name string) int {
	n, err := strconv.Atoi(name[max(0, len(name)-10):])
	if err != nil {
		return -1
	}
	return n
}

// enqueue creates this process's ephemeral sequential node under dir.
func (c *Client) enqueue(dir string, data []byte) (string, error) {
	if err := c.ensurePath(dir); err != nil {
		return "", err
	}
	node, err := c.conn.Create(dir+"/n-", data, zk.FlagEphemeral|zk.FlagSequence, zk.WorldACL(zk.PermAll))
	if err != nil {
		return "", fmt.Errorf("coordination: enqueue under %s: %w", dir, err)
	}
	return path.Base(node), nil
}

// zkLogger passes the client's chatter (reconnects) to the log at debug.
type zkLogger struct{ log *slog.Logger }

func (l zkLogger) Printf(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "zookeeper")
}
