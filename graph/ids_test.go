package graph_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/etl"
)

// normalisedCache keys every object that has an id by __typename and id,
// as Apollo Client's InMemoryCache and urql's graphcache do, and reports an
// object whose fields disagree with an earlier one under the same key: two
// widgets would overwrite each other's data.
type normalisedCache struct {
	t       *testing.T
	objects map[string]map[string]any
	where   map[string]string
}

func newNormalisedCache(t *testing.T) *normalisedCache {
	return &normalisedCache{t: t, objects: map[string]map[string]any{}, where: map[string]string{}}
}

func (c *normalisedCache) add(what string, raw []byte) {
	c.t.Helper()
	var env struct {
		Data   any
		Errors []gqlError
	}
	if err := json.Unmarshal(raw, &env); err != nil || len(env.Errors) > 0 {
		c.t.Fatalf("%s: %v %+v", what, err, env.Errors)
	}
	c.walk(what, env.Data)
}

func (c *normalisedCache) walk(path string, v any) {
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			c.walk(fmt.Sprintf("%s[%d]", path, i), x)
		}
	case map[string]any:
		for k, x := range v {
			c.walk(path+"."+k, x)
		}
		id, ok := v["id"].(string)
		if !ok {
			return
		}
		typename, _ := v["__typename"].(string)
		key := typename + ":" + id
		if old, seen := c.objects[key]; seen {
			for f, x := range v {
				if y, both := old[f]; both && !reflect.DeepEqual(x, y) {
					c.t.Errorf("%s: %s has %s = %v at %s and %v at %s", key, key, f, x, path, y, c.where[key])
				}
			}
			return
		}
		c.objects[key], c.where[key] = v, path
	}
}

func TestIDsKeepWidgetsApart(t *testing.T) {
	dir := sharedData(t)
	a := newAPI(t)
	a.load(etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	a.load(etl.DatasetIDM, filepath.Join(dir, "kaltim_idm_2023.csv"), filepath.Join(dir, "kaltim_idm_2024.csv"))
	loadKnownRegister(t, a, "v1", plannersToday())

	cache := newNormalisedCache(t)
	ids := map[string]bool{}
	collect := func(raw []byte, field string) []string {
		var env struct{ Data map[string]json.RawMessage }
		if err := json.Unmarshal(raw, &env); err != nil {
			t.Fatal(err)
		}
		var out []string
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case []any:
				for _, x := range v {
					walk(x)
				}
			case map[string]any:
				if id, ok := v["id"].(string); ok && v["__typename"] == field {
					out = append(out, id)
				}
				for _, x := range v {
					walk(x)
				}
			}
		}
		for _, r := range env.Data {
			var v any
			_ = json.Unmarshal(r, &v)
			walk(v)
		}
		return out
	}
	distinct := func(what string, got []string) {
		t.Helper()
		if len(got) == 0 {
			t.Errorf("%s: no ids", what)
		}
		for _, id := range got {
			if ids[id] {
				t.Errorf("%s: id %s is used by another answer", what, id)
			}
			ids[id] = true
		}
	}

	for _, year := range []int{2023, 2024} {
		raw := a.rawQuery(`query($y: Int!) { compareRegions(codes: ["64.02", "64.01", "64"], year: $y) {
			__typename id year agreements desaCovered region { __typename id code name desaCount }
			idm { scored meanIdm byStatus { status count share } } } }`, map[string]any{"y": year})
		cache.add(fmt.Sprint("compareRegions ", year), raw)
		distinct(fmt.Sprint("scorecards ", year), collect(raw, "RegionScorecard"))

		raw = a.rawQuery(`query($y: Int!) { idmDistribution(year: $y, level: KABUPATEN_KOTA) {
			__typename id index year total meanIdm region { __typename id code name } } }`, map[string]any{"y": year})
		cache.add(fmt.Sprint("idmDistribution ", year), raw)
		distinct(fmt.Sprint("distributions ", year), collect(raw, "IdmDistribution"))

		raw = a.rawQuery(`query($y: Int!) { villagesWithoutPartner(regionCode: "64.02", year: $y, first: 20) {
			nodes { __typename id status idm village { __typename id code name } } } }`, map[string]any{"y": year})
		cache.add(fmt.Sprint("villagesWithoutPartner ", year), raw)
		distinct(fmt.Sprint("targets ", year), collect(raw, "VillageTarget"))
	}
	for _, filter := range []string{`{}`, `{regionCode: "64.02"}`, `{activeDuring: {from: "2024-01-01", to: "2024-12-31"}}`} {
		raw := a.rawQuery(`{ partners(filter: `+filter+`, first: 50) { nodes {
			__typename id key name agreements villagesCovered committedValue kabupaten { __typename id code } } } }`, nil)
		cache.add("partners "+filter, raw)
		distinct("partners "+filter, collect(raw, "Partner"))
	}
	raw := a.rawQuery(`{ a: cooperationImpact(fromYear: 2023, toYear: 2024) { __typename id withCooperation { desa } }
		b: cooperationImpact(regionCode: "64.02", fromYear: 2023, toYear: 2024) { __typename id withCooperation { desa } }
		village(code: "6402022010") { __typename id code name region { __typename id code } } }`, nil)
	cache.add("impact and village", raw)
	distinct("impact", collect(raw, "CooperationImpact"))

	// Regions are the same objects wherever they appear: their id is the code.
	for key, obj := range cache.objects {
		if strings.HasPrefix(key, "Region:") && obj["id"] != obj["code"] {
			t.Errorf("%s: id %v, code %v", key, obj["id"], obj["code"])
		}
	}
	if len(cache.objects) < 50 {
		t.Errorf("only %d normalised objects: the queries should reach many", len(cache.objects))
	}
}
