package graph_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/region"
)

// publishingRegions publishes a load in the middle of the first request
// that looks a region up, before its statements run.
type publishingRegions struct {
	region.Store
	once    sync.Once
	publish func()
}

func (p *publishingRegions) ByCodes(ctx context.Context, codes []region.Code) ([]region.Region, error) {
	p.once.Do(p.publish)
	return p.Store.ByCodes(ctx, codes)
}

// seedWithOneMore writes the seed register with one more agreement (a copy
// of the first under another id, with its parties).
func seedWithOneMore(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"agreements.csv", "parties.csv"} {
		in, err := os.Open(filepath.Join("..", "etl", "seed", name))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(in).ReadAll()
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		first := recs[1][0]
		for _, r := range recs[1:] {
			if r[0] == first {
				extra := append([]string(nil), r...)
				extra[0] = first + "-B"
				recs = append(recs, extra)
			}
		}
		path := filepath.Join(dir, name)
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := csv.NewWriter(out).WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		out.Close()
		files = append(files, path)
	}
	return files
}

// An answer comes from one set of published generations, even when a load
// publishes while the operation runs: its root fields read before and
// after the publish would otherwise disagree (issue 16's soak: one answer
// in 3,500 mixed two loads). Here the whole register (no filter) is read
// first; then the filtered field looks its region up, during which a load
// adds an agreement, and reads. Kalimantan Timur (64) holds every seed
// agreement, so both must count the same.
func TestAnAnswerNeverMixesTwoLoads(t *testing.T) {
	var a *api
	hook := &publishingRegions{}
	a = newKaltimAPI(t, apiOptions{regions: func(s region.Store) region.Store {
		hook.Store = s
		return hook
	}}, true)
	more := seedWithOneMore(t)
	const query = `{ all: cooperationStats(dimensions: [ISSUE], measures: [AGREEMENTS]) { totals { agreements } }
	  kaltim: cooperationStats(dimensions: [ISSUE], measures: [AGREEMENTS], filter: { regionCode: "64" }) { totals { agreements } } }`
	type totals struct {
		Totals struct{ Agreements int }
	}
	var before struct{ All, Kaltim totals }
	hook.once.Do(func() {}) // no publish for the first request
	if errs := a.query(query, nil, &before); len(errs) > 0 {
		t.Fatal(errs)
	}
	if before.All.Totals.Agreements == 0 || before.All != before.Kaltim {
		t.Fatalf("before the load: %+v", before)
	}

	hook.once = sync.Once{}
	hook.publish = func() {
		// The unfiltered field (two at a time run) reads first.
		time.Sleep(2 * time.Second)
		if _, err := a.runner.Load(context.Background(), etl.DatasetRegister, more...); err != nil {
			t.Errorf("the load during the request: %v", err)
		}
	}
	var during struct{ All, Kaltim totals }
	if errs := a.query(query, nil, &during); len(errs) > 0 {
		t.Fatal(errs)
	}
	t.Logf("before %+v; a load published during the request: %+v", before, during)
	if during.All != during.Kaltim {
		t.Fatalf("one answer mixes two loads: all %d agreements, Kalimantan Timur %d", during.All.Totals.Agreements, during.Kaltim.Totals.Agreements)
	}
	if during.All.Totals.Agreements != before.All.Totals.Agreements+1 {
		t.Fatalf("after the load: %d agreements, want %d", during.All.Totals.Agreements, before.All.Totals.Agreements+1)
	}
}
