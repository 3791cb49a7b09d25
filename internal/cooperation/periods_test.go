package cooperation

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/fault"
)

func TestPeriodKeys(t *testing.T) {
	for _, c := range []struct {
		g          TimeGrain
		key, after string
	}{
		{GrainYear, "2024", "2025"}, {GrainQuarter, "2024-Q4", "2025-Q1"}, {GrainQuarter, "2025-Q2", "2025-Q3"},
		{GrainMonth, "2024-12", "2025-01"}, {GrainMonth, "2025-08", "2025-09"},
	} {
		i, ok := periodIndex(c.key, c.g)
		if !ok || periodKey(i, c.g) != c.key || periodKey(i+1, c.g) != c.after {
			t.Errorf("%s %s: index %d %v, back %s, next %s", c.g, c.key, i, ok, periodKey(i, c.g), periodKey(i+1, c.g))
		}
	}
	for _, bad := range []struct {
		g   TimeGrain
		key string
	}{{GrainYear, ""}, {GrainYear, Undated}, {GrainQuarter, "2025-Q5"}, {GrainQuarter, "2025"}, {GrainMonth, "2025-13"}} {
		if _, ok := periodIndex(bad.key, bad.g); ok {
			t.Errorf("%s %q read as a period", bad.g, bad.key)
		}
	}
	if got := dayIndex(time.Date(2025, 8, 26, 0, 0, 0, 0, time.UTC), GrainQuarter); periodKey(got, GrainQuarter) != "2025-Q3" {
		t.Errorf("26 Aug 2025 falls in %s", periodKey(got, GrainQuarter))
	}
}

func row(values ...string) StatsRow  { return StatsRow{Keys: values, Values: []float64{1, 2}} }
func zero(values ...string) StatsRow { return StatsRow{Keys: values, Values: []float64{0, 0}} }

func TestCompletePeriods(t *testing.T) {
	may := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		rows []StatsRow
		p    int
		g    TimeGrain
		f    Filter
		fill bool
		want []StatsRow
	}{
		{"the undated period is named, last; nothing filled", []StatsRow{row("", "A"), row("2023", "A"), row("2025", "B")}, 0, GrainYear, Filter{}, false,
			[]StatsRow{row("2023", "A"), row("2025", "B"), row(Undated, "A")}},
		{"every series gets every year from the first to the last", []StatsRow{row("A", "2023"), row("A", ""), row("B", "2025")}, 1, GrainYear, Filter{}, true,
			[]StatsRow{row("A", "2023"), zero("A", "2024"), zero("A", "2025"), row("A", Undated), zero("B", "2023"), zero("B", "2024"), row("B", "2025")}},
		{"the filter's periods widen the range", []StatsRow{row("2024-Q2")}, 0, GrainQuarter,
			Filter{SignedFrom: may, SignedTo: may.AddDate(0, 2, 0), ActiveFrom: may, ActiveTo: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}, true,
			[]StatsRow{zero("2023-Q2"), zero("2023-Q3"), zero("2023-Q4"), zero("2024-Q1"), row("2024-Q2"), zero("2024-Q3"), zero("2024-Q4")}},
		{"months across a year end", []StatsRow{row("2024-11"), row("2025-02")}, 0, GrainMonth, Filter{}, true,
			[]StatsRow{row("2024-11"), zero("2024-12"), zero("2025-01"), row("2025-02")}},
		{"rows in the store's order: the undated and filled-in rows are merged in", []StatsRow{row("A", "", "x"), row("A", "2023", "x"),
			row("A", "2025", "y"), row("B", "", "x"), row("B", "2024", "x")}, 1, GrainYear, Filter{}, true,
			[]StatsRow{row("A", "2023", "x"), zero("A", "2023", "y"), zero("A", "2024", "x"), zero("A", "2024", "y"), zero("A", "2025", "x"),
				row("A", "2025", "y"), row("A", Undated, "x"), zero("B", "2023", "x"), row("B", "2024", "x"), zero("B", "2025", "x"), row("B", Undated, "x")}},
		{"only undated: nothing to fill", []StatsRow{row("")}, 0, GrainYear, Filter{}, true, []StatsRow{row(Undated)}},
	} {
		got, err := completePeriods(c.rows, c.p, c.g, c.f, c.fill, MaxStatsRows)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v, %v\nwant %v", c.name, got, err, c.want)
		}
	}
	// A hundred years of months for 50 series is too many rows.
	rows := []StatsRow{}
	for i := range 50 {
		rows = append(rows, row("1970-01", string(rune('A'+i))), row("2069-12", string(rune('A'+i))))
	}
	if _, err := completePeriods(rows, 0, GrainMonth, Filter{}, true, MaxStatsRows); !errors.Is(err, fault.ErrInvalidInput) {
		t.Errorf("60,000 rows filled in: %v, want invalid input", err)
	}
}

// TestCompletePeriodsMergesAsASortWould: rows in the store's order (merged
// apart) and the same rows shuffled (sorted whole) give the same answer.
func TestCompletePeriodsMergesAsASortWould(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	years := []string{"", "2021", "2022", "2024"}
	for round := range 200 {
		p, fill := r.IntN(3), r.IntN(2) == 0
		seen := map[string]bool{}
		var rows []StatsRow
		for range r.IntN(30) {
			keys := []string{string(rune('A' + r.IntN(3))), string(rune('a' + r.IntN(2))), string(rune('x' + r.IntN(2)))}
			keys[p] = years[r.IntN(len(years))]
			if id := fmt.Sprint(keys); !seen[id] {
				seen[id] = true
				rows = append(rows, row(keys...))
			}
		}
		slices.SortFunc(rows, byKeys)
		shuffled := make([]StatsRow, len(rows))
		for i, j := range r.Perm(len(rows)) {
			shuffled[i] = row(slices.Clone(rows[j].Keys)...)
		}
		sortedNotFirst := len(shuffled) > 1 && !slices.IsSortedFunc(shuffled, byKeys)
		want, err1 := completePeriods(shuffled, p, GrainYear, Filter{}, fill, MaxStatsRows)
		got, err2 := completePeriods(rows, p, GrainYear, Filter{}, fill, MaxStatsRows)
		if err1 != nil || err2 != nil || len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d (p %d, fill %v, shuffled out of order %v):\n got %v, %v\nwant %v, %v", round, p, fill, sortedNotFirst, got, err2, want, err1)
		}
	}
}
