// Package tabulartest checks what the datasets' parsers make of files: the
// rows they accept and the reasons they refuse the others for.
package tabulartest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl/tabular"
)

// CorpusCase is one file of a parser's testdata/broken: either the whole
// file is refused with an error containing WantErr, or the valid rows are
// returned (WantAccepted of them) and the others refused with the reasons
// given. WantColumns, when set, are the columns the rejects name (line →
// header); a line it does not list must name none (a reason of the whole
// row).
type CorpusCase struct {
	File         string
	WantErr      string
	WantAccepted int
	WantRejects  map[int]string
	WantColumns  map[int]string
}

// RunCorpusCase opens testdata/c.File, parses it with parse (which gives the
// rows accepted and the rejects) and checks the answer against c.
func RunCorpusCase(t *testing.T, c CorpusCase, parse func(*tabular.Table) (int, []tabular.Reject, error)) {
	t.Helper()
	tbl, err := tabular.Open(filepath.Join("testdata", c.File))
	if err == nil {
		defer tbl.Close()
		var accepted int
		var rejects []tabular.Reject
		accepted, rejects, err = parse(tbl)
		if err == nil {
			if c.WantErr != "" {
				t.Fatalf("no error, want one containing %q", c.WantErr)
			}
			if accepted != c.WantAccepted {
				t.Errorf("%d rows accepted, want %d", accepted, c.WantAccepted)
			}
			CheckRejects(t, rejects, c.WantRejects)
			if c.WantColumns != nil {
				for _, rj := range rejects {
					if rj.Column != c.WantColumns[rj.Line] {
						t.Errorf("line %d (%s): column %q, want %q", rj.Line, rj.Reason, rj.Column, c.WantColumns[rj.Line])
					}
				}
			}
			return
		}
	}
	if c.WantErr == "" || !strings.Contains(err.Error(), c.WantErr) {
		t.Fatalf("error = %v, want one containing %q", err, c.WantErr)
	}
}

// CheckRejects compares rejects with want (line → a part of the reason).
func CheckRejects(t *testing.T, rejects []tabular.Reject, want map[int]string) {
	t.Helper()
	got := map[int]string{}
	for _, rj := range rejects {
		if rj.Record == "" || rj.Source == "" {
			t.Errorf("reject %+v lacks its record or source", rj)
		}
		got[rj.Line] = rj.Reason
	}
	for line, part := range want {
		if !strings.Contains(got[line], part) {
			t.Errorf("line %d: reject reason %q, want one containing %q", line, got[line], part)
		}
	}
	for line, reason := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("unexpected reject on line %d: %s", line, reason)
		}
	}
	if len(rejects) != len(got) {
		t.Errorf("%d rejects on %d lines: a line was refused twice: %+v", len(rejects), len(got), rejects)
	}
}

// CoveredCorpus checks that every file of testdata/broken has a case in
// cases, and runs each parse over every file of the given globs (nothing
// may panic, whatever the file).
func CoveredCorpus(t *testing.T, cases []CorpusCase, globs []string, parses ...func(*tabular.Table)) {
	t.Helper()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[filepath.Join("testdata", c.File)] = true
	}
	own, err := filepath.Glob("testdata/broken/*")
	if err != nil || len(own) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, path := range own {
		if !covered[path] {
			t.Errorf("%s has no corpus case", path)
		}
	}
	var files []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil || len(m) == 0 {
			t.Fatalf("no files match %s: %v", g, err)
		}
		files = append(files, m...)
	}
	for _, path := range files {
		for _, parse := range parses {
			if tbl, err := tabular.Open(path); err == nil {
				parse(tbl)
				tbl.Close()
			}
		}
	}
}
