package chdbtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/ebitengine/purego"
)

// LibPath is where libchdb.so is: CHDB_LIB_PATH, else where `make test`
// installs it (the user's cache directory, per library version).
func LibPath() string {
	if p := os.Getenv("CHDB_LIB_PATH"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "sinergi", "chdb-"+LibVersion, "node_modules", "@chdb", "lib-linux-x64-gnu", "libchdb.so")
}

// lib is libchdb's C API (chdb.h), the few functions a session needs. It is
// bound when a session starts, never at init: a missing library is then a
// test failure that says where it looked.
type lib struct {
	// setSignalHandlersEnabled(0) keeps chdb_connect from installing
	// ClickHouse's own crash handlers for SIGSEGV, SIGBUS... over the Go
	// runtime's (which the runtime needs for panics and preemption).
	setSignalHandlersEnabled func(enabled int32)
	sigaction                func(sig int32, act, old unsafe.Pointer) int32
	connect                  func(argc int32, argv []*byte) unsafe.Pointer // chdb_connection *
	closeConn                func(conn unsafe.Pointer)
	query                    func(conn unsafe.Pointer, query, format string) unsafe.Pointer // chdb_result *
	destroyResult            func(result unsafe.Pointer)
	resultBuffer             func(result unsafe.Pointer) *byte
	resultLength             func(result unsafe.Pointer) uintptr
	resultError              func(result unsafe.Pointer) string
}

func loadLib(path string) (*lib, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("libchdb %s: %w", LibVersion, err)
	}
	handle, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	l := &lib{}
	for name, fn := range map[string]any{
		"chdb_connect": &l.connect, "chdb_close_conn": &l.closeConn, "chdb_query": &l.query,
		"chdb_destroy_query_result": &l.destroyResult, "chdb_result_buffer": &l.resultBuffer,
		"chdb_result_length": &l.resultLength, "chdb_result_error": &l.resultError,
		"chdb_set_signal_handlers_enabled": &l.setSignalHandlersEnabled,
	} {
		if _, err := purego.Dlsym(handle, name); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", name, path, err)
		}
		purego.RegisterLibFunc(fn, handle, name)
	}
	libc, err := purego.Dlopen("libc.so.6", purego.RTLD_NOW)
	if err != nil {
		return nil, fmt.Errorf("load libc: %w", err)
	}
	purego.RegisterLibFunc(&l.sigaction, libc, "sigaction")
	return l, nil
}

// keepGoSignalHandlers runs f and then puts back every signal handler as it
// was: turning ClickHouse's handlers off, and the first connect, both reset
// some of them to the default (chdb-go's issue 30 found this), which would
// make a Go panic or a preemption signal kill the test binary.
func (l *lib) keepGoSignalHandlers(f func()) {
	// A struct sigaction is 152 bytes on glibc/amd64; room to spare.
	var saved [65][256]byte
	for sig := 1; sig < len(saved); sig++ {
		l.sigaction(int32(sig), nil, unsafe.Pointer(&saved[sig][0]))
	}
	defer func() {
		for sig := 1; sig < len(saved); sig++ {
			l.sigaction(int32(sig), unsafe.Pointer(&saved[sig][0]), nil)
		}
	}()
	f()
}

// connection is one chdb_connection: chDB allows one per process.
type connection struct {
	lib  *lib
	conn unsafe.Pointer // chdb_connection *
}

func connect(l *lib, dir string) (*connection, error) {
	args := []string{"clickhouse", "--path=" + dir}
	argv := make([]*byte, len(args))
	for i, a := range args {
		argv[i] = &append([]byte(a), 0)[0]
	}
	var conn unsafe.Pointer
	l.keepGoSignalHandlers(func() {
		l.setSignalHandlersEnabled(0)
		conn = l.connect(int32(len(argv)), argv)
	})
	if conn == nil {
		return nil, errors.New("chdb_connect failed")
	}
	return &connection{lib: l, conn: conn}, nil
}

// query runs one statement and returns a copy of its output in format.
func (c *connection) query(q, format string) ([]byte, error) {
	res := c.lib.query(*(*unsafe.Pointer)(c.conn), q, format)
	if res == nil {
		return nil, errors.New("chdb_query returned no result")
	}
	defer c.lib.destroyResult(res)
	if msg := c.lib.resultError(res); msg != "" {
		return nil, errors.New(msg)
	}
	n := c.lib.resultLength(res)
	if n == 0 {
		return nil, nil
	}
	return append([]byte(nil), unsafe.Slice(c.lib.resultBuffer(res), n)...), nil
}

func (c *connection) close() { c.lib.closeConn(c.conn) }
