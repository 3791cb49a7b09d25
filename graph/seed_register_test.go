package graph_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/ingest"
)

// The register shipped in etl/seed loads cleanly against the real regions
// and answers planners' questions about the agreements the articles report.
func TestSeedRegister(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2024.csv"))
	res := a.load(etl.DatasetRegister, filepath.Join("..", "etl", "seed", "agreements.csv"), filepath.Join("..", "etl", "seed", "parties.csv"))
	if len(res.Runs) != 1 || res.Runs[0].Status != ingest.StatusSucceeded || res.Runs[0].RowsRejected != 0 {
		t.Fatalf("seed register run: %+v, rejects %+v", res.Runs, res.Rejects)
	}
	if res.Runs[0].RowsLoaded != 3+13 {
		t.Fatalf("loaded %d rows, want 3 agreements and 13 parties", res.Runs[0].RowsLoaded)
	}

	t.Run("Lung Anai's 2025 partners", func(t *testing.T) {
		var out struct {
			Partners struct {
				Nodes []struct {
					Name, Type string
					Sector     *string
				}
			}
		}
		a.mustQuery(`{ partners(filter: {regionCode: "64.02.02.2010", activeDuring: {from: "2025-01-01", to: "2025-12-31"}}, orderBy: NAME_ASC) { nodes { name type sector } } }`, nil, &out)
		var names []string
		for _, p := range out.Partners.Nodes {
			names = append(names, p.Name)
		}
		want := []string{"Baznas Kukar", "Pemerintah Kabupaten Kutai Kartanegara",
			"PT Multi Harapan Utama (MHU) - Loa Kulu Coal Terminal", "Yayasan Pede Nusantara Madani"}
		if !slices.Equal(names, want) {
			t.Fatalf("partners: %v, want %v", names, want)
		}
	})

	t.Run("the Kukar MoU: parties, villages, desa persiapan, derived issue flagged", func(t *testing.T) {
		var out struct {
			Agreement struct {
				Issues, DeclaredIssues, DerivedIssues, ClassificationDisagreements []string
				Villages                                                           []struct{ Name string }
				DesaPersiapan                                                      []struct {
					Name   string
					Region struct{ Code string }
				}
				Kabupaten []struct{ Code string }
				Parties   []struct{ Type string }
			}
		}
		a.mustQuery(`{ agreement(id: "KUKAR-2025-MOU-PIHAK-KETIGA") { issues declaredIssues derivedIssues classificationDisagreements
			villages { name } desaPersiapan { name region { code } } kabupaten { code } parties { type } } }`, nil, &out)
		ag := out.Agreement
		if !slices.Equal(ag.DeclaredIssues, []string{"THIRD_PARTY"}) || !slices.Equal(ag.DerivedIssues, []string{"ENERGY_MINERAL"}) ||
			!slices.Equal(ag.Issues, []string{"THIRD_PARTY", "ENERGY_MINERAL"}) || !slices.Equal(ag.ClassificationDisagreements, []string{"ENERGY_MINERAL"}) {
			t.Errorf("classification: %+v", ag)
		}
		if len(ag.Villages) != 4 || len(ag.DesaPersiapan) != 1 || ag.DesaPersiapan[0].Region.Code != "64.02" {
			t.Errorf("villages %+v, desa persiapan %+v", ag.Villages, ag.DesaPersiapan)
		}
		if len(ag.Kabupaten) != 1 || ag.Kabupaten[0].Code != "64.02" || len(ag.Parties) != 9 {
			t.Errorf("kabupaten %+v, %d parties", ag.Kabupaten, len(ag.Parties))
		}
	})

	t.Run("strategic issues and the cross-province link", func(t *testing.T) {
		var out struct {
			StrategicIssues []struct {
				Issue                       string
				Agreements, VillagesCovered int
			}
			CrossRegionLinks []struct {
				FromCode, ToCode string
				Agreements       int
			}
		}
		a.mustQuery(`{ strategicIssues { issue agreements villagesCovered }
			crossRegionLinks(level: PROVINSI, year: 2025) { fromCode toCode agreements } }`, nil, &out)
		want := map[string][2]int{"INTER_VILLAGE_BODY": {0, 0}, "THIRD_PARTY": {2, 4}, "CROSS_KABUPATEN": {1, 0}, "ENERGY_MINERAL": {1, 4}}
		for _, s := range out.StrategicIssues {
			if w := want[s.Issue]; s.Agreements != w[0] || s.VillagesCovered != w[1] {
				t.Errorf("%s: %d agreements, %d villages; want %v", s.Issue, s.Agreements, s.VillagesCovered, w)
			}
		}
		if len(out.CrossRegionLinks) != 1 || out.CrossRegionLinks[0].FromCode != "35" || out.CrossRegionLinks[0].ToCode != "64" {
			t.Errorf("links: %+v", out.CrossRegionLinks)
		}
	})
}
