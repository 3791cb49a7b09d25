package chdbtest_test

import (
	"os"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/internal/clickhouse/chdbtest"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

// Each kind of value the stores bind means the same to ClickHouse 18.16
// bound by clickhouse-go as written by Bind: same value, same type.
func TestBindMatchesTheDriver(t *testing.T) {
	db := clickhousetest.NewDB(t)
	values := []any{
		"plain", "it's \\ 'quoted' -- not a comment ?", "", "Kutai\x00Barat",
		int8(-3), int16(300), int32(-70000), int64(1) << 40, 7, uint8(200), uint16(65000), uint32(4e9), uint64(1) << 63,
		1.5, 0.1, -2.25e10, float32(0.5), true, false,
		decimal.RequireFromString("1234567.89"), decimal.RequireFromString("-0.01"),
		time.Date(2024, 2, 29, 13, 4, 5, 0, time.UTC),
		[]string{"a", "b'c"}, []uint64{1, 2}, []string{}, []int{},
		nil, (*string)(nil),
	}
	for _, v := range values {
		const q = "SELECT ifNull(toString(?), 'NULL') AS v, toTypeName(?) AS t"
		var byDriver, byBind [2]string
		if err := db.QueryRow(t.Context(), q, []any{v, v}, &byDriver[0], &byDriver[1]); err != nil {
			t.Errorf("%T %v bound by the driver: %v", v, v, err)
			continue
		}
		bound, err := chdbtest.Bind(q, v, v)
		if err != nil {
			t.Errorf("%T %v: %v", v, v, err)
			continue
		}
		if err := db.QueryRow(t.Context(), bound, nil, &byBind[0], &byBind[1]); err != nil {
			t.Errorf("%T %v bound as %s: %v", v, v, bound, err)
			continue
		}
		if byDriver != byBind {
			t.Errorf("%T %v: driver %q, Bind %q (%s)", v, v, byDriver, byBind, bound)
		}
	}
}

func TestBindSkipsQuotesAndComments(t *testing.T) {
	got, err := chdbtest.Bind("SELECT '?', \"a?\", `b?` -- ?\n, ? FROM t WHERE x = '\\'?'", 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT '?', \"a?\", `b?` -- ?\n, 1 FROM t WHERE x = '\\'?'"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if _, err := chdbtest.Bind("SELECT ?, ?", 1); err == nil {
		t.Fatal("too few arguments: no error")
	}
}

// A result of many blocks comes back whole.
func TestEveryBlockIsRead(t *testing.T) {
	db := clickhousetest.Engines()[1].NewDB(t)
	rows, err := db.Query(t.Context(), "SELECT number, toString(number) FROM numbers(100000) SETTINGS max_block_size = 1000")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n, sum uint64
	for rows.Next() {
		var v uint64
		var s string
		if err := rows.Scan(&v, &s); err != nil {
			t.Fatal(err)
		}
		n, sum = n+1, sum+v
	}
	if n != 100000 || sum != 100000*99999/2 {
		t.Fatalf("%d rows summing to %d, want 100000 summing to %d", n, sum, 100000*99999/2)
	}
}
