package cooperation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// Time series for charts: cooperationStats names the period of agreements
// without a date Undated (the store gives ""), and, asked to, fills in
// every period of the range with zeros, so that a chart's x axis has no
// gaps and every series has a value at every point.

// periodIndex numbers a period key of a grain (2025, 2025-Q3, 2025-08) so
// that consecutive periods have consecutive numbers.
func periodIndex(key string, g TimeGrain) (int, bool) {
	switch g {
	case GrainMonth:
		t, err := time.Parse("2006-01", key)
		return t.Year()*12 + int(t.Month()) - 1, err == nil
	case GrainQuarter:
		y, q, ok := strings.Cut(key, "-Q")
		year, err1 := strconv.Atoi(y)
		quarter, err2 := strconv.Atoi(q)
		return year*4 + quarter - 1, ok && err1 == nil && err2 == nil && quarter >= 1 && quarter <= 4
	default:
		year, err := strconv.Atoi(key)
		return year, err == nil
	}
}

// periodKey writes the period with index i as the store does.
func periodKey(i int, g TimeGrain) string {
	switch g {
	case GrainMonth:
		return fmt.Sprintf("%04d-%02d", i/12, i%12+1)
	case GrainQuarter:
		return fmt.Sprintf("%04d-Q%d", i/4, i%4+1)
	default:
		return strconv.Itoa(i)
	}
}

// dayIndex is the index of the period a day falls in.
func dayIndex(d time.Time, g TimeGrain) int {
	switch g {
	case GrainMonth:
		return d.Year()*12 + int(d.Month()) - 1
	case GrainQuarter:
		return d.Year()*4 + (int(d.Month())-1)/3
	default:
		return d.Year()
	}
}

// completePeriods names the undated period of rows whose dimension at
// column p is PERIOD and, with fill, adds a row of zeros for every period
// of the range that a combination of the other dimensions lacks. The range
// runs from the earliest to the latest period of the rows, widened to the
// filter's signing and active periods. It refuses to grow beyond max rows.
//
// The store answers its rows sorted by their keys (the undated period "",
// first); the answer puts Undated after the dated periods. Rather than sort
// every row again, the rows whose order changes (the undated ones, and the
// filled-in ones) are sorted apart and merged into the others, which stay
// in order: a large answer from the warm rollups costs one pass, not a sort.
func completePeriods(rows []StatsRow, p int, g TimeGrain, f Filter, fill bool, max int) ([]StatsRow, error) {
	inOrder := slices.IsSortedFunc(rows, byKeys)
	undated := 0
	for i := range rows {
		if rows[i].Keys[p] == "" {
			rows[i].Keys[p] = Undated
			undated++
		}
	}
	stored := len(rows) // rows[stored:] are filled in
	if !fill || len(rows) == 0 {
		return sortedByKeys(rows, inOrder, p, stored), nil
	}
	first, last, dated := 0, 0, false
	widen := func(i int) {
		if !dated || i < first {
			first = i
		}
		if !dated || i > last {
			last = i
		}
		dated = true
	}
	for _, r := range rows {
		if i, ok := periodIndex(r.Keys[p], g); ok {
			widen(i)
		}
	}
	for _, d := range []time.Time{f.SignedFrom, f.SignedTo, f.ActiveFrom, f.ActiveTo} {
		if !d.IsZero() {
			widen(dayIndex(d, g))
		}
	}
	if !dated {
		return sortedByKeys(rows, inOrder, p, stored), nil
	}
	// The combinations of the other dimensions (the keys of each one's
	// first row), and which periods of the range each has: one flag per
	// series and period, in one block. Large answers (every kabupaten by
	// issue and year) fill in tens of thousands of rows: they are made in
	// blocks, not one allocation per key and value.
	span := last - first + 1
	var series [][]string
	var has []bool
	seriesOf := make(map[string]int, len(rows)/span+1)
	var id []byte
	for _, r := range rows {
		id = id[:0]
		for k, key := range r.Keys {
			if k != p {
				id = append(append(id, key...), 0)
			}
		}
		s, ok := seriesOf[string(id)]
		if !ok {
			s = len(series)
			seriesOf[string(id)] = s
			series = append(series, r.Keys)
			has = append(has, make([]bool, span)...)
		}
		if i, ok := periodIndex(r.Keys[p], g); ok {
			has[s*span+i-first] = true
		}
	}
	// Every series gets every period of the range; undated rows stay.
	if n := len(series)*span + undated; n > max {
		return nil, fault.Invalid("every period filled in would make %d rows, more than %d: ask for a coarser "+
			"timeGrain, fewer dimensions, a narrower filter, or fillPeriods: false", n, max)
	}
	missing := 0
	for _, h := range has {
		if !h {
			missing++
		}
	}
	periods := make([]string, span)
	for i := range periods {
		periods[i] = periodKey(first+i, g)
	}
	width, measures := len(rows[0].Keys), len(rows[0].Values)
	keyBlock := make([]string, missing*width)
	zeros := make([]float64, missing*measures)
	rows = slices.Grow(rows, missing)
	for s, keys := range series {
		for i, period := range periods {
			if has[s*span+i] {
				continue
			}
			k := keyBlock[:width:width]
			keyBlock = keyBlock[width:]
			copy(k, keys)
			k[p] = period
			rows = append(rows, StatsRow{Keys: k, Values: zeros[:measures:measures]})
			zeros = zeros[measures:]
		}
	}
	return sortedByKeys(rows, inOrder, p, stored), nil
}

func byKeys(a, b StatsRow) int { return slices.Compare(a.Keys, b.Keys) }

// sortedByKeys orders rows by their keys, as the store does: the undated
// period (column p) comes after the dated ones. When the store's rows
// (rows[:stored]) came in order, those whose period is dated still are: the
// undated and the filled-in rows are sorted apart and merged in.
func sortedByKeys(rows []StatsRow, inOrder bool, p, stored int) []StatsRow {
	if !inOrder {
		slices.SortFunc(rows, byKeys)
		return rows
	}
	var kept, moved []StatsRow
	for i, r := range rows[:stored] {
		if r.Keys[p] == Undated {
			if kept == nil {
				kept = slices.Clone(rows[:i])
			}
			moved = append(moved, r)
		} else if kept != nil {
			kept = append(kept, r)
		}
	}
	if kept == nil {
		kept = rows[:stored]
	}
	moved = append(moved, rows[stored:]...)
	if len(moved) == 0 {
		return rows
	}
	if !slices.IsSortedFunc(moved, byKeys) {
		slices.SortFunc(moved, byKeys)
	}
	out := make([]StatsRow, 0, len(rows))
	for len(kept) > 0 && len(moved) > 0 {
		if byKeys(moved[0], kept[0]) < 0 {
			out, moved = append(out, moved[0]), moved[1:]
		} else {
			out, kept = append(out, kept[0]), kept[1:]
		}
	}
	return append(append(out, kept...), moved...)
}
