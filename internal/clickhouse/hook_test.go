package clickhouse_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

// countRows is a function that runs SQL, as a store's method does: the
// statement is named after it.
func countRows(ctx context.Context, db *clickhouse.DB) (uint64, error) {
	var n uint64
	err := db.QueryRow(ctx, "SELECT count() FROM system.one", nil, &n)
	return n, err
}

func TestStatementHookCountsNamedStatements(t *testing.T) {
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		ctx := context.Background()
		db := e.NewDB(t)
		reg := prometheus.NewRegistry()
		var names []string
		db.Observe(clickhouse.Hooks(clickhouse.StatementMetrics(reg), func(ctx context.Context, name, kind string) (context.Context, func(error)) {
			names = append(names, name+" "+kind)
			return ctx, func(error) {}
		}))
		for range 3 {
			if _, err := countRows(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec(ctx, "SELECT nonexistent_function_x()"); err == nil {
			t.Fatal("a bad statement ran")
		}
		if err := db.Exec(ctx, "CREATE TABLE hooked (a UInt8) ENGINE = Memory"); err != nil {
			t.Fatal(err)
		}
		batch, err := db.PrepareBatch(ctx, "INSERT INTO hooked (a)")
		if err != nil {
			t.Fatal(err)
		}
		if err := batch.Append(uint8(1), uint8(2)); err == nil { // one column too many: callers return here
			t.Fatal("a row of two values appended to a batch of one column")
		}
		if names[0] != "clickhouse_test.countRows read" {
			t.Errorf("statement named %q, want clickhouse_test.countRows read", names[0])
		}
		ok := metricValue(t, reg, "sinergi_clickhouse_statements_total",
			map[string]string{"statement": "clickhouse_test.countRows", "kind": "read", "outcome": "ok"})
		if ok != 3 {
			t.Errorf("countRows ok statements: %v, want 3", ok)
		}
		failed := metricValue(t, reg, "sinergi_clickhouse_statements_total",
			map[string]string{"statement": "clickhouse_test.TestStatementHookCountsNamedStatements", "kind": "write", "outcome": "error"})
		if failed != 1 {
			t.Errorf("failed statements: %v, want 1", failed)
		}
		insertFailed := metricValue(t, reg, "sinergi_clickhouse_statements_total",
			map[string]string{"statement": "clickhouse_test.TestStatementHookCountsNamedStatements", "kind": "insert", "outcome": "error"})
		if insertFailed != 1 {
			t.Errorf("inserts ended by a failed append: %v, want 1", insertFailed)
		}
		if n := testutil.CollectAndCount(reg, "sinergi_clickhouse_statement_duration_seconds"); n != 3 {
			t.Errorf("%d latency series, want 3", n)
		}
	})
}

// metricValue is the value of the counter or gauge name with exactly the
// labels; the test fails when there is none.
func metricValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue metrics
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return 0
}
