package graph_test

import (
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
)

// TestStatsColumnsMatchRows asks cooperationStats for rows and columns in one
// query and wants the columns to hold the rows' values, in the rows' order.
func TestStatsColumnsMatchRows(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	loadKnownRegister(t, a, "v1", plannersToday())

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
					Dimension  string
					Values     []string
					Labels, EN []string
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
		columns { dimensions { dimension values labels en: labels(language: EN) } measures { measure values } } } }`, nil, &out)
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
		// Names beside the codes: the kabupaten's, the issue's label, the period.
		kab, issue, period := cols.Dimensions[0], cols.Dimensions[1], cols.Dimensions[2]
		if want := map[string]string{"": "Tanpa wilayah", "64.02": "Kabupaten Kutai Kartanegara", "64.01": "Kabupaten Paser"}[kab.Values[i]]; want != "" && kab.Labels[i] != want {
			t.Errorf("row %d: %s is labelled %q, want %q", i, kab.Values[i], kab.Labels[i], want)
		}
		if want := map[string][2]string{"THIRD_PARTY": {"Kerja sama pihak ketiga", "Third parties"}, "NONE": {"Tidak ada", "None"}}[issue.Values[i]]; want[0] != "" &&
			(issue.Labels[i] != want[0] || issue.EN[i] != want[1]) {
			t.Errorf("row %d: %s is labelled %q / %q, want %q", i, issue.Values[i], issue.Labels[i], issue.EN[i], want)
		}
		if wantPeriod := map[bool]string{true: "Tanpa tanggal", false: period.Values[i]}[period.Values[i] == "UNDATED"]; period.Labels[i] != wantPeriod {
			t.Errorf("row %d: period %s is labelled %q", i, period.Values[i], period.Labels[i])
		}
		for d := range cols.Dimensions {
			if cols.Dimensions[d].Labels[i] == "" || cols.Dimensions[d].EN[i] == "" {
				t.Errorf("row %d, %s: no label", i, cols.Dimensions[d].Dimension)
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

// TestIDMDistributionOverYears asks for the status mix of several years in
// one call and wants each year's rows as the one-year question gives them.
func TestIDMDistributionOverYears(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	type dist struct {
		ID       string
		Year     int
		Region   struct{ Code string }
		Total    int
		MeanIdm  *float64
		ByStatus []struct {
			Status string
			Count  int
			Share  *float64
		}
	}
	q := `query($y: Int, $ys: [Int!]) { idmDistribution(year: $y, years: $ys, level: KABUPATEN_KOTA, parentCode: "64") {
		id year region { code } total meanIdm byStatus { status count share } } }`
	var both struct{ IdmDistribution []dist }
	a.mustQuery(q, map[string]any{"ys": []int{2024, 2023}}, &both)
	var want []dist
	for _, y := range []int{2023, 2024} {
		var one struct{ IdmDistribution []dist }
		a.mustQuery(q, map[string]any{"y": y}, &one)
		want = append(want, one.IdmDistribution...)
	}
	if len(both.IdmDistribution) != 20 || !reflect.DeepEqual(both.IdmDistribution, want) {
		t.Errorf("years [2024, 2023]: %d rows, want the 10 kabupaten/kota of 2023 then of 2024 as asked one year at a time", len(both.IdmDistribution))
	}
	for _, bad := range []map[string]any{{}, {"y": 2024, "ys": []int{2023}}, {"ys": []int{}}, {"ys": []int{2023, 2025}}} {
		if errs := a.query(q, bad, nil); len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("%v: %+v, want BAD_USER_INPUT", bad, errs)
		}
	}
}
