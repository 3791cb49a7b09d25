package graph_test

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/etl"
)

// TestStatsColumnsMatchRows asks cooperationStats for rows and columns in one
// query and wants the columns to hold the rows' values, in the rows' order.
func TestStatsColumnsMatchRows(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	loadKnownRegister(t, a, "v1", time.Now().UTC().Truncate(24*time.Hour))

	var out struct {
		CooperationStats struct {
			Rows []struct {
				KabupatenKota  *string
				Issue          *string
				Period         *string
				Agreements     *int
				CommittedValue *float64
			}
			Columns struct {
				Dimensions []struct {
					Dimension string
					Values    []string
				}
				Measures []struct {
					Measure string
					Values  []float64
				}
			}
		}
	}
	errs := a.query(`{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD], measures: [AGREEMENTS, COMMITTED_VALUE]) {
		rows { kabupatenKota issue period agreements committedValue }
		columns { dimensions { dimension values } measures { measure values } } } }`, nil, &out)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rows, cols := out.CooperationStats.Rows, out.CooperationStats.Columns
	if len(rows) < 5 {
		t.Fatalf("%d rows: the fixture should give more", len(rows))
	}
	if len(cols.Dimensions) != 3 || len(cols.Measures) != 2 ||
		cols.Dimensions[0].Dimension != "KABUPATEN_KOTA" || cols.Dimensions[2].Dimension != "PERIOD" || cols.Measures[1].Measure != "COMMITTED_VALUE" {
		t.Fatalf("columns %+v: want the dimensions and measures in the order asked", cols)
	}
	for i, r := range rows {
		want := []string{*r.KabupatenKota, *r.Issue, *r.Period}
		for d, w := range want {
			if got := cols.Dimensions[d].Values[i]; got != w {
				t.Errorf("row %d, %s: column says %q, row says %q", i, cols.Dimensions[d].Dimension, got, w)
			}
		}
		if got := cols.Measures[0].Values[i]; got != float64(*r.Agreements) {
			t.Errorf("row %d agreements: column says %v, row says %d", i, got, *r.Agreements)
		}
		if got := cols.Measures[1].Values[i]; got != *r.CommittedValue {
			t.Errorf("row %d committed value: column says %s, row says %s", i,
				strconv.FormatFloat(got, 'f', 2, 64), strconv.FormatFloat(*r.CommittedValue, 'f', 2, 64))
		}
	}
}
