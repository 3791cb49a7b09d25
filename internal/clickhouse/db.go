// Package clickhouse connects sinergi to ClickHouse: the connection with its
// per-query limits, the mapping of ClickHouse failures to sinergi's faults,
// the embedded schema migrations, snapshot generations and locks. The server
// sinergi manages itself is package chserver's.
package clickhouse

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"reflect"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/ClickHouse/clickhouse-go/v2/resources"
)

// Config says where ClickHouse is and how queries are bounded.
type Config struct {
	// Addr is host:port of the native protocol, or several of them
	// separated by commas: the servers of a cluster (or replicas of a
	// shard) that this process may use, tried as ConnOpenStrategy says.
	Addr     string
	Database string
	// Cluster names the cluster (of the servers' remote_servers) that the
	// schema lives on, replicated and sharded; empty for one server. See
	// cluster.go.
	Cluster  string
	Username string
	Password string

	// QueryTimeout bounds every read on the server (max_execution_time).
	QueryTimeout time.Duration
	// MaxResultRows bounds the rows a read may return.
	MaxResultRows int
	// WriteTimeout bounds ETL statements (inserts, aggregate refreshes).
	WriteTimeout time.Duration
	// MaxMemoryUsage bounds the memory of one read on the server
	// (max_memory_usage), in bytes.
	MaxMemoryUsage int64
	// LogQueries asks the server to record reads in system.query_log; the
	// benchmarks replay them to measure what GraphQL adds.
	LogQueries bool
	// LimitsInProfile: the user's profile on the server fixes the read
	// limits and refuses or ignores settings sent with a read (the managed
	// server's reader, readonly = 1): reads send none.
	LimitsInProfile bool
	// MaxOpenConns bounds the connection pool (default 16).
	MaxOpenConns int

	// Secure connects with TLS (ClickHouse Cloud: port 9440). The server's
	// certificate is checked against the system's roots, or against CAFile
	// when set, for ServerName (default: the host of Addr).
	Secure     bool
	CAFile     string
	ServerName string
	// ConnOpenStrategy says which of several addresses a new connection
	// goes to: "in_order" (the default: the first that answers, so that
	// every statement of a load reads what the load wrote on the same
	// server), "round_robin" or "random" (spread readers).
	ConnOpenStrategy string
	// GenerationGrace is how long a superseded snapshot generation stays
	// readable after its successor is published, for requests pinned to it
	// (PinGeneration): default 1 minute, twice the longest request;
	// negative drops it at the next load's clean-up (the tests of pruning).
	GenerationGrace time.Duration
	// ReplicaSyncTimeout bounds how long a load in cluster mode waits for
	// every replica to hold what it wrote before it publishes (default 5
	// minutes); a replica that is down that long fails the load.
	ReplicaSyncTimeout time.Duration
}

// Addrs are the addresses of Addr.
func (c Config) Addrs() []string {
	var addrs []string
	for _, a := range strings.Split(c.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// connOpenStrategies are the ConnOpenStrategy values and clickhouse-go's.
var connOpenStrategies = map[string]ch.ConnOpenStrategy{
	"":            ch.ConnOpenInOrder,
	"in_order":    ch.ConnOpenInOrder,
	"round_robin": ch.ConnOpenRoundRobin,
	"random":      ch.ConnOpenRandom,
}

// ValidConnOpenStrategy reports whether s is a ConnOpenStrategy.
func ValidConnOpenStrategy(s string) bool {
	_, ok := connOpenStrategies[s]
	return ok
}

// DefaultMaxMemoryUsage is the default memory bound of one read: 2 GB.
const DefaultMaxMemoryUsage = 2_000_000_000

// Defaults fills unset limits with sinergi's defaults.
func (c Config) Defaults() Config {
	if c.Database == "" {
		c.Database = "sinergi"
	}
	if c.Username == "" {
		c.Username = "default"
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = 10 * time.Second
	}
	if c.MaxResultRows == 0 {
		c.MaxResultRows = 1_000_000
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 15 * time.Minute
	}
	if c.MaxMemoryUsage == 0 {
		c.MaxMemoryUsage = DefaultMaxMemoryUsage
	}
	if c.MaxOpenConns == 0 {
		c.MaxOpenConns = 16
	}
	if c.GenerationGrace == 0 {
		c.GenerationGrace = time.Minute
	}
	if c.ReplicaSyncTimeout == 0 {
		c.ReplicaSyncTimeout = 5 * time.Minute
	}
	return c
}

// DB is a ClickHouse connection whose every statement carries server-side
// limits: reads get QueryTimeout and MaxResultRows, writes get WriteTimeout.
// Errors come back already mapped to fault kinds (see mapError). It runs on
// an Engine: clickhouse-go's native connection in the product, an embedded
// ClickHouse (chDB) as well in the tests that check figures.
type DB struct {
	engine Engine
	cfg    Config
	log    *slog.Logger
	whole  *wholeByPin // see wholeTables
}

// Engine is what DB needs from a ClickHouse connection. Settings travel with
// each statement rather than in the context, so an engine that is not
// clickhouse-go receives them too.
type Engine interface {
	Query(ctx context.Context, settings Settings, query string, args ...any) (Rows, error)
	Exec(ctx context.Context, settings Settings, query string, args ...any) error
	// PrepareBatch starts an INSERT whose statement names its columns.
	PrepareBatch(ctx context.Context, settings Settings, query string) (Batch, error)
	Ping(ctx context.Context) error
	Close() error
}

// Settings are ClickHouse settings for one statement.
type Settings map[string]any

// Rows are a read's rows, scanned one at a time (clickhouse-go's
// driver.Rows satisfies it).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	// ScanStruct scans the row into a struct whose fields carry `ch` tags.
	ScanStruct(dest any) error
	Err() error
	Close() error
}

// Batch is an INSERT being filled (clickhouse-go's driver.Batch satisfies it).
type Batch interface {
	Append(row ...any) error
	Column(i int) driver.BatchColumn
	// Flush sends the rows appended so far; the INSERT goes on.
	Flush() error
	Send() error
	Abort() error
}

// New returns a DB that runs on engine with cfg's limits.
func New(engine Engine, cfg Config, log *slog.Logger) *DB {
	return &DB{engine: engine, cfg: cfg.Defaults(), log: log, whole: &wholeByPin{}}
}

// Open connects to the database named in cfg (which must exist; see
// CreateDatabase) and checks the connection.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*DB, error) {
	cfg = cfg.Defaults()
	conn, err := openConn(cfg, cfg.Database, log)
	if err != nil {
		return nil, err
	}
	db := New(nativeEngine{conn}, cfg, log)
	if err := db.Ping(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return db, nil
}

func openConn(cfg Config, database string, log *slog.Logger) (driver.Conn, error) {
	tlsConfig, err := cfg.tls()
	if err != nil {
		return nil, err
	}
	conn, err := ch.Open(&ch.Options{
		TLS:              tlsConfig,
		Protocol:         ch.Native,
		Addr:             cfg.Addrs(),
		ConnOpenStrategy: connOpenStrategies[cfg.ConnOpenStrategy],
		Auth:             ch.Auth{Database: database, Username: cfg.Username, Password: cfg.Password},
		DialTimeout:      5 * time.Second,
		MaxOpenConns:     cfg.MaxOpenConns,
		MaxIdleConns:     max(1, cfg.MaxOpenConns/2),
		ConnMaxLifetime:  time.Hour,
		Logger:           driverLogger(log),
		ClientInfo:       ch.ClientInfo{Products: []struct{ Name, Version string }{{Name: "sinergi", Version: "1"}}},
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse open %s: %w", cfg.Addr, mapError(err))
	}
	return conn, nil
}

// tls is the TLS configuration of a Secure connection, nil otherwise.
func (c Config) tls() (*tls.Config, error) {
	if !c.Secure {
		return nil, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if addrs := c.Addrs(); t.ServerName == "" && len(addrs) == 1 {
		host, _, err := net.SplitHostPort(addrs[0])
		if err != nil {
			return nil, fmt.Errorf("clickhouse TLS: %q is not host:port", c.Addr)
		}
		t.ServerName = host
	} // several addresses: crypto/tls checks each server for its own host name
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("clickhouse TLS: CA file: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("clickhouse TLS: CA file %s holds no PEM certificate", c.CAFile)
		}
	}
	return t, nil
}

// CreateDatabase creates cfg.Database if it does not exist yet (on every
// server of cfg.Cluster).
func CreateDatabase(ctx context.Context, cfg Config, log *slog.Logger) error {
	return onServer(ctx, cfg, log, "CREATE DATABASE IF NOT EXISTS ")
}

// onServer runs a statement about cfg.Database from the server's default
// database. The name is checked: identifiers cannot be bound.
func onServer(ctx context.Context, cfg Config, log *slog.Logger, stmt string) error {
	cfg = cfg.Defaults()
	if !isIdentifier(cfg.Database) {
		return fmt.Errorf("clickhouse: database name %q must be letters, digits and underscores", cfg.Database)
	}
	conn, err := openConn(cfg, "default", log)
	if err != nil {
		return err
	}
	defer conn.Close()
	layout := Layout{Cluster: cfg.Cluster, Database: cfg.Database}
	if err := (nativeEngine{conn}).Exec(ctx, writeSettings(ctx, cfg), stmt+cfg.Database+layout.onCluster()); err != nil {
		return fmt.Errorf("%s%s: %w", stmt, cfg.Database, mapError(err))
	}
	return nil
}

func isIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.engine.Close() }

// Config is the configuration the connection was opened with.
func (db *DB) Config() Config { return db.cfg }

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.engine.Ping(ctx); err != nil {
		return fmt.Errorf("clickhouse ping %s: %w", db.cfg.Addr, mapError(err))
	}
	return nil
}

// CheckServer logs the server's version once, at start, and says so when
// the server is older than the oldest release the driver supports (the
// driver's own warning is filtered out with its chatter, see driverLogger).
func (db *DB) CheckServer(ctx context.Context) error {
	v, err := db.ServerVersion(ctx)
	if err != nil {
		return err
	}
	db.log.Info("ClickHouse server", "version", v, "addr", db.cfg.Addr, "tls", db.cfg.Secure)
	if !DriverSupports(v) {
		db.log.Warn("ClickHouse server older than the driver supports: production should run a current release",
			"version", v, "driver", fmt.Sprintf("clickhouse-go %d.%d.%d", ch.ClientVersionMajor, ch.ClientVersionMinor, ch.ClientVersionPatch),
			"oldest_supported", resources.MinSupportedVersion.String(), "see", "README.md, ClickHouse")
	}
	return nil
}

// DriverSupports reports whether clickhouse-go supports a server version
// such as 18.16.1 or 26.7.2.1.
func DriverSupports(version string) bool {
	return proto.CheckMinVersion(resources.MinSupportedVersion, proto.ParseVersion(version))
}

// ServerVersion is the version the server (or embedded engine) reports.
func (db *DB) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if err := db.QueryRow(ctx, "SELECT version()", nil, &v); err != nil {
		return "", fmt.Errorf("clickhouse version: %w", err)
	}
	return v, nil
}

// readSettings bound a read on the server. The time limit is the
// configured one or, when the request must end sooner, what is left of it
// (less half a second, so that the server's own error, which says the
// query was too expensive, arrives before the request gives up).
func readSettings(ctx context.Context, cfg Config) Settings {
	if cfg.LimitsInProfile {
		return nil
	}
	settings := Settings{
		// result_overflow_mode stays at its default, throw. (String settings
		// cannot be sent to servers as old as 18.16.)
		"max_execution_time": executionSeconds(ctx, cfg.QueryTimeout),
		"max_result_rows":    cfg.MaxResultRows,
		"max_memory_usage":   int(cfg.MaxMemoryUsage),
		"readonly":           2, // reads may change settings, never data
	}
	if cfg.LogQueries {
		settings["log_queries"] = 1
	}
	return settings
}

func writeSettings(ctx context.Context, cfg Config) Settings {
	settings := Settings{"max_execution_time": executionSeconds(ctx, cfg.WriteTimeout)}
	if cfg.Cluster != "" {
		// An insert into a sharded (Distributed) table returns once each
		// shard has its rows, rather than queueing them on this server to
		// be sent later: a load reads what it wrote, and a publish must
		// know every shard holds the generation.
		settings["insert_distributed_sync"] = 1
	}
	return settings
}

// executionSeconds is max_execution_time for a statement under ctx: limit,
// or less when ctx's deadline comes sooner; whole seconds (18.16), at
// least 1.
func executionSeconds(ctx context.Context, limit time.Duration) int {
	secs := int(limit.Seconds() + 0.999)
	if deadline, ok := ctx.Deadline(); ok {
		left := int((time.Until(deadline) - 500*time.Millisecond).Seconds())
		secs = min(secs, left)
	}
	return max(secs, 1)
}

// Select runs a read and scans every row into dest, a pointer to a slice of
// structs with `ch` tags.
func (db *DB) Select(ctx context.Context, dest any, query string, args ...any) error {
	slice := reflect.ValueOf(dest)
	if slice.Kind() != reflect.Pointer || slice.Elem().Kind() != reflect.Slice || slice.Elem().Type().Elem().Kind() != reflect.Struct {
		return fmt.Errorf("clickhouse select: dest must point to a slice of structs, not %T", dest)
	}
	slice = slice.Elem()
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		row := reflect.New(slice.Type().Elem())
		if err := rows.ScanStruct(row.Interface()); err != nil {
			return mapError(err)
		}
		slice.Set(reflect.Append(slice, row.Elem()))
	}
	return mapError(rows.Err())
}

// Query runs a read and returns its rows for streaming.
func (db *DB) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	query, err := db.pinned(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := db.engine.Query(ctx, readSettings(ctx, db.cfg), query, args...)
	if err != nil {
		return nil, mapError(err)
	}
	return rows, nil
}

// QueryRow runs a read that returns one row and scans it into dest; no row
// is sql.ErrNoRows.
func (db *DB) QueryRow(ctx context.Context, query string, args []any, dest ...any) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return mapError(err)
	}
	return mapError(rows.Close())
}

// Exec runs a statement that changes data or schema.
func (db *DB) Exec(ctx context.Context, query string, args ...any) error {
	if err := db.engine.Exec(ctx, writeSettings(ctx, db.cfg), query, args...); err != nil {
		return mapError(err)
	}
	return nil
}

// PrepareBatch starts a batch insert. The statement must name its columns
// (`INSERT INTO t (a, b)`): ClickHouse 18.16 refuses a batch without them.
func (db *DB) PrepareBatch(ctx context.Context, query string) (Batch, error) {
	b, err := db.engine.PrepareBatch(ctx, writeSettings(ctx, db.cfg), query)
	if err != nil {
		return nil, mapError(err)
	}
	return b, nil
}

// nativeEngine is clickhouse-go's connection pool over the native protocol.
type nativeEngine struct{ conn driver.Conn }

// statementContext carries settings to clickhouse-go, without ctx's
// deadline: clickhouse-go would replace max_execution_time with the
// deadline + 5 s (queryOptions in its context.go), lifting the server's
// limit above the configured one. The deadline still cancels the
// statement on the client while it runs; release stops that once the
// statement is done. (The statement's context is never cancelled after
// it: clickhouse-go's batch watchdog could then close the connection
// after it went back to the pool.)
func statementContext(ctx context.Context, settings Settings) (c context.Context, release func()) {
	release = func() {}
	if _, ok := ctx.Deadline(); ok {
		detached, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
		stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
		ctx, release = detached, func() { stop() }
	}
	return ch.Context(ctx, ch.WithSettings(ch.Settings(settings))), release
}

func (e nativeEngine) Query(ctx context.Context, settings Settings, query string, args ...any) (Rows, error) {
	c, release := statementContext(ctx, settings)
	rows, err := e.conn.Query(c, query, args...)
	if err != nil {
		release()
		return nil, err
	}
	return releasingRows{Rows: rows, release: release}, nil
}

func (e nativeEngine) Exec(ctx context.Context, settings Settings, query string, args ...any) error {
	c, release := statementContext(ctx, settings)
	defer release()
	return e.conn.Exec(c, query, args...)
}

func (e nativeEngine) PrepareBatch(ctx context.Context, settings Settings, query string) (Batch, error) {
	c, release := statementContext(ctx, settings)
	b, err := e.conn.PrepareBatch(c, query)
	if err != nil {
		release()
		return nil, err
	}
	return releasingBatch{Batch: b, release: release}, nil
}

// releasingRows and releasingBatch release a statement's context when
// they are done with.
type releasingRows struct {
	Rows
	release func()
}

func (r releasingRows) Close() error {
	defer r.release()
	return r.Rows.Close()
}

type releasingBatch struct {
	Batch
	release func()
}

// Append releases on a failure: callers return on it without Send or
// Abort, as the driver, which lets the connection go, expects.
func (b releasingBatch) Append(row ...any) error {
	err := b.Batch.Append(row...)
	if err != nil {
		b.release()
	}
	return err
}

func (b releasingBatch) Send() error {
	defer b.release()
	return b.Batch.Send()
}

func (b releasingBatch) Abort() error {
	defer b.release()
	return b.Batch.Abort()
}

func (e nativeEngine) Ping(ctx context.Context) error { return e.conn.Ping(ctx) }
func (e nativeEngine) Close() error                   { return e.conn.Close() }

// MapError maps an error from a driver value (a batch's Send, rows' Err) the
// same way DB's own methods do.
func MapError(err error) error { return mapError(err) }

// driverLogger passes the driver's errors to the log and drops its chatter:
// it warns on every new connection to a server older than it supports
// (CheckServer says so once, at start), and reports every
// cancelled read as an error — a client that went away, or a read stopped
// on purpose because a sibling read already failed — which is not one.
func driverLogger(log *slog.Logger) *slog.Logger {
	return slog.New(minLevel{Handler: log.Handler(), min: slog.LevelError}).With("component", "clickhouse-go")
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) Handle(ctx context.Context, r slog.Record) error {
	cancelled := false
	r.Attrs(func(a slog.Attr) bool {
		err, ok := a.Value.Any().(error)
		cancelled = ok && errors.Is(err, context.Canceled)
		return !cancelled
	})
	if cancelled {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
