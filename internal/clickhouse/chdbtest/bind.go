package chdbtest

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Bind replaces each `?` outside quotes and comments with its argument as a
// SQL literal, as clickhouse-go does before it sends a statement: chDB takes
// no arguments. A literal means to ClickHouse what clickhouse-go's does
// (TestBindMatchesTheDriver checks it on the 18.16 server).
func Bind(query string, args ...any) (string, error) {
	if len(args) == 0 {
		return query, nil
	}
	var out strings.Builder
	next := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := closingQuote(query, i)
			out.WriteString(query[i:end])
			i = end - 1
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			out.WriteString(query[i : i+end])
			i += end - 1
		case c == '?':
			if next == len(args) {
				return "", fmt.Errorf("chdb bind: more placeholders than the %d arguments", len(args))
			}
			lit, err := literal(args[next], false)
			if err != nil {
				return "", fmt.Errorf("chdb bind: argument %d: %w", next+1, err)
			}
			out.WriteString(lit)
			next++
		default:
			out.WriteByte(c)
		}
	}
	if next != len(args) {
		return "", fmt.Errorf("chdb bind: %d arguments for %d placeholders", len(args), next)
	}
	return out.String(), nil
}

// closingQuote is the index just past the quoted text that starts at i.
func closingQuote(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(s)
}

var quoteReplacer = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`)

func quote(s string) string { return "'" + quoteReplacer.Replace(s) + "'" }

func literal(v any, nested bool) (string, error) {
	switch v := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return quote(v), nil
	case []byte:
		if !nested {
			return quote(string(v)), nil
		}
	case bool:
		if v {
			return "1", nil
		}
		return "0", nil
	case time.Time:
		return timeLiteral(v)
	case fmt.Stringer: // decimal.Decimal among others: a string ClickHouse converts
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "NULL", nil
		}
		return quote(v.String()), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return quote(rv.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", errors.New("NaN and infinities have no literal")
		}
		bits := 64
		if rv.Kind() == reflect.Float32 {
			bits = 32
		}
		return fmt.Sprintf("CAST(%s, 'Float%d')", strconv.FormatFloat(f, 'g', -1, bits), bits), nil
	case reflect.Slice, reflect.Array:
		items := make([]string, rv.Len())
		for i := range items {
			item, err := literal(rv.Index(i).Interface(), true)
			if err != nil {
				return "", err
			}
			items[i] = item
		}
		return "[" + strings.Join(items, ", ") + "]", nil
	case reflect.Pointer:
		if rv.IsNil() {
			return "NULL", nil
		}
		return literal(rv.Elem().Interface(), nested)
	}
	return "", fmt.Errorf("no literal for %T", v)
}

// timeLiteral is a DateTime in the time's own zone, to the second, as
// clickhouse-go writes one.
func timeLiteral(t time.Time) (string, error) {
	zone := t.Location().String()
	if zone == "Local" {
		t, zone = t.UTC(), "UTC"
	}
	if strings.ContainsAny(zone, `'\`) {
		return "", fmt.Errorf("time zone %q", zone)
	}
	return fmt.Sprintf("toDateTime('%s', '%s')", t.Format(time.DateTime), zone), nil
}
