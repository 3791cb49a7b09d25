package coopch

import (
	"context"
	"fmt"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/keyset"
)

// Lists are paged by keyset (internal/keyset): a page reads the rows after
// the cursor's sort key, one more than asked to tell whether more follow,
// and a second statement over the same rows counts them all and those at
// or before the cursor.

// seekCond is the condition selecting the rows after seek's key in the
// order of cols ("1" from the start), with its values.
func seekCond(cols []clickhouse.KeyColumn, seek keyset.Seek) (string, []any, error) {
	if seek.After == nil {
		return "1", nil, nil
	}
	return clickhouse.AfterKey(cols, seek.After)
}

// keyedRows runs a page statement whose last columns are the sort key
// (clickhouse.KeySelect of cols), scanning each row's other columns into
// the destinations next returns for it. It returns at most seek.Limit rows'
// keys and whether more rows followed; the caller drops its items beyond
// len(keys).
func (s *Store) keyedRows(ctx context.Context, what string, q *sqlText, cols []clickhouse.KeyColumn, seek keyset.Seek, next func() []any) ([][]string, bool, error) {
	rows, err := s.db.Query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var keys [][]string
	more := false
	for rows.Next() {
		if len(keys) == seek.Limit {
			more = true
			break
		}
		key := make([]string, len(cols))
		dest := next()
		for i := range key {
			dest = append(dest, &key[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, false, fmt.Errorf("%s: %w", what, err)
		}
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("%s: %w", what, err)
	}
	return keys, more, nil
}

// listCounts counts the rows of a list (the FROM and WHERE after "count()"
// in from) and those at or before the cursor (not after).
func (s *Store) listCounts(ctx context.Context, what string, from *sqlText, after string, afterArgs []any) (total, before int, err error) {
	q := &sqlText{}
	q.add("SELECT count() AS total, countIf(NOT "+after+") AS before", afterArgs...)
	q.add(from.String(), from.args...)
	var t, b uint64
	if err := s.db.QueryRow(ctx, q.String(), q.args, &t, &b); err != nil {
		return 0, 0, fmt.Errorf("%s count: %w", what, err)
	}
	return int(t), int(b), nil
}
