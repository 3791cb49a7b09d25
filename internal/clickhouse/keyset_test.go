package clickhouse

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sinergi-id/sinergi/internal/fault"
)

func TestAfterKey(t *testing.T) {
	cols := []KeyColumn{
		{Expr: DateDays("ifNull(signed_on, toDate('1970-01-01'))"), Desc: true, Kind: KeyUInt},
		{Expr: "v", Desc: true, Kind: KeyDecimal2},
		{Expr: "n", Kind: KeyUInt},
		{Expr: "id", Kind: KeyText},
	}
	cond, args, err := AfterKey(cols, []string{"20326", "4150000000.00", "7", "X'); DROP"})
	if err != nil {
		t.Fatal(err)
	}
	want := "((toUInt32(ifNull(signed_on, toDate('1970-01-01'))) < ? OR (toUInt32(ifNull(signed_on, toDate('1970-01-01'))) = ? AND " +
		"(v < toDecimal64(?, 2) OR (v = toDecimal64(?, 2) AND (n > ? OR (n = ? AND id > ?)))))))"
	if cond != want {
		t.Errorf("condition\n got %s\nwant %s", cond, want)
	}
	wantArgs := []any{uint64(20326), uint64(20326), "4150000000.00", "4150000000.00", uint64(7), uint64(7), "X'); DROP"}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args %v, want %v (every value bound)", args, wantArgs)
	}
	for _, bad := range [][]string{
		{"20326", "4150000000.00", "7"},           // too short
		{"20326", "1e9", "7", "x"},                // not a decimal
		{"20326", "4150000000.00", "-1", "x"},     // not unsigned
		{"2025-08-26", "4150000000.00", "7", "x"}, // a date, not a day number
		{"20326", "4150000000.00 OR 1", "7", "x"}, // not a decimal
	} {
		if _, _, err := AfterKey(cols, bad); !errors.Is(err, fault.ErrInvalidInput) {
			t.Errorf("key %q: %v, want invalid input", bad, err)
		}
	}
}
