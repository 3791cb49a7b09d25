package graph_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/sinergi-id/sinergi/internal/region"
)

// countingRegions counts the lookups by code that reach the region store.
type countingRegions struct {
	region.Store
	byCodes atomic.Int64
}

func (c *countingRegions) ByCodes(ctx context.Context, codes []region.Code) ([]region.Region, error) {
	c.byCodes.Add(1)
	return c.Store.ByCodes(ctx, codes)
}

// TestCompareRegionsReadsTheRegionsOnce: the service reads the compared
// regions to check the codes; the scorecards' region fields show them
// without a second read (issue 11: they were read twice per request).
func TestCompareRegionsReadsTheRegionsOnce(t *testing.T) {
	var counted *countingRegions
	a := newKaltimAPI(t, apiOptions{regions: func(s region.Store) region.Store {
		counted = &countingRegions{Store: s}
		return counted
	}}, false)
	var out struct {
		CompareRegions []struct {
			Region struct{ Code, Name string }
		}
	}
	before := counted.byCodes.Load()
	if errs := a.query(`{ compareRegions(codes: ["64.02", "64.01", "64.08"], year: 2024) { region { code name } desaCount } }`, nil, &out); len(errs) > 0 {
		t.Fatal(errs)
	}
	if n := counted.byCodes.Load() - before; n != 1 {
		t.Errorf("compareRegions read the regions by code %d times, want once", n)
	}
	if len(out.CompareRegions) != 3 || out.CompareRegions[0].Region.Code != "64.02" || out.CompareRegions[0].Region.Name == "" {
		t.Errorf("scorecards: %+v", out.CompareRegions)
	}
}
