package synth

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The region hierarchy the generator works on: synthetic, or read from a
// real region file. Slices are in code order, so that the desa of a
// kabupaten or kecamatan are a contiguous range of world.desa.
type world struct {
	provs    []province
	kabs     []kabupaten
	kecs     []kecamatan
	villages []village

	desa       []int32   // village index of every desa (desa adat included), in code order
	desaWeight []float64 // how much cooperation a desa attracts (skewed)
	desaActive []bool    // not dormant
	cum        cumulative
}

type province struct {
	code, name string
	idmOffset  float64
	kabLo      int // first kabupaten index
	kabHi      int
}

type kabupaten struct {
	code        string // 4 digits
	name        string // "Kabupaten Sintetis Muara Jaya", "Kota …"
	short       string // without "Kabupaten " / "Kota "
	kota        bool
	prov        int
	mining      bool
	mineSector  cooperation.Sector // the dominant energy/mineral sector of a mining kabupaten
	factor      float64            // cooperation activity of the kabupaten
	idmOffset   float64
	kecLo       int
	kecHi       int
	desaLo      int // range of world.desa
	desaHi      int
	localCount  int // local partners (Baznas, dinas, local companies, …)
	localCum    cumulative
	operators   []int // energy partners working here (mining kabupaten)
	operatorCum cumulative
}

type kecamatan struct {
	code, name     string // 6 digits
	kab            int
	vilLo, vilHi   int
	desaLo, desaHi int
}

type village struct {
	code string // 10 digits
	name string
	kec  int32
	kind region.Kind
}

func (w *world) desaCount() int { return len(w.desa) }

// kabOfDesa is the kabupaten of desa d (an index of w.desa).
func (w *world) kabOfDesa(d int) int { return w.kecs[w.villages[w.desa[d]].kec].kab }

func (w *world) kecOfDesa(d int) int { return int(w.villages[w.desa[d]].kec) }

// dotted writes a flat code dotted.
func dotted(flat string) string {
	switch len(flat) {
	case 2:
		return flat
	case 4:
		return flat[:2] + "." + flat[2:]
	case 6:
		return flat[:2] + "." + flat[2:4] + "." + flat[4:]
	}
	return flat[:2] + "." + flat[2:4] + "." + flat[4:6] + "." + flat[6:]
}

// realKabKota are the kabupaten and kota per province (Kemendagri 2025
// counts), used as the shape of the synthetic hierarchy.
var realKabKota = map[string][2]int{
	"11": {18, 5}, "12": {25, 8}, "13": {12, 7}, "14": {10, 2}, "15": {9, 2}, "16": {13, 4}, "17": {9, 1},
	"18": {13, 2}, "19": {6, 1}, "21": {5, 2}, "31": {1, 5}, "32": {18, 9}, "33": {29, 6}, "34": {4, 1},
	"35": {29, 9}, "36": {4, 4}, "51": {8, 1}, "52": {8, 2}, "53": {21, 1}, "61": {12, 2}, "62": {13, 1},
	"63": {11, 2}, "64": {7, 3}, "65": {4, 1}, "71": {11, 4}, "72": {12, 1}, "73": {21, 3}, "74": {15, 2},
	"75": {5, 1}, "76": {6, 0}, "81": {9, 2}, "82": {8, 2}, "91": {8, 1}, "92": {7, 0}, "93": {4, 0},
	"94": {8, 0}, "95": {8, 0}, "96": {5, 1},
}

// provinceTraits: how likely a kabupaten mines, what it mines, and how far
// its desa's IDM lies from the national level.
func provinceTraits(code string) (miningChance float64, sector cooperation.Sector, idmOffset float64) {
	switch code {
	case "62", "63", "64", "65":
		return 0.55, cooperation.SectorCoal, 0.02
	case "61":
		return 0.2, cooperation.SectorMineral, -0.02
	case "14":
		return 0.45, cooperation.SectorOilGas, 0.01
	case "15", "16":
		return 0.4, cooperation.SectorCoal, 0.0
	case "19", "21":
		return 0.45, cooperation.SectorMineral, 0.02
	case "72", "74", "82":
		return 0.4, cooperation.SectorMineral, -0.03
	case "91", "92", "93", "94", "95", "96":
		return 0.25, cooperation.SectorMineral, -0.13
	case "31", "32", "33", "34", "35", "36", "51":
		return 0.06, cooperation.SectorEnergy, 0.06
	case "53", "81":
		return 0.08, cooperation.SectorEnergy, -0.07
	}
	return 0.1, cooperation.SectorOilGas, -0.01
}

// syntheticWorld builds the region hierarchy of a profile.
func syntheticWorld(p Profile, seed uint64) (*world, error) {
	r := newRNG(seed, streamRegions)
	w := &world{}
	if len(p.Provinces) == 0 || p.KabKota < len(p.Provinces) || p.Kecamatan < p.KabKota*2 || p.Villages < p.Kecamatan*2 {
		return nil, fmt.Errorf("profile %s: inconsistent region sizes", p.Name)
	}
	provWeights := make([]float64, len(p.Provinces))
	for i, code := range p.Provinces {
		kk, ok := realKabKota[code]
		if !ok {
			return nil, fmt.Errorf("profile %s: %s is not a province code", p.Name, code)
		}
		provWeights[i] = float64(kk[0] + kk[1])
	}
	perProv := allocate(p.KabKota, provWeights, 1, 99)
	kabNames := uniqueNamer{}
	for i, code := range p.Provinces {
		_, _, idmOff := provinceTraits(code)
		w.provs = append(w.provs, province{code: code, name: "Provinsi Sintetis " + code, idmOffset: idmOff, kabLo: len(w.kabs)})
		kk := realKabKota[code]
		n := perProv[i]
		kota := int(math.Round(float64(n) * float64(kk[1]) / float64(kk[0]+kk[1])))
		if kota >= n && kk[0] > 0 {
			kota = n - 1
		}
		w.addKabupaten(r, i, n-kota, kota, kabNames)
		w.provs[i].kabHi = len(w.kabs)
	}

	// Kecamatan per kabupaten/kota: kota have few, Java and Papua many.
	kecWeights := make([]float64, len(w.kabs))
	for i, k := range w.kabs {
		median := 15.0
		if k.kota {
			median = 5.5
		}
		switch pc := w.provs[k.prov].code; {
		case pc >= "32" && pc <= "35":
			median *= 1.3
		case pc >= "91":
			median *= 1.4
		}
		kecWeights[i] = r.logNormal(median, 0.45)
	}
	perKab := allocate(p.Kecamatan, kecWeights, 2, 99)
	var kecKota []bool
	for ki := range w.kabs {
		k := &w.kabs[ki]
		k.kecLo = len(w.kecs)
		names := uniqueNamer{}
		num := 0
		room := 99 - perKab[ki]
		for j := 0; j < perKab[ki]; j++ {
			num++
			if room > 0 && r.chance(0.05) {
				num++
				room--
			}
			w.kecs = append(w.kecs, kecamatan{code: fmt.Sprintf("%s%02d", k.code, num), name: names.name(r), kab: ki})
			kecKota = append(kecKota, k.kota)
		}
		k.kecHi = len(w.kecs)
	}

	// Villages per kecamatan, and which are kelurahan.
	vilWeights := make([]float64, len(w.kecs))
	for i, kc := range w.kecs {
		median := 11.0
		if kecKota[i] {
			median = 7
		}
		if pc := w.provs[w.kabs[kc.kab].prov].code; pc >= "32" && pc <= "35" {
			median *= 1.4
		}
		vilWeights[i] = r.logNormal(median, 0.6)
	}
	perKec := allocate(p.Villages, vilWeights, 2, 400)
	for ci := range w.kecs {
		kc := &w.kecs[ci]
		kb := w.kabs[kc.kab]
		n := perKec[ci]
		kelurahan := 0
		switch {
		case w.provs[kb.prov].code == "31": // DKI Jakarta has no desa
			kelurahan = n
		case kb.kota:
			for j := 0; j < n; j++ {
				if r.chance(0.96) {
					kelurahan++
				}
			}
		case r.chance(0.18):
			kelurahan = 1 + r.IntN(min(4, n-1))
		}
		kc.vilLo = len(w.villages)
		names := uniqueNamer{}
		w.addVillages(r, ci, kelurahan, region.KindKelurahan, 1000, names)
		w.addVillages(r, ci, n-kelurahan, region.KindDesa, 2000, names)
		kc.vilHi = len(w.villages)
	}
	w.index()
	return w, nil
}

func (w *world) addKabupaten(r *rng, prov, kabCount, kotaCount int, names uniqueNamer) {
	pc := w.provs[prov].code
	miningChance, sector, _ := provinceTraits(pc)
	add := func(count, first, last int, kota bool) {
		num := first - 1
		room := last - first + 1 - count
		for j := 0; j < count; j++ {
			num++
			if room > 0 && r.chance(0.08) {
				num++
				room--
			}
			base := "Sintetis " + names.name(r)
			kind := "Kabupaten "
			chance := miningChance
			if kota {
				kind, chance = "Kota ", miningChance/3
			}
			k := kabupaten{code: fmt.Sprintf("%s%02d", pc, num), name: kind + base, short: base, kota: kota, prov: prov}
			k.mining = r.chance(chance)
			if k.mining {
				k.mineSector = sector
				if r.chance(0.25) { // a second commodity is common
					k.mineSector = []cooperation.Sector{cooperation.SectorCoal, cooperation.SectorOilGas, cooperation.SectorMineral}[r.IntN(3)]
				}
			}
			w.kabs = append(w.kabs, k)
		}
	}
	add(kabCount, 1, 70, false)
	add(kotaCount, 71, 99, true)
}

func (w *world) addVillages(r *rng, kec, count int, kind region.Kind, base int, names uniqueNamer) {
	num := base
	room := 999 - count
	for j := 0; j < count; j++ {
		num++
		if room > 0 && r.chance(0.08) {
			num += 1 + r.IntN(2)
			room -= 2
		}
		w.villages = append(w.villages, village{
			code: w.kecs[kec].code + strconv.Itoa(num), name: names.name(r), kec: int32(kec), kind: kind,
		})
	}
}

// index fills the desa list and the desa ranges of kabupaten and kecamatan.
func (w *world) index() {
	w.desa = w.desa[:0]
	for ci := range w.kecs {
		kc := &w.kecs[ci]
		kc.desaLo = len(w.desa)
		for v := kc.vilLo; v < kc.vilHi; v++ {
			if w.villages[v].kind.IsDesa() {
				w.desa = append(w.desa, int32(v))
			}
		}
		kc.desaHi = len(w.desa)
	}
	for ki := range w.kabs {
		k := &w.kabs[ki]
		if k.kecHi > k.kecLo {
			k.desaLo, k.desaHi = w.kecs[k.kecLo].desaLo, w.kecs[k.kecHi-1].desaHi
		}
	}
}

// weigh gives kabupaten and desa their skewed appetite for cooperation:
// most desa are dormant (rarely in an agreement), the active ones vary over
// orders of magnitude, and kabupaten differ too (mining ones attract more).
// bias, if not nil, scales desa d's weight (the real IDM, for instance).
func (w *world) weigh(seed uint64, bias func(d int) float64) {
	r := newRNG(seed, streamWeights)
	for ki := range w.kabs {
		k := &w.kabs[ki]
		k.factor = r.logNormal(1, 0.5)
		if k.mining {
			k.factor *= 1.8
		}
		k.idmOffset = r.normal(0, 0.035)
	}
	w.desaWeight = make([]float64, len(w.desa))
	w.desaActive = make([]bool, len(w.desa))
	for d := range w.desa {
		k := w.kabs[w.kabOfDesa(d)]
		weight := 0.01
		if r.chance(0.35) {
			w.desaActive[d] = true
			weight = math.Min(r.logNormal(1, 0.9), 12)
		}
		weight *= k.factor
		if bias != nil {
			weight *= bias(d)
		}
		w.desaWeight[d] = weight
	}
	w.cum = newCumulative(w.desaWeight)
}

// realWorld builds the hierarchy from validated regions (a region file read
// with regionfile.Parse).
func realWorld(regions []region.Region) (*world, error) {
	rs := slices.Clone(regions)
	slices.SortFunc(rs, func(a, b region.Region) int { return strings.Compare(string(a.Code), string(b.Code)) })
	w := &world{}
	provIdx, kabIdx, kecIdx := map[region.Code]int{}, map[region.Code]int{}, map[region.Code]int{}
	for _, rg := range rs {
		switch rg.Level {
		case region.LevelProvinsi:
			provIdx[rg.Code] = len(w.provs)
			_, _, idmOff := provinceTraits(string(rg.Code))
			w.provs = append(w.provs, province{code: string(rg.Code), name: rg.Name, idmOffset: idmOff})
		case region.LevelKabupatenKota:
			p, ok := provIdx[rg.Parent]
			if !ok {
				return nil, fmt.Errorf("kabupaten/kota %s has no province in the region file", rg.Code.Dotted())
			}
			short := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rg.Name, "Kabupaten"), "Kota"))
			if short == "" {
				short = rg.Name
			}
			kabIdx[rg.Code] = len(w.kabs)
			w.kabs = append(w.kabs, kabupaten{code: string(rg.Code), name: rg.Name, short: short, kota: rg.Kind == region.KindKota, prov: p})
		case region.LevelKecamatan:
			k, ok := kabIdx[rg.Parent]
			if !ok {
				return nil, fmt.Errorf("kecamatan %s has no kabupaten/kota in the region file", rg.Code.Dotted())
			}
			kecIdx[rg.Code] = len(w.kecs)
			w.kecs = append(w.kecs, kecamatan{code: string(rg.Code), name: rg.Name, kab: k})
		case region.LevelDesaKelurahan:
			c, ok := kecIdx[rg.Parent]
			if !ok {
				return nil, fmt.Errorf("village %s has no kecamatan in the region file", rg.Code.Dotted())
			}
			w.villages = append(w.villages, village{code: string(rg.Code), name: rg.Name, kec: int32(c), kind: rg.Kind})
		}
	}
	// Code order makes every level's children contiguous.
	for pi := range w.provs {
		w.provs[pi].kabLo, w.provs[pi].kabHi = -1, 0
	}
	for ki := range w.kabs {
		p := &w.provs[w.kabs[ki].prov]
		if p.kabLo < 0 {
			p.kabLo = ki
		}
		p.kabHi = ki + 1
		w.kabs[ki].kecLo = -1
	}
	for ci := range w.kecs {
		k := &w.kabs[w.kecs[ci].kab]
		if k.kecLo < 0 {
			k.kecLo = ci
		}
		k.kecHi = ci + 1
		w.kecs[ci].vilLo = -1
	}
	for vi, v := range w.villages {
		kc := &w.kecs[v.kec]
		if kc.vilLo < 0 {
			kc.vilLo = vi
		}
		kc.vilHi = vi + 1
	}
	for i := range w.provs {
		w.provs[i].kabLo = max(w.provs[i].kabLo, 0)
	}
	for i := range w.kabs {
		w.kabs[i].kecLo = max(w.kabs[i].kecLo, 0)
	}
	for i := range w.kecs {
		w.kecs[i].vilLo = max(w.kecs[i].vilLo, 0)
	}
	w.index()
	if len(w.desa) == 0 {
		return nil, fmt.Errorf("the region file has no desa")
	}
	return w, nil
}

// knownMining are kabupaten of the real files known for coal, oil and gas
// or minerals (Kalimantan Timur: Paser, Kutai Kartanegara, Berau, Kutai
// Barat, Kutai Timur; the kota Balikpapan and Bontang for oil and gas).
var knownMining = map[string]cooperation.Sector{
	"6401": cooperation.SectorCoal, "6402": cooperation.SectorCoal, "6403": cooperation.SectorCoal,
	"6407": cooperation.SectorCoal, "6408": cooperation.SectorCoal,
	"6471": cooperation.SectorOilGas, "6474": cooperation.SectorOilGas,
}

// markMining flags the mining kabupaten of a real hierarchy: the known ones,
// elsewhere by the province's odds.
func (w *world) markMining(seed uint64) {
	r := newRNG(seed, streamRegions)
	for ki := range w.kabs {
		k := &w.kabs[ki]
		if s, ok := knownMining[k.code]; ok {
			k.mining, k.mineSector = true, s
			continue
		}
		if k.code[:2] == "64" {
			continue // the province whose mining kabupaten are listed
		}
		chance, sector, _ := provinceTraits(k.code[:2])
		if k.kota {
			chance /= 3
		}
		if r.chance(chance) {
			k.mining, k.mineSector = true, sector
		}
	}
}
