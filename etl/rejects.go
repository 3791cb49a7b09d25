package etl

import (
	"context"
	"fmt"
	"sort"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

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
func (w *rejectWriter) add(rj tabular.Reject) {
	w.count++
	ir := ingest.Reject{RunID: w.run.ID, Dataset: w.run.Dataset, Source: rj.Source, Sheet: rj.Sheet,
		Line: rj.Line, Column: rj.Column, Reason: rj.Reason, Record: rj.Record}
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
func (w *rejectWriter) warn(rj tabular.Reject) {
	if w.err != nil {
		return
	}
	w.pending = append(w.pending, ingest.Reject{RunID: w.run.ID, Dataset: w.run.Dataset, Source: rj.Source, Sheet: rj.Sheet,
		Line: rj.Line, Column: rj.Column, Reason: rj.Reason, Record: rj.Record, Warning: true})
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
