package etl

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// Reject is a source row that validation refused, with where it came from and
// why, worded for the person who has to fix the file.
type Reject struct {
	Source string
	Sheet  string
	Line   int
	Reason string
	Record string
}

// maxRejectRecord bounds the text kept of a refused row: a record with a
// broken quote can span many lines, and rejects are for reading.
const maxRejectRecord = 4096

func newReject(t *tabular.Table, line int, raw, reason string) Reject {
	return Reject{Source: t.Source(), Sheet: t.Sheet(), Line: line, Reason: reason, Record: rejectText(raw)}
}

// rejectText makes a raw record safe to store and show: invalid bytes (a
// Latin-1 file) become U+FFFD and very long records are cut.
func rejectText(raw string) string {
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

// recordProblem is the reason to refuse a record before looking at its
// fields, or "" when its shape is fine.
func recordProblem(rec tabular.Record, width int) string {
	switch {
	case rec.Problem != "":
		return rec.Problem
	case rec.InvalidUTF8:
		return "not valid UTF-8 (save as UTF-8)"
	case len(rec.Fields) != width:
		return fmt.Sprintf("expected %d fields, got %d", width, len(rec.Fields))
	}
	for i, f := range rec.Fields {
		if len(f) > maxFieldChars && utf8.RuneCountInString(f) > maxFieldChars {
			return fmt.Sprintf("field %d is %d characters long; a field may hold at most %d", i+1, utf8.RuneCountInString(f), maxFieldChars)
		}
	}
	return ""
}

// maxFieldChars bounds the text of any one field of any dataset: the
// longest a register holds (titles, source references, outputs) are a few
// hundred characters; a 50 MB "name" is refused with its row rather than
// stored and served.
const maxFieldChars = 4000

// sortRejects orders rejects by line so a report reads top to bottom.
func sortRejects(rejects []Reject) {
	sort.SliceStable(rejects, func(i, j int) bool { return rejects[i].Line < rejects[j].Line })
}

// maxListed bounds the lines or values a reason lists: a code repeated
// thousands of times would otherwise give every one of its rejects a
// reason of thousands of line numbers.
const maxListed = 10

// lineList writes line numbers as "5, 9 and 12", or "2, 3, … 11 and 40 more"
// when there are many.
func lineList(lines []int) string {
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

// distinctValues lists the different values among vs, in order, as
// "a vs b", listing at most maxListed.
func distinctValues(vs []string) (string, int) {
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

// A load's refused rows are stored as they are found, in batches, so that a
// file of a million bad rows is refused in bounded memory (issue 16: 100,000
// refused 1 KB rows used to take 1 GB, held three times over and inserted
// in one block).
const (
	rejectBatchRows  = 2_000
	rejectBatchBytes = 2 << 20
	// reportedRejects is how many of a run's rejects a load returns for its
	// report (sinergi etl load prints 20); etlRejects pages through all.
	reportedRejects = 100
)

// rejectWriter stores one run's rejects as they come.
type rejectWriter struct {
	ctx     context.Context
	store   ingest.Store
	run     *ingest.Run
	pending []ingest.Reject
	bytes   int
	count   int
	first   []ingest.Reject
	err     error // the first failure to store; later rejects are only counted
}

func newRejectWriter(ctx context.Context, store ingest.Store, run *ingest.Run) *rejectWriter {
	return &rejectWriter{ctx: ctx, store: store, run: run}
}

// add takes one reject.
func (w *rejectWriter) add(rj Reject) {
	w.count++
	ir := ingest.Reject{RunID: w.run.ID, Dataset: w.run.Dataset, Source: rj.Source, Sheet: rj.Sheet,
		Line: rj.Line, Reason: rj.Reason, Record: rj.Record}
	if len(w.first) < reportedRejects {
		w.first = append(w.first, ir)
	}
	if w.err != nil {
		return
	}
	w.pending = append(w.pending, ir)
	w.bytes += len(ir.Record) + len(ir.Reason)
	if len(w.pending) >= rejectBatchRows || w.bytes >= rejectBatchBytes {
		w.flush()
	}
}

// warn takes one row that loaded but looks wrong: stored beside the
// rejects (etlWarnings), not counted as one.
func (w *rejectWriter) warn(rj Reject) {
	if w.err != nil {
		return
	}
	w.pending = append(w.pending, ingest.Reject{RunID: w.run.ID, Dataset: w.run.Dataset, Source: rj.Source, Sheet: rj.Sheet,
		Line: rj.Line, Reason: rj.Reason, Record: rj.Record, Warning: true})
	w.bytes += len(rj.Record) + len(rj.Reason)
	if len(w.pending) >= rejectBatchRows || w.bytes >= rejectBatchBytes {
		w.flush()
	}
}

func (w *rejectWriter) flush() {
	if len(w.pending) == 0 || w.err != nil {
		return
	}
	w.err = w.store.SaveRejects(w.ctx, w.pending)
	clear(w.pending) // let the batch's strings go
	w.pending, w.bytes = w.pending[:0], 0
}

// close stores what is left and returns the first failure to store.
func (w *rejectWriter) close() error {
	w.flush()
	if w.err != nil {
		return fmt.Errorf("storing rejected rows: %w", w.err)
	}
	return nil
}

// reported are the first rejects, in file order: the tables in the order
// they were read, each by line.
func (w *rejectWriter) reported() []ingest.Reject {
	table := map[[2]string]int{}
	for _, rj := range w.first {
		if _, ok := table[[2]string{rj.Source, rj.Sheet}]; !ok {
			table[[2]string{rj.Source, rj.Sheet}] = len(table)
		}
	}
	sort.SliceStable(w.first, func(i, j int) bool {
		a, b := w.first[i], w.first[j]
		ta, tb := table[[2]string{a.Source, a.Sheet}], table[[2]string{b.Source, b.Sheet}]
		return ta < tb || ta == tb && a.Line < b.Line
	})
	return w.first
}
