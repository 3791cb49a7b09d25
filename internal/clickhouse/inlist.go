package clickhouse

import (
	"strings"
)

// InList is an IN list of bound values, "(?, ?, …)", and the values, for
// looking rows up by a table's key: unlike has(?, column) with a bound
// array, ClickHouse uses the primary key for it, and a Go slice cannot be
// bound to IN on 18.16. Callers bound the number of values (a page, a
// request's regions).
func InList[T ~string](values []T) (string, []any) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = string(v)
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")", args
}

// StartsWithAny is "column LIKE ? OR …", one bound pattern per prefix: the
// primary key of a table ordered by column serves it (startsWith does not,
// on 18.16). column is a name from the caller's code, never user input;
// the prefixes hold digits only (region codes), so they need no escaping.
func StartsWithAny[T ~string](column string, prefixes []T) (string, []any) {
	parts := make([]string, len(prefixes))
	args := make([]any, len(prefixes))
	for i, p := range prefixes {
		parts[i] = column + " LIKE ?"
		args[i] = string(p) + "%"
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
