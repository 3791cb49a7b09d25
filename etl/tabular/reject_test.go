package tabular

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRejectText(t *testing.T) {
	if got := RejectText("64,Sang\xe9"); got != "64,Sang\uFFFD" {
		t.Errorf("Latin-1 byte kept: %q", got)
	}
	long := strings.Repeat("é", maxRejectRecord) // 2 bytes a rune: the cut falls mid-rune
	got := RejectText(long)
	if !utf8.ValidString(got) || len(got) > maxRejectRecord+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("long record cut badly: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

func TestRecordProblem(t *testing.T) {
	tests := []struct {
		rec  Record
		want string
	}{
		{Record{Fields: []string{"a", "b"}}, ""},
		{Record{Fields: []string{"a"}}, "expected 2 fields, got 1"},
		{Record{Fields: []string{"a", "b", "c"}}, "expected 2 fields, got 3"},
		{Record{Fields: []string{"a", "\xe9"}, InvalidUTF8: true}, "not valid UTF-8 (save as UTF-8)"},
		{Record{Problem: "malformed CSV quoting"}, "malformed CSV quoting"},
	}
	for _, tt := range tests {
		if got := RecordProblem(tt.rec, 2); got != tt.want {
			t.Errorf("RecordProblem(%+v) = %q, want %q", tt.rec, got, tt.want)
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
		if got := LineList(lines); got != want {
			t.Errorf("LineList(%v) = %q, want %q", lines, got, want)
		}
	}
}

func TestDistinctValues(t *testing.T) {
	if got, n := DistinctValues([]string{"a", "b", "a", "c"}); got != "a vs b vs c" || n != 3 {
		t.Errorf("DistinctValues = %q, %d", got, n)
	}
	if got, n := DistinctValues([]string{"a", "a"}); got != "a" || n != 1 {
		t.Errorf("DistinctValues(same) = %q, %d", got, n)
	}
	many := make([]string, 100)
	for i := range many {
		many[i] = strings.Repeat("x", i)
	}
	if got, n := DistinctValues(many); n <= maxListed || !strings.HasSuffix(got, " vs …") || strings.Count(got, " vs ") != maxListed {
		t.Errorf("DistinctValues(100 values) = %q, %d", got, n)
	}
}
