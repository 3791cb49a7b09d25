package graph_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl"
)

// orderedObject is a JSON object with its keys in the answer's order (the
// query's), as the test's own flattening needs.
type orderedObject struct {
	keys   []string
	values map[string]any
}

// decodeOrdered reads a JSON value keeping object key order and numbers as
// written.
func decodeOrdered(t testing.TB, dec *json.Decoder) any {
	t.Helper()
	tok, err := dec.Token()
	if err != nil {
		t.Fatal(err)
	}
	switch tok {
	case json.Delim('{'):
		obj := &orderedObject{values: map[string]any{}}
		for dec.More() {
			k, _ := dec.Token()
			obj.keys = append(obj.keys, k.(string))
			obj.values[k.(string)] = decodeOrdered(t, dec)
		}
		_, _ = dec.Token()
		return obj
	case json.Delim('['):
		var list []any
		for dec.More() {
			list = append(list, decodeOrdered(t, dec))
		}
		_, _ = dec.Token()
		return list
	}
	return tok
}

// flatten is the export's rule written again over the JSON answer: nested
// objects give dotted columns, lists of values are joined with "; ", lists
// of objects are numbered up to the longest, null is empty. It returns the
// columns (in the answer's order, a list's numbers together) and each
// item's values.
func flatten(items []any) ([]string, []map[string]string) {
	// The shape of the items: each key in the order met, what it holds, and
	// for a list of objects the most items any has.
	type shape struct {
		keys     []string
		children map[string]*shape
		objects  map[string]bool // an object or a list of objects
		longest  map[string]int  // lists of objects
	}
	newShape := func() *shape {
		return &shape{children: map[string]*shape{}, objects: map[string]bool{}, longest: map[string]int{}}
	}
	var learn func(sh *shape, v any)
	learn = func(sh *shape, v any) {
		obj, ok := v.(*orderedObject)
		if !ok {
			return
		}
		for _, k := range obj.keys {
			if sh.children[k] == nil {
				sh.keys = append(sh.keys, k)
				sh.children[k] = newShape()
			}
			switch val := obj.values[k].(type) {
			case *orderedObject:
				sh.objects[k] = true
				learn(sh.children[k], val)
			case []any:
				if len(val) > 0 && isObject(val[0]) {
					sh.objects[k] = true
					sh.longest[k] = max(sh.longest[k], len(val))
					for _, it := range val {
						learn(sh.children[k], it)
					}
				}
			}
		}
	}
	root := newShape()
	for _, it := range items {
		learn(root, it)
	}
	var columns []string
	var columnsOf func(sh *shape, prefix string)
	columnsOf = func(sh *shape, prefix string) {
		for _, k := range sh.keys {
			switch {
			case sh.longest[k] > 0:
				for i := 1; i <= sh.longest[k]; i++ {
					columnsOf(sh.children[k], prefix+k+"."+strconv.Itoa(i)+".")
				}
			case sh.objects[k]:
				columnsOf(sh.children[k], prefix+k+".")
			default:
				columns = append(columns, prefix+k)
			}
		}
	}
	columnsOf(root, "")
	var rows []map[string]string
	for _, it := range items {
		row := map[string]string{}
		var walk func(prefix string, v any)
		walk = func(prefix string, v any) {
			obj, ok := v.(*orderedObject)
			if !ok {
				return
			}
			for _, k := range obj.keys {
				switch val := obj.values[k].(type) {
				case *orderedObject:
					walk(prefix+k+".", val)
				case []any:
					if len(val) > 0 && isObject(val[0]) {
						for i, x := range val {
							walk(prefix+k+"."+strconv.Itoa(i+1)+".", x)
						}
						continue
					}
					var parts []string
					for _, x := range val {
						parts = append(parts, text(x))
					}
					row[prefix+k] = strings.Join(parts, "; ")
				default:
					row[prefix+k] = text(val)
				}
			}
		}
		walk("", it)
		rows = append(rows, row)
	}
	return columns, rows
}

func isObject(v any) bool { _, ok := v.(*orderedObject); return ok }

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case json.Number:
		return v.String()
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	}
	panic("unexpected JSON value")
}

// answerList posts a query and returns the list at path, decoded in order.
func (a *api) answerList(q string, vars map[string]any, path ...string) []any {
	a.t.Helper()
	raw := a.rawQuery(q, vars)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any = decodeOrdered(a.t, dec)
	if errs := v.(*orderedObject).values["errors"]; errs != nil {
		a.t.Fatalf("%s", raw)
	}
	v = v.(*orderedObject).values["data"]
	for _, k := range path {
		v = v.(*orderedObject).values[k]
	}
	list, _ := v.([]any)
	return list
}

func (a *api) export(format string, q string, vars map[string]any, params url.Values) (*http.Response, []byte) {
	a.t.Helper()
	if params == nil {
		params = url.Values{}
	}
	params.Set("query", q)
	if vars != nil {
		v, _ := json.Marshal(vars)
		params.Set("variables", string(v))
	}
	resp, err := http.Get(a.srv.URL + "/export." + format + "?" + params.Encode())
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestExportsEqualTheAnswers exports lists of every shape from the real
// Kaltim data, with the seed and the known registers, as CSV and XLSX, and
// wants the rows the GraphQL answer holds: the same columns, the same
// values written the same way.
func TestExportsEqualTheAnswers(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	a.load(etl.DatasetRegister, filepath.Join("..", "etl", "seed", "agreements.csv"), filepath.Join("..", "etl", "seed", "parties.csv"))
	loadKnownRegister(t, a, "v1", time.Now().UTC().Truncate(24*time.Hour))

	cases := []struct {
		name, query string
		path        []string
		minRows     int
	}{
		{"every village", `{ regions(level: DESA_KELURAHAN) { code codeFlat name kind level parent { code name } desaCount } }`,
			[]string{"regions"}, 1038},
		{"IDM by kecamatan over two years", `{ idmDistribution(years: [2023, 2024], level: KECAMATAN) {
			id year region { code name } total byStatus { status count share } meanIdm meanIks meanIke meanIkl } }`,
			[]string{"idmDistribution"}, 210},
		{"agreements with nested lists", `{ agreements(first: 200, orderBy: ID_ASC) { totalCount nodes {
			id title documentType signedOn endsOn status issues fields committedValue realisedValue
			parties { type name regionCode sector } kabupaten { code name } } pageInfo { hasNextPage } } }`,
			[]string{"agreements", "nodes"}, 15},
		{"cooperationStats rows", `{ cooperationStats(dimensions: [KABUPATEN_KOTA, ISSUE, PERIOD],
			measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE, REALISED_VALUE]) {
			totals { agreements } rows { kabupatenKota regionName issue period agreements villagesCovered committedValue realisedValue } } }`,
			[]string{"cooperationStats", "rows"}, 40},
		{"targets, edges", `{ villagesWithoutPartner(statuses: [MAJU, BERKEMBANG], first: 1000) {
			edges { cursor node { id village { code name } kecamatan { name } status idm } } } }`,
			[]string{"villagesWithoutPartner", "edges"}, 500},
		{"partners", `{ partners(first: 100) { nodes { id name type sector agreements villagesCovered committedValue kabupaten { name } issues } } }`,
			[]string{"partners", "nodes"}, 10},
		{"scorecards", `{ compareRegions(codes: ["64", "64.01", "64.02", "64.72"], year: 2025) {
			id region { code name } agreements agreementsPer100Desa desaCoveredShare valuePerDesa byIssue { issue agreements }
			idm { year meanIdm byStatus { status count share } movedUp } } }`,
			[]string{"compareRegions"}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := a.in(t)
			wantCols, wantRows := flatten(a.answerList(c.query, nil, c.path...))
			if len(wantRows) < c.minRows {
				t.Fatalf("%d rows: the data should give at least %d", len(wantRows), c.minRows)
			}

			resp, body := a.export("csv", c.query, nil, nil)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("csv: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(records[0], wantCols) {
				t.Fatalf("csv header\n got %q\nwant %q", records[0], wantCols)
			}
			if len(records)-1 != len(wantRows) {
				t.Fatalf("csv: %d rows, the answer has %d", len(records)-1, len(wantRows))
			}
			for i, rec := range records[1:] {
				for j, col := range wantCols {
					if rec[j] != wantRows[i][col] {
						t.Errorf("csv row %d %s: %q, the answer says %q", i+1, col, rec[j], wantRows[i][col])
					}
				}
			}

			resp, body = a.export("xlsx", c.query, nil, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("xlsx: %d %s", resp.StatusCode, body)
			}
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheet := f.GetSheetName(0)
			xrows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(xrows)-1 != len(wantRows) || !slices.Equal(xrows[0], wantCols) {
				t.Fatalf("xlsx: %d rows, header %q; want %d rows, %q", len(xrows)-1, xrows[0], len(wantRows), wantCols)
			}
			for i, rec := range xrows[1:] {
				for j, col := range wantCols {
					got, want := "", wantRows[i][col]
					if j < len(rec) {
						got = rec[j]
					}
					if got != want && !sameNumber(got, want) {
						t.Errorf("xlsx row %d %s: %q, the answer says %q", i+1, col, got, want)
					}
				}
			}
		})
	}
}

// TestExportPagesThroughAConnection exports a connection whose after is a
// variable and whose pageInfo is selected: every page, in one file.
func TestExportPagesThroughAConnection(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	loadKnownRegister(t, a, "v1", time.Now().UTC().Truncate(24*time.Hour))

	whole := `{ agreements(first: 500, orderBy: SIGNED_DESC) { nodes { id title parties { name } } } }`
	wantCols, wantRows := flatten(a.answerList(whole, nil, "agreements", "nodes"))
	paged := `query($after: String) { agreements(first: 4, after: $after, orderBy: SIGNED_DESC) {
		nodes { id title parties { name } } pageInfo { hasNextPage endCursor } } }`
	for _, format := range []string{"csv", "xlsx", "csv with path"} {
		var params url.Values
		if format == "csv with path" {
			format, params = "csv", url.Values{"path": {"agreements.nodes"}}
		}
		resp, body := a.export(format, paged, nil, params)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", format, resp.StatusCode, body)
		}
		var records [][]string
		if format == "csv" {
			records, _ = csv.NewReader(bytes.NewReader(body)).ReadAll()
		} else {
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			records, _ = f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
			f.Close()
		}
		if len(wantRows) < 10 || len(records)-1 != len(wantRows) || !slices.Equal(records[0], wantCols) {
			t.Fatalf("%s: %d rows with %q; want all %d, with %q (the parties of every page numbered alike)",
				format, len(records)-1, records[0], len(wantRows), wantCols)
		}
		for i, rec := range records[1:] {
			for j, col := range wantCols {
				if got := append(rec, make([]string, len(wantCols))...)[j]; got != wantRows[i][col] {
					t.Errorf("%s row %d %s: %q, want %q", format, i+1, col, got, wantRows[i][col])
				}
			}
		}
	}
}

// sameNumber reports whether an XLSX number cell holds the answer's
// number (a double, written by Excel's rules).
func sameNumber(cell, answer string) bool {
	x, err1 := strconv.ParseFloat(cell, 64)
	y, err2 := strconv.ParseFloat(answer, 64)
	return err1 == nil && err2 == nil && x == y
}

func TestExportInIndonesian(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))

	q := `{ idmDistribution(year: 2024, level: KABUPATEN_KOTA) { region { code name } total byStatus { status count } meanIdm } }`
	resp, body := a.export("csv", q, nil, url.Values{"lang": {"id"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Wilayah / Kode", "Wilayah / Nama", "Desa berskor", "Per status 1 / Status", "Per status 1 / Jumlah"}
	if !slices.Equal(records[0][:5], want) || records[0][len(records[0])-1] != "Rata-rata IDM" {
		t.Errorf("headers %q, want them to begin %q and end with Rata-rata IDM", records[0], want)
	}
	if len(records) != 11 || records[1][3] != "Mandiri" || records[1][5] != "Maju" {
		t.Errorf("statuses by their names: %q", records[1])
	}

	resp, body = a.export("csv", `{ cooperationStats(dimensions: [ISSUE, PERIOD], measures: [AGREEMENTS]) { rows { issue period agreements } } }`,
		nil, url.Values{"lang": {"id"}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "Isu strategis,Periode,Jumlah kerja sama\n") {
		t.Errorf("stats in Indonesian: %d %s", resp.StatusCode, body)
	}
}

func TestExportRefusals(t *testing.T) {
	a := newAPI(t)
	for _, c := range []struct {
		name, query string
		params      url.Values
		status      int
		code        string
	}{
		{"not GraphQL", `{ regions(`, nil, http.StatusBadRequest, "GRAPHQL_PARSE_FAILED"},
		{"an unknown field", `{ regionz(level: KECAMATAN) { code } }`, nil, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"},
		{"a page of 0", `{ agreements(first: 0) { nodes { id } } }`, nil, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"no list", `{ region(code: "64") { code name } }`, nil, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"two fields", `{ a: regions(level: PROVINSI) { code } b: regions(level: PROVINSI) { code } }`, nil, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"an unknown language", `{ regions(level: PROVINSI) { code } }`, url.Values{"lang": {"jv"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a path that is no list", `{ regions(level: PROVINSI) { code } }`, url.Values{"path": {"regions.code"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"too deep for the limits", `{ regions(level: PROVINSI) { children { children { children { children { children { children { children { children { children { code } } } } } } } } } } }`,
			nil, http.StatusBadRequest, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := a.in(t).export("csv", c.query, nil, c.params)
			var answer struct {
				Errors []gqlError
			}
			if resp.StatusCode != c.status || json.Unmarshal(body, &answer) != nil || len(answer.Errors) == 0 ||
				(c.code != "" && answer.Errors[0].Extensions["code"] != c.code) {
				t.Errorf("%d %s, want %d with %s", resp.StatusCode, body, c.status, c.code)
			}
		})
	}
	if resp, err := http.Post(a.srv.URL+"/export.csv", "application/json", strings.NewReader(`{"query": "{ regions(level: PROVINSI) { code name } }"}`)); err != nil ||
		resp.StatusCode != http.StatusOK {
		t.Errorf("POST: %v %v", resp, err)
	}
}
