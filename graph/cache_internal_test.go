package graph

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Storing an answer again (two misses one after the other) replaces it
// without counting its bytes twice; purging returns the count to zero.
func TestResultCacheCountsReplacedEntriesOnce(t *testing.T) {
	c := NewResultCache(1<<20, 1<<20)
	key := cacheKey(sha256.Sum256([]byte("q")))
	answer := []byte(`{"data":{"x":"` + strings.Repeat("abc", 1000) + `"}}`)
	c.store(key, answer)
	once := c.entries.bytes.Load()
	if once <= 0 {
		t.Fatalf("nothing counted: %d", once)
	}
	c.store(key, answer)
	if got := c.entries.bytes.Load(); got != once {
		t.Fatalf("stored twice: %d bytes counted, want %d", got, once)
	}
	c.Invalidate(1)
	if got := c.entries.bytes.Load(); got != 0 {
		t.Fatalf("after a purge: %d bytes counted", got)
	}
}

// The byte budget evicts the least recently used answers; an answer larger
// than an entry may be is not kept.
func TestResultCacheKeepsToItsBudget(t *testing.T) {
	// Hashes do not compress: each answer stays ~4 KB in the cache.
	answer := func(c byte) []byte {
		var b strings.Builder
		for i := range 64 {
			fmt.Fprintf(&b, "%x", sha256.Sum256([]byte{c, byte(i)}))
		}
		return []byte(`{"data":{"echo":"` + b.String() + `"}}`)
	}
	one := len(NewResultCache(1<<20, 1<<20).store(cacheKey{}, answer('a')))
	c := NewResultCache(2*one+one/2, 1<<20) // room for two
	key := func(b byte) cacheKey { return cacheKey{b} }
	c.store(key('a'), answer('a'))
	c.store(key('b'), answer('b'))
	c.get(key('a')) // a is now the most recently used
	c.store(key('c'), answer('c'))
	if _, ok := c.get(key('b')); ok {
		t.Fatal("b, the least recently used, was kept over the budget")
	}
	for _, k := range []byte("ac") {
		if _, ok := c.get(key(k)); !ok {
			t.Fatalf("%c was evicted", k)
		}
	}
	small := NewResultCache(1<<20, one-1)
	small.store(key('a'), answer('a'))
	if _, ok := small.get(key('a')); ok {
		t.Fatal("an answer over the entry limit was kept")
	}
}

// A merged request whose first client hangs up still answers the others
// in full; the execution is cancelled only when every client has gone.
func TestFlightOutlivesItsFirstClient(t *testing.T) {
	var f flights
	key := cacheKey{1}
	release := make(chan struct{})
	started := make(chan context.Context, 2)
	run := func(ctx context.Context) answer {
		started <- ctx
		select {
		case <-release:
			return answer{status: 200, body: []byte(`{"data":{}}`)}
		case <-ctx.Done():
			return answer{status: 503}
		}
	}
	first, hangUp := context.WithCancel(context.Background())
	firstDone := make(chan bool)
	go func() {
		_, _, ok := f.do(first, &key, time.Minute, run)
		firstDone <- ok
	}()
	execCtx := within(t, started)
	type result struct {
		ans        answer
		shared, ok bool
	}
	others := make(chan result, 2)
	for range 2 {
		go func() {
			ans, shared, ok := f.do(context.Background(), &key, time.Minute, run)
			others <- result{ans, shared, ok}
		}()
	}
	waitFor(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.running[key].clients == 3 })
	hangUp()
	if within(t, firstDone) {
		t.Fatal("the client that hung up got an answer")
	}
	if execCtx.Err() != nil {
		t.Fatal("the first client's hang-up cancelled the execution the others wait for")
	}
	close(release)
	for range 2 {
		r := within(t, others)
		if !r.ok || !r.shared || r.ans.status != 200 || string(r.ans.body) != `{"data":{}}` {
			t.Fatalf("a waiting client got %+v", r)
		}
	}
	select {
	case <-started:
		t.Fatal("ran twice")
	default:
	}
}

func TestFlightIsCancelledWhenEveryClientHasGone(t *testing.T) {
	var f flights
	key := cacheKey{2}
	started := make(chan context.Context, 2)
	run := func(ctx context.Context) answer {
		started <- ctx
		<-ctx.Done()
		return answer{status: 503}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go f.do(ctx, &key, time.Minute, run)
	execCtx := within(t, started)
	cancel()
	select {
	case <-execCtx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the execution went on with nobody waiting")
	}
	// A request arriving now starts afresh instead of joining the cancelled one.
	go f.do(context.Background(), &key, time.Minute, run)
	if again := within(t, started); again.Err() != nil {
		t.Fatal("a new request joined the cancelled execution")
	}
}

// boundRootFields lets at most rootFieldsAtOnce top-level fields of one
// operation run together, and marks volatile ones.
func TestRootFieldsRunAFewAtATime(t *testing.T) {
	ctx, st := withOperationState(context.Background(), nil)
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			field := "idmYears"
			if i == 5 {
				field = "etlRuns"
			}
			fctx := graphql.WithRootFieldContext(ctx, &graphql.RootFieldContext{Field: graphql.CollectedField{Field: &ast.Field{Name: field}}})
			boundRootFields(fctx, func(context.Context) graphql.Marshaler {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
				running.Add(-1)
				return graphql.Null
			})
		})
	}
	wg.Wait()
	if got := most.Load(); got > rootFieldsAtOnce || got < 1 {
		t.Fatalf("%d root fields ran at once, the bound is %d", got, rootFieldsAtOnce)
	}
	if !st.volatile.Load() {
		t.Fatal("etlRuns did not mark the operation volatile")
	}
}

// The root fields that read what a run writes, published or not, mark the
// operation volatile; the figures do not.
func TestRunFieldsAreVolatile(t *testing.T) {
	for field, volatile := range map[string]bool{"etlRuns": true, "etlRejects": true, "etlWarnings": true,
		"dataFreshness": true, "idmYears": false, "cooperationStats": false} {
		ctx, st := withOperationState(context.Background(), nil)
		fctx := graphql.WithRootFieldContext(ctx, &graphql.RootFieldContext{Field: graphql.CollectedField{Field: &ast.Field{Name: field}}})
		boundRootFields(fctx, func(context.Context) graphql.Marshaler { return graphql.Null })
		if st.volatile.Load() != volatile {
			t.Errorf("%s: volatile %v, want %v", field, st.volatile.Load(), volatile)
		}
	}
}

// within receives from c, failing the test after five seconds.
func within[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("nothing arrived in 5s")
		panic("unreachable")
	}
}
