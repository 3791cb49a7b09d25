// Package chdbtest runs sinergi's statements on chDB, ClickHouse's own
// engine embedded in the test process, so the tests that check figures
// prove them on a current ClickHouse as well as on the 18.16 server they
// start. Only tests import it: the product binary never links chDB.
//
// The session loads libchdb.so (from LibPath: `make test` installs it) when
// it starts. A process has one chDB session: every database of the test
// binary lives in it, and statements run one at a time.
package chdbtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	chproto "github.com/ClickHouse/ch-go/proto"
	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// LibVersion is the npm package of libchdb that `make test` installs.
const LibVersion = "26.7.3-stable.1"

// Session is the process's chDB session.
type Session struct {
	mu       sync.Mutex
	conn     *connection
	dir      string
	database string // the session's current database
	version  string
	files    int
}

var (
	start    sync.Once
	session  *Session
	startErr error
)

// Start opens the process's chDB session in a temporary directory (once;
// later calls return the same session).
func Start() (*Session, error) {
	start.Do(func() { session, startErr = open() })
	return session, startErr
}

func open() (*Session, error) {
	dir, err := os.MkdirTemp("", "sinergi-chdb-")
	if err != nil {
		return nil, fmt.Errorf("chdb: %w", err)
	}
	l, err := loadLib(LibPath())
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("chdb: %w", err)
	}
	conn, err := connect(l, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("chdb: open a session in %s: %w", dir, err)
	}
	s := &Session{conn: conn, dir: dir, database: "default"}
	// A server is configured once for all its sessions; an embedded engine
	// per session. These match how sinergi uses a server: inserts are done
	// when the statement returns (sinergi reads what it just wrote), and
	// times are UTC like the servers the tests start.
	for _, q := range []string{"SET async_insert = 0", "SET session_timezone = 'UTC'"} {
		if _, err := s.run(q); err != nil {
			s.Close()
			return nil, err
		}
	}
	b, err := s.run("SELECT version()")
	if err == nil && (len(b) != 1 || b[0].Rows() != 1) {
		err = errors.New("chdb: SELECT version() returned no row")
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.version = b[0].Columns[0].Row(0, false).(string)
	return s, nil
}

// Version is the ClickHouse version chDB embeds, such as 26.7.2.1.
func (s *Session) Version() string { return s.version }

// Close ends the session and removes its data.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn.close()
	os.RemoveAll(s.dir)
}

// CreateDatabase creates a database in the session.
func (s *Session) CreateDatabase(name string) error {
	return s.onDefault("CREATE DATABASE IF NOT EXISTS " + name)
}

// DropDatabase removes a database and its tables.
func (s *Session) DropDatabase(name string) error {
	return s.onDefault("DROP DATABASE IF EXISTS " + name)
}

func (s *Session) onDefault(stmt string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.use("default"); err != nil {
		return err
	}
	_, err := s.run(stmt)
	return err
}

// Engine is a clickhouse.Engine whose statements run in database.
func (s *Session) Engine(database string) clickhouse.Engine {
	return &engine{s: s, database: database}
}

// run runs one statement and decodes its Native result; the caller holds
// s.mu (or is open).
func (s *Session) run(query string) ([]*proto.Block, error) {
	out, err := s.conn.query(query, "Native")
	if err != nil {
		return nil, exception(err)
	}
	return decode(out)
}

// use makes database the session's current one.
func (s *Session) use(database string) error {
	if s.database == database {
		return nil
	}
	if _, err := s.run("USE " + database); err != nil {
		return err
	}
	s.database = database
	return nil
}

// decode reads the blocks of a Native result (chDB writes them without the
// block info the native protocol carries).
func decode(buf []byte) ([]*proto.Block, error) {
	// The reader buffers: the end of the input is the EOF of a block's
	// first read, not an empty bytes.Reader.
	reader := chproto.NewReader(bytes.NewReader(buf))
	var blocks []*proto.Block
	for {
		b := proto.NewBlock()
		if err := b.Decode(reader, 0); err != nil {
			if errors.Is(err, io.EOF) {
				return blocks, nil
			}
			return nil, fmt.Errorf("chdb: decode a Native block: %w", err)
		}
		blocks = append(blocks, b)
	}
}

var exceptionText = regexp.MustCompile(`^Code: (\d+)\. (?:DB::Exception: )?`)

// exception turns chDB's error text into the exception clickhouse-go returns
// for the same failure, so sinergi maps both alike.
func exception(err error) error {
	m := exceptionText.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("chdb: %w", err)
	}
	code, _ := strconv.Atoi(m[1])
	return &ch.Exception{Code: int32(code), Name: "DB::Exception", Message: strings.TrimSpace(err.Error()[len(m[0]):])}
}

type engine struct {
	s        *Session
	database string
}

// exec runs one statement in the engine's database with settings. Reads
// carry them in a SETTINGS clause (readonly can be set for one query only
// that way); other statements get them by SET for their duration, since a
// SETTINGS clause means something else to CREATE TABLE.
func (e *engine) exec(ctx context.Context, settings clickhouse.Settings, read bool, query string, args ...any) ([]*proto.Block, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	query, err := Bind(query, args...)
	if err != nil {
		return nil, err
	}
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	if err := e.s.use(e.database); err != nil {
		return nil, err
	}
	list := settingList(settings)
	if read {
		if list != "" {
			query += "\nSETTINGS " + list
		}
		return e.s.run(query)
	}
	if list != "" {
		if _, err := e.s.run("SET " + list); err != nil {
			return nil, err
		}
		defer func() {
			for name := range settings {
				e.s.run("SET " + name + " = DEFAULT")
			}
		}()
	}
	return e.s.run(query)
}

func settingList(settings clickhouse.Settings) string {
	list := make([]string, 0, len(settings))
	for name, v := range settings {
		list = append(list, fmt.Sprintf("%s = %v", name, v))
	}
	return strings.Join(list, ", ")
}

func (e *engine) Query(ctx context.Context, settings clickhouse.Settings, query string, args ...any) (clickhouse.Rows, error) {
	blocks, err := e.exec(ctx, settings, true, query, args...)
	if err != nil {
		return nil, err
	}
	return &rows{blocks: blocks, row: -1}, nil
}

func (e *engine) Exec(ctx context.Context, settings clickhouse.Settings, query string, args ...any) error {
	_, err := e.exec(ctx, settings, false, query, args...)
	return err
}

func (e *engine) Ping(ctx context.Context) error {
	_, err := e.exec(ctx, nil, true, "SELECT 1")
	return err
}

// Close leaves the session open: it is the process's, shared by every
// database (see Session.Close).
func (e *engine) Close() error { return nil }

// insertInto reads the table and columns of `INSERT INTO t (a, b)`.
var insertInto = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_.]*)\s*\(([^)]*)\)\s*$`)

func (e *engine) PrepareBatch(ctx context.Context, settings clickhouse.Settings, query string) (clickhouse.Batch, error) {
	m := insertInto.FindStringSubmatch(query)
	if m == nil {
		return nil, fmt.Errorf("chdb: a batch needs `INSERT INTO table (columns)`, got %q", query)
	}
	table := m[1]
	var names []string
	for _, c := range strings.Split(m[2], ",") {
		names = append(names, strings.TrimSpace(c))
	}
	described, err := e.exec(ctx, nil, true, "DESCRIBE TABLE "+table)
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, b := range described {
		for i := 0; i < b.Rows(); i++ {
			types[b.Columns[0].Row(i, false).(string)] = b.Columns[1].Row(i, false).(string)
		}
	}
	block := proto.NewBlock()
	for _, name := range names {
		t, ok := types[name]
		if !ok {
			return nil, &ch.Exception{Code: 16, Name: "DB::Exception", Message: fmt.Sprintf("No such column %s in table %s", name, table)}
		}
		if err := block.AddColumn(name, column.Type(t)); err != nil {
			return nil, fmt.Errorf("chdb: column %s %s: %w", name, t, err)
		}
	}
	return &batch{e: e, ctx: ctx, settings: settings, table: table, columns: strings.Join(names, ", "), block: block}, nil
}

// batch collects rows in a Native block; Flush inserts them from a file
// (a statement is a C string and cannot carry the binary block itself).
type batch struct {
	e        *engine
	ctx      context.Context
	settings clickhouse.Settings
	table    string
	columns  string
	block    *proto.Block
	done     bool
}

func (b *batch) Append(row ...any) error {
	if b.done {
		return errors.New("chdb: batch already sent")
	}
	return b.block.Append(row...)
}

func (b *batch) Column(i int) driver.BatchColumn { return batchColumn{b.block.Columns[i]} }

func (b *batch) Flush() error {
	if b.block.Rows() == 0 {
		return nil
	}
	var buf chproto.Buffer
	if err := b.block.Encode(&buf, 0); err != nil {
		return fmt.Errorf("chdb: encode a Native block: %w", err)
	}
	b.e.s.mu.Lock()
	b.e.s.files++
	path := filepath.Join(b.e.s.dir, fmt.Sprintf("batch-%d.native", b.e.s.files))
	b.e.s.mu.Unlock()
	if err := os.WriteFile(path, buf.Buf, 0o600); err != nil {
		return fmt.Errorf("chdb: %w", err)
	}
	defer os.Remove(path)
	q := fmt.Sprintf("INSERT INTO %s (%s) FROM INFILE '%s' FORMAT Native", b.table, b.columns, path)
	if err := b.e.Exec(b.ctx, b.settings, q); err != nil {
		return err
	}
	b.block.Reset()
	return nil
}

func (b *batch) Send() error {
	if b.done {
		return errors.New("chdb: batch already sent")
	}
	err := b.Flush()
	b.done = true
	return err
}

func (b *batch) Abort() error {
	b.done = true
	b.block.Reset()
	return nil
}

type batchColumn struct{ col column.Interface }

func (c batchColumn) Append(v any) error {
	_, err := c.col.Append(v)
	return err
}

func (c batchColumn) AppendRow(v any) error { return c.col.AppendRow(v) }
