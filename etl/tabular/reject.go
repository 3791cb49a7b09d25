package tabular

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reject is a source row that validation refused, with where it came from and
// why, worded for the person who has to fix the file.
type Reject struct {
	Source string
	Sheet  string
	Line   int
	// Column is the header, as the file writes it, of the column the
	// reason is about; "" when it concerns the whole row (its shape, a
	// duplicate, a reference, its scope).
	Column string
	Reason string
	Record string
}

// maxRejectRecord bounds the text kept of a refused row: a record with a
// broken quote can span many lines, and rejects are for reading.
const maxRejectRecord = 4096

// NewReject is a refused record of t; column is the header of the column
// the reason is about, "" for the whole row.
func NewReject(t *Table, line int, raw, column, reason string) Reject {
	return Reject{Source: t.Source(), Sheet: t.Sheet(), Line: line, Column: column, Reason: reason, Record: RejectText(raw)}
}

// RejectText makes a raw record safe to store and show: invalid bytes (a
// Latin-1 file) become U+FFFD and very long records are cut.
func RejectText(raw string) string {
	s := strings.ToValidUTF8(raw, "\uFFFD")
	if len(s) <= maxRejectRecord {
		return s
	}
	cut := maxRejectRecord
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// RecordProblem is the reason to refuse a record before looking at its
// fields, or "" when its shape is fine.
func RecordProblem(rec Record, width int) string {
	switch {
	case rec.Problem != "":
		return rec.Problem
	case rec.InvalidUTF8:
		return "not valid UTF-8 (save as UTF-8)"
	case len(rec.Fields) != width:
		return fmt.Sprintf("expected %d fields, got %d", width, len(rec.Fields))
	}
	for i, f := range rec.Fields {
		if len(f) > MaxFieldChars && utf8.RuneCountInString(f) > MaxFieldChars {
			return fmt.Sprintf("field %d is %d characters long; a field may hold at most %d", i+1, utf8.RuneCountInString(f), MaxFieldChars)
		}
	}
	return ""
}

// MaxFieldChars bounds the text of any one field of any dataset: the
// longest a register holds (titles, source references, outputs) are a few
// hundred characters; a 50 MB "name" is refused with its row rather than
// stored and served.
const MaxFieldChars = 4000

// SortRejects orders rejects by line so a report reads top to bottom.
func SortRejects(rejects []Reject) {
	sort.SliceStable(rejects, func(i, j int) bool { return rejects[i].Line < rejects[j].Line })
}

// maxListed bounds the lines or values a reason lists: a code repeated
// thousands of times would otherwise give every one of its rejects a
// reason of thousands of line numbers.
const maxListed = 10

// LineList writes line numbers as "5, 9 and 12", or "2, 3, … 11 and 40 more"
// when there are many.
func LineList(lines []int) string {
	s := make([]string, 0, min(len(lines), maxListed))
	for _, l := range lines[:min(len(lines), maxListed)] {
		s = append(s, strconv.Itoa(l))
	}
	return listWords(s, len(lines))
}

// listWords joins the first items of a list of total: "a, b and c", or
// "a, b and 7 more".
func listWords(items []string, total int) string {
	if total > len(items) {
		return strings.Join(items, ", ") + fmt.Sprintf(" and %d more", total-len(items))
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// DistinctValues lists the different values among vs, in order, as
// "a vs b", listing at most maxListed.
func DistinctValues(vs []string) (string, int) {
	var seen []string
	for _, v := range vs {
		if !slices.Contains(seen, v) {
			seen = append(seen, v)
			if len(seen) > maxListed {
				break
			}
		}
	}
	n := len(seen)
	if n > maxListed {
		return strings.Join(seen[:maxListed], " vs ") + " vs …", n
	}
	return strings.Join(seen, " vs "), n
}
