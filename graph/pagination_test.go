package graph_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
)

type idPage struct {
	Agreements struct {
		TotalCount int
		Edges      []struct {
			Cursor string
			Node   struct{ ID string }
		}
		Nodes    []struct{ ID string }
		PageInfo struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
	}
}

const idPageQuery = `query($f: AgreementFilter, $first: Int, $after: String, $order: AgreementOrder) {
  agreements(filter: $f, first: $first, after: $after, orderBy: $order) {
    totalCount edges { cursor node { id } } nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

func (p idPage) ids() []string {
	var out []string
	for _, n := range p.Agreements.Nodes {
		out = append(out, n.ID)
	}
	return out
}

// writeRegister writes a register of agreements (id, signing date) with one
// desa party each, as CSV files, and returns their paths.
func writeRegister(t *testing.T, agreements [][2]string) []string {
	t.Helper()
	dir := t.TempDir()
	a := []string{"agreement_id,title,document_type,signed_date,status,issues"}
	p := []string{"agreement_id,party_type,name,region_code"}
	for _, ag := range agreements {
		a = append(a, ag[0]+",Uji halaman "+ag[0]+",PKS,"+ag[1]+",ACTIVE,INTER_VILLAGE_BODY")
		p = append(p, ag[0]+",DESA,Desa Lung Anai,64.02.02.2010")
	}
	files := []string{filepath.Join(dir, "agreements.csv"), filepath.Join(dir, "parties.csv")}
	for i, lines := range [][]string{a, p} {
		if err := os.WriteFile(files[i], []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestCursorsAcrossLoads pages through agreements while loads land between
// the pages: the next page continues right after the last item seen, in
// the data as it is after the load. An offset would have shifted.
func TestCursorsAcrossLoads(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"))
	a.load(etl.DatasetRegister, writeRegister(t, [][2]string{
		{"B-01", "2024-01-10"}, {"B-02", "2024-02-10"}, {"B-03", "2024-03-10"}, {"B-04", "2024-04-10"},
		{"B-05", "2024-05-10"}, {"B-06", "2024-06-10"}, {"B-07", "2024-07-10"},
	})...)

	t.Run("ID_ASC: items added before and after the cursor", func(t *testing.T) {
		var p1 idPage
		a.mustQuery(idPageQuery, map[string]any{"first": 3, "order": "ID_ASC"}, &p1)
		if got := p1.ids(); !slices.Equal(got, []string{"B-01", "B-02", "B-03"}) || !p1.Agreements.PageInfo.HasNextPage ||
			p1.Agreements.PageInfo.HasPreviousPage || p1.Agreements.TotalCount != 7 {
			t.Fatalf("page 1: %v %+v total %d", got, p1.Agreements.PageInfo, p1.Agreements.TotalCount)
		}
		for i, e := range p1.Agreements.Edges {
			if e.Node.ID != p1.Agreements.Nodes[i].ID {
				t.Errorf("edge %d holds %s, node %s", i, e.Node.ID, p1.Agreements.Nodes[i].ID)
			}
		}
		if *p1.Agreements.PageInfo.StartCursor != p1.Agreements.Edges[0].Cursor || *p1.Agreements.PageInfo.EndCursor != p1.Agreements.Edges[2].Cursor {
			t.Errorf("start/end cursors are not the first and last edges' cursors")
		}
		// A load adds one agreement before the cursor and one right after it.
		a.load(etl.DatasetRegister, writeRegister(t, [][2]string{{"A-00", "2024-08-10"}, {"B-03a", "2024-08-11"}})...)
		var p2 idPage
		a.mustQuery(idPageQuery, map[string]any{"first": 3, "order": "ID_ASC", "after": *p1.Agreements.PageInfo.EndCursor}, &p2)
		// An offset of 3 would now start at B-02 again.
		if got := p2.ids(); !slices.Equal(got, []string{"B-03a", "B-04", "B-05"}) {
			t.Errorf("page 2 after the load: %v, want the items after B-03 in the new data: B-03a B-04 B-05", got)
		}
		if !p2.Agreements.PageInfo.HasPreviousPage || !p2.Agreements.PageInfo.HasNextPage || p2.Agreements.TotalCount != 9 {
			t.Errorf("page 2: %+v total %d, want both neighbours and 9 in all", p2.Agreements.PageInfo, p2.Agreements.TotalCount)
		}
	})

	t.Run("SIGNED_DESC: the item at the cursor moves away", func(t *testing.T) {
		var p1 idPage
		a.mustQuery(idPageQuery, map[string]any{"first": 3, "order": "SIGNED_DESC"}, &p1)
		if got := p1.ids(); !slices.Equal(got, []string{"B-03a", "A-00", "B-07"}) {
			t.Fatalf("page 1: %v", got)
		}
		// The register re-submits B-07 with an earlier date and B-05 later:
		// B-07 now sorts after the cursor's position, B-05 before it.
		a.load(etl.DatasetRegister, writeRegister(t, [][2]string{{"B-07", "2024-01-01"}, {"B-05", "2024-12-01"}})...)
		var p2 idPage
		a.mustQuery(idPageQuery, map[string]any{"first": 10, "order": "SIGNED_DESC", "after": *p1.Agreements.PageInfo.EndCursor}, &p2)
		// After the cursor's position (2024-07-10, B-07), newest first.
		want := []string{"B-06", "B-04", "B-03", "B-02", "B-01", "B-07"}
		if got := p2.ids(); !slices.Equal(got, want) || p2.Agreements.PageInfo.HasNextPage {
			t.Errorf("page 2: %v next %v, want %v: what follows the cursor's position now, B-05 (moved before it) left out",
				got, p2.Agreements.PageInfo.HasNextPage, want)
		}
	})

	t.Run("a cursor is refused with another filter, order or list", func(t *testing.T) {
		var p1 idPage
		a.mustQuery(idPageQuery, map[string]any{"first": 2, "order": "ID_ASC", "f": map[string]any{"regionCode": "64.02"}}, &p1)
		cursor := *p1.Agreements.PageInfo.EndCursor
		for name, vars := range map[string]map[string]any{
			"another filter":    {"first": 2, "order": "ID_ASC", "after": cursor, "f": map[string]any{"regionCode": "64.01"}},
			"no filter":         {"first": 2, "order": "ID_ASC", "after": cursor},
			"another order":     {"first": 2, "order": "SIGNED_DESC", "after": cursor, "f": map[string]any{"regionCode": "64.02"}},
			"the same, flatter": {"first": 2, "order": "ID_ASC", "after": cursor, "f": map[string]any{"regionCode": "6402"}},
		} {
			errs := a.query(idPageQuery, vars, nil)
			if name == "the same, flatter" {
				if len(errs) > 0 {
					t.Errorf("%s: %+v; the same filter spelled otherwise is the same list", name, errs)
				}
				continue
			}
			if len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(errs[0].Message, "another order or filter") {
				t.Errorf("%s: %+v, want BAD_USER_INPUT naming the reason", name, errs)
			}
		}
		errs := a.query(`query($after: String) { partners(after: $after) { totalCount } }`, map[string]any{"after": cursor}, nil)
		if len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("an agreements cursor for partners: %+v, want BAD_USER_INPUT", errs)
		}
	})

	t.Run("villagesWithoutPartner: a newer IDM year loaded between pages", func(t *testing.T) {
		q := `query($after: String) { villagesWithoutPartner(statuses: [MAJU], first: 5, after: $after) {
			idmYear nodes { id } pageInfo { endCursor } } }`
		var p1 struct {
			VillagesWithoutPartner struct {
				IdmYear  int
				PageInfo struct{ EndCursor string }
			}
		}
		a.mustQuery(q, nil, &p1)
		if p1.VillagesWithoutPartner.IdmYear != 2023 {
			t.Fatalf("page 1 from IDM %d, want 2023 (the latest loaded)", p1.VillagesWithoutPartner.IdmYear)
		}
		a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))
		errs := a.query(q, map[string]any{"after": p1.VillagesWithoutPartner.PageInfo.EndCursor}, nil)
		if len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(errs[0].Message, "latest IDM year") {
			t.Errorf("page 2 once IDM 2024 is the latest: %+v, want BAD_USER_INPUT: the list now means another year", errs)
		}
		// Asked for explicitly, the year does not change under the cursor.
		q = strings.Replace(q, "statuses: [MAJU]", "statuses: [MAJU], idmYear: 2023", 1)
		a.mustQuery(q, nil, &p1)
		a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))
		if errs := a.query(q, map[string]any{"after": p1.VillagesWithoutPartner.PageInfo.EndCursor}, nil); len(errs) > 0 {
			t.Errorf("page 2 of IDM 2023 after a load: %+v", errs)
		}
	})

	t.Run("first must be at least 1", func(t *testing.T) {
		for _, q := range []string{
			`{ agreements(first: 0) { totalCount } }`, `{ agreements(first: -5) { totalCount } }`,
			`{ partners(first: 0) { totalCount } }`, `{ expiringAgreements(withinMonths: 3, first: 0) { totalCount } }`,
			`{ villagesWithoutPartner(first: 0) { totalCount } }`, `{ etlRejects(runId: "1", first: 0) { totalCount } }`,
		} {
			if errs := a.query(q, nil, nil); len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("%s: %+v, want BAD_USER_INPUT", q, errs)
			}
		}
	})
}
