package clickhouse

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
)

// StatementHook is told of every statement a DB runs: it is called as the
// statement starts, with the statement's name and kind ("read", "write",
// "insert"), and the function it returns is called once with the outcome
// when the statement is done (a read's rows closed, an insert sent or
// aborted). It may return a context that the statement runs under (a
// trace span). Metrics and traces hang on this one hook (cmd/sinergi).
type StatementHook func(ctx context.Context, name, kind string) (context.Context, func(err error))

// Hooks is one hook calling each of hooks, in order.
func Hooks(hooks ...StatementHook) StatementHook {
	return func(ctx context.Context, name, kind string) (context.Context, func(error)) {
		ends := make([]func(error), len(hooks))
		for i, h := range hooks {
			ctx, ends[i] = h(ctx, name, kind)
		}
		return ctx, func(err error) {
			for i := len(ends) - 1; i >= 0; i-- {
				ends[i](err)
			}
		}
	}
}

// Observe installs hook around every statement db runs from now on; call it
// before the DB is shared.
func (db *DB) Observe(hook StatementHook) {
	db.engine = hookedEngine{Engine: db.engine, hook: hook}
}

// hookedEngine calls a hook around each statement of an engine.
type hookedEngine struct {
	Engine
	hook StatementHook
}

func (e hookedEngine) Query(ctx context.Context, settings Settings, query string, args ...any) (Rows, error) {
	ctx, end := e.hook(ctx, StatementName(), "read")
	rows, err := e.Engine.Query(ctx, settings, query, args...)
	if err != nil {
		end(err)
		return nil, err
	}
	return &hookedRows{Rows: rows, end: end}, nil
}

func (e hookedEngine) Exec(ctx context.Context, settings Settings, query string, args ...any) error {
	ctx, end := e.hook(ctx, StatementName(), "write")
	err := e.Engine.Exec(ctx, settings, query, args...)
	end(err)
	return err
}

func (e hookedEngine) PrepareBatch(ctx context.Context, settings Settings, query string) (Batch, error) {
	ctx, end := e.hook(ctx, StatementName(), "insert")
	b, err := e.Engine.PrepareBatch(ctx, settings, query)
	if err != nil {
		end(err)
		return nil, err
	}
	return &hookedBatch{Batch: b, end: end}, nil
}

// hookedRows ends the statement when the rows are closed, with the error
// the rows met.
type hookedRows struct {
	Rows
	end  func(error)
	once sync.Once
}

func (r *hookedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(func() {
		if rerr := r.Rows.Err(); rerr != nil {
			err = rerr
		}
		r.end(err)
	})
	return err
}

// hookedBatch ends the insert when it is sent or aborted, or when a row
// fails to append: callers return on that error without Send or Abort (the
// driver has already let the batch's connection go).
type hookedBatch struct {
	Batch
	end  func(error)
	once sync.Once
}

func (b *hookedBatch) Append(row ...any) error {
	err := b.Batch.Append(row...)
	if err != nil {
		b.once.Do(func() { b.end(err) })
	}
	return err
}

func (b *hookedBatch) Send() error {
	err := b.Batch.Send()
	b.once.Do(func() { b.end(err) })
	return err
}

func (b *hookedBatch) Abort() error {
	err := b.Batch.Abort()
	b.once.Do(func() { b.end(context.Canceled) })
	return err
}

// StatementName names the statement being started by the function that
// asked for it: the first caller outside this package, as
// "coopch.Store.CompareRegions" (package, receiver type, method; closures
// count as the function they are in). Names are stable as long as the code
// is, and as few as the functions that run SQL, so they make good metric
// labels without every call site naming its statement.
func StatementName() string {
	var pcs [16]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, thisPackage+".") {
			return shortFunctionName(f.Function)
		}
		if !more {
			return "unknown"
		}
	}
}

// thisPackage is this package's import path, as function names start.
var thisPackage = strings.TrimSuffix(runtime.FuncForPC(reflect.ValueOf(shortFunctionName).Pointer()).Name(), ".shortFunctionName")

// shortFunctionName turns "example.org/m/internal/x/xch.(*Store).Read.func1"
// into "xch.Store.Read".
func shortFunctionName(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	fn = strings.NewReplacer("(*", "", ")", "").Replace(fn)
	parts := strings.Split(fn, ".")
	for len(parts) > 2 && (strings.HasPrefix(parts[len(parts)-1], "func") || isDigits(parts[len(parts)-1])) {
		parts = parts[:len(parts)-1]
	}
	if i := strings.IndexByte(parts[len(parts)-1], '['); i > 0 { // a generic function
		parts[len(parts)-1] = parts[len(parts)-1][:i]
	}
	return strings.Join(parts, ".")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
