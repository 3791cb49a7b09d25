package clickhouse

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// KeyKind says how a sort key column's value is written in a cursor and
// bound back into a statement.
type KeyKind int

const (
	// KeyText is a String column, compared as text.
	KeyText KeyKind = iota
	// KeyUInt is an unsigned integer, written in decimal.
	KeyUInt
	// KeyDecimal2 is a Decimal with 2 decimals (rupiah), written as text so
	// that it compares exactly.
	KeyDecimal2
)

// KeyColumn is one column of a list's sort key: an expression from the
// caller's code, never user input.
type KeyColumn struct {
	Expr string
	Desc bool
	Kind KeyKind
}

// DateDays is the sort key expression of a Date: its day number. (Dates
// written as text do not round-trip: 18.16 writes day 0 as 0000-00-00.)
func DateDays(date string) string { return "toUInt32(" + date + ")" }

// FloatBits is the sort key expression of a non-negative Float64 column:
// its bits as UInt64, which order as the numbers do. A float bound as text
// may be parsed a unit in the last place off (ClickHouse parses floats
// quickly, not exactly), and the page would repeat or skip an item; bits
// compare exactly. (reinterpretAsString drops trailing zero bytes, which
// reinterpretAsUInt64 pads back: the round trip works on 18.16 and on
// current releases alike.)
func FloatBits(column string) string {
	return "reinterpretAsUInt64(reinterpretAsString(" + column + "))"
}

// KeyOrder is the ORDER BY of a sort key.
func KeyOrder(cols []KeyColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Expr
		if c.Desc {
			parts[i] += " DESC"
		}
	}
	return strings.Join(parts, ", ")
}

// KeySelect selects each sort key column as text, as k0, k1, …: the values
// a cursor holds.
func KeySelect(cols []KeyColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "toString(" + c.Expr + ") AS k" + strconv.Itoa(i)
	}
	return strings.Join(parts, ", ")
}

// decimal2 is a Decimal(…, 2) as toString writes it: 18.16 writes both
// decimals (1500.50, 1500.00), current releases drop trailing zeros (1500.5,
// 1500).
var decimal2 = regexp.MustCompile(`^-?[0-9]{1,18}(\.[0-9]{1,2})?$`)

// AfterKey is the condition that a row comes after the row with sort key
// key, in the order of cols, and its values. A key that does not fit the
// columns (a cursor made up by hand) is invalid input.
func AfterKey(cols []KeyColumn, key []string) (string, []any, error) {
	if len(key) != len(cols) {
		return "", nil, fault.Invalid("after is not a cursor from this API")
	}
	values := make([]string, len(cols))
	var args []any
	for i, c := range cols {
		switch c.Kind {
		case KeyText:
			values[i] = "?"
			args = append(args, key[i])
		case KeyUInt:
			n, err := strconv.ParseUint(key[i], 10, 64)
			if err != nil {
				return "", nil, fault.Invalid("after is not a cursor from this API")
			}
			values[i] = "?"
			args = append(args, n)
		case KeyDecimal2:
			if !decimal2.MatchString(key[i]) {
				return "", nil, fault.Invalid("after is not a cursor from this API")
			}
			values[i] = "toDecimal64(?, 2)"
			args = append(args, key[i])
		}
	}
	// (c0 > v0) OR (c0 = v0 AND ((c1 > v1) OR (c1 = v1 AND …))), each
	// column in its direction; every value is bound twice but the last.
	var b strings.Builder
	var bound []any
	var write func(i int)
	write = func(i int) {
		c := cols[i]
		op := " > "
		if c.Desc {
			op = " < "
		}
		n := strings.Count(values[i], "?")
		arg := args[:n]
		if i == len(cols)-1 {
			b.WriteString(c.Expr + op + values[i])
			bound = append(bound, arg...)
			return
		}
		b.WriteString("(" + c.Expr + op + values[i] + " OR (" + c.Expr + " = " + values[i] + " AND ")
		bound = append(append(bound, arg...), arg...)
		args = args[n:]
		write(i + 1)
		b.WriteString("))")
	}
	write(0)
	return "(" + b.String() + ")", bound, nil
}
