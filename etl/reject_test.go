package etl

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sinergi-id/sinergi/etl/tabular"
)

func TestRejectText(t *testing.T) {
	if got := rejectText("64,Sang\xe9"); got != "64,Sang\uFFFD" {
		t.Errorf("Latin-1 byte kept: %q", got)
	}
	long := strings.Repeat("é", maxRejectRecord) // 2 bytes a rune: the cut falls mid-rune
	got := rejectText(long)
	if !utf8.ValidString(got) || len(got) > maxRejectRecord+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("long record cut badly: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

func TestRecordProblem(t *testing.T) {
	tests := []struct {
		rec  tabular.Record
		want string
	}{
		{tabular.Record{Fields: []string{"a", "b"}}, ""},
		{tabular.Record{Fields: []string{"a"}}, "expected 2 fields, got 1"},
		{tabular.Record{Fields: []string{"a", "b", "c"}}, "expected 2 fields, got 3"},
		{tabular.Record{Fields: []string{"a", "\xe9"}, InvalidUTF8: true}, "not valid UTF-8 (save as UTF-8)"},
		{tabular.Record{Problem: "malformed CSV quoting"}, "malformed CSV quoting"},
	}
	for _, tt := range tests {
		if got := recordProblem(tt.rec, 2); got != tt.want {
			t.Errorf("recordProblem(%+v) = %q, want %q", tt.rec, got, tt.want)
		}
	}
}

func TestLineList(t *testing.T) {
	many := make([]int, 40)
	for i := range many {
		many[i] = i + 2
	}
	for want, lines := range map[string][]int{
		"5": {5}, "5 and 9": {5, 9}, "5, 9 and 12": {5, 9, 12},
		"2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 30 more": many,
	} {
		if got := lineList(lines); got != want {
			t.Errorf("lineList(%v) = %q, want %q", lines, got, want)
		}
	}
}

func TestDistinctValues(t *testing.T) {
	if got, n := distinctValues([]string{"a", "b", "a", "c"}); got != "a vs b vs c" || n != 3 {
		t.Errorf("distinctValues = %q, %d", got, n)
	}
	if got, n := distinctValues([]string{"a", "a"}); got != "a" || n != 1 {
		t.Errorf("distinctValues(same) = %q, %d", got, n)
	}
	many := make([]string, 100)
	for i := range many {
		many[i] = strings.Repeat("x", i)
	}
	if got, n := distinctValues(many); n <= maxListed || !strings.HasSuffix(got, " vs …") || strings.Count(got, " vs ") != maxListed {
		t.Errorf("distinctValues(100 values) = %q, %d", got, n)
	}
}
