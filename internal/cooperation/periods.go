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
func completePeriods(rows []StatsRow, p int, g TimeGrain, f Filter, fill bool, max int) ([]StatsRow, error) {
	undated := 0
	for i := range rows {
		if rows[i].Keys[p] == "" {
			rows[i].Keys[p] = Undated
			undated++
		}
	}
	if !fill || len(rows) == 0 {
		return sortedByKeys(rows), nil
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
		return sortedByKeys(rows), nil
	}
	// The combinations of the other dimensions, and the periods each has.
	type series struct {
		keys    []string
		periods map[int]bool
	}
	var order []string
	all := map[string]*series{}
	for _, r := range rows {
		others := slices.Concat(r.Keys[:p], r.Keys[p+1:])
		id := strings.Join(others, "\x00")
		s := all[id]
		if s == nil {
			s = &series{keys: r.Keys, periods: map[int]bool{}}
			all[id] = s
			order = append(order, id)
		}
		if i, ok := periodIndex(r.Keys[p], g); ok {
			s.periods[i] = true
		}
	}
	// Every series gets every period of the range; undated rows stay.
	if n := len(order)*(last-first+1) + undated; n > max {
		return nil, fault.Invalid("every period filled in would make %d rows, more than %d: ask for a coarser "+
			"timeGrain, fewer dimensions, a narrower filter, or fillPeriods: false", n, max)
	}
	measures := len(rows[0].Values)
	for _, id := range order {
		s := all[id]
		for i := first; i <= last; i++ {
			if s.periods[i] {
				continue
			}
			keys := slices.Clone(s.keys)
			keys[p] = periodKey(i, g)
			rows = append(rows, StatsRow{Keys: keys, Values: make([]float64, measures)})
		}
	}
	return sortedByKeys(rows), nil
}

// sortedByKeys orders rows by their keys, as the store does: the undated
// period comes after the dated ones.
func sortedByKeys(rows []StatsRow) []StatsRow {
	slices.SortFunc(rows, func(a, b StatsRow) int { return slices.Compare(a.Keys, b.Keys) })
	return rows
}
