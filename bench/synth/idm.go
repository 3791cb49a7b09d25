package synth

import (
	"fmt"
	"math"
	"strings"

	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/region"
)

// writeRegions writes wilayah.csv in the layout of
// kaltim_wilayah_kemendagri_2025.csv: every province, kabupaten/kota,
// kecamatan and village, depth first in code order.
func (g *generator) writeRegions() error {
	w := g.w
	f, err := g.create("wilayah.csv", "kode", "kode_flat", "level", "jenis", "parent_kode", "nama")
	if err != nil {
		return err
	}
	row := func(code string, level region.Level, kind region.Kind, parent, name string) {
		f.dotted(code)
		f.str(code)
		f.str(level.String())
		f.str(string(kind))
		if parent == "" {
			f.str("")
		} else {
			f.dotted(parent)
		}
		f.str(name)
		f.end()
	}
	for _, p := range w.provs {
		row(p.code, region.LevelProvinsi, region.KindProvinsi, "", p.name)
		for ki := p.kabLo; ki < p.kabHi; ki++ {
			k := w.kabs[ki]
			kind := region.KindKabupaten
			if k.kota {
				kind = region.KindKota
			}
			row(k.code, region.LevelKabupatenKota, kind, p.code, k.name)
			for ci := k.kecLo; ci < k.kecHi; ci++ {
				kc := w.kecs[ci]
				row(kc.code, region.LevelKecamatan, region.KindKecamatan, k.code, kc.name)
				for vi := kc.vilLo; vi < kc.vilHi; vi++ {
					v := w.villages[vi]
					row(v.code, region.LevelDesaKelurahan, v.kind, kc.code, v.name)
				}
			}
		}
		if g.err != nil {
			break
		}
	}
	if err := f.close(); err != nil {
		return err
	}
	return g.err
}

// The IDM model. A desa starts in 2015 around the national level of the
// time, shifted by its province and kabupaten, and improves slowly and
// unevenly: its own growth rate (a little faster where it cooperates), a
// persistent yearly shock and a ceiling that slows the best. IKS, IKE and
// IKL lie around that level with the desa's own profile (the economy
// usually lowest, the environment highest, as in Kemendesa's data).
const (
	idmModelStart = 2015
	idmBase2015   = 0.575
)

// writeIDM writes idm_<year>.csv for every year of the profile, a row per
// desa, in the layout of kaltim_idm_2024.csv.
func (g *generator) writeIDM() error {
	w := g.w
	first, last := g.p.FirstIDMYear, g.p.LastIDMYear
	if first < idmModelStart || last < first {
		return fmt.Errorf("profile %s: IDM years %d..%d (from %d)", g.p.Name, first, last, idmModelStart)
	}
	files := make([]*csvFile, last-first+1)
	for i := range files {
		f, err := g.create(fmt.Sprintf("idm_%d.csv", first+i), "kode_desa", "kode_desa_dotted", "nama_desa",
			"kode_kecamatan", "nama_kecamatan", "kode_kabkota", "nama_kabkota", "kode_provinsi", "nama_provinsi",
			"tahun", "iks", "ike", "ikl", "nilai_idm", "status_idm", "keterangan_sumber")
		if err != nil {
			return err
		}
		files[i] = f
	}
	upperKab := make([]string, len(w.kabs))
	for i, k := range w.kabs {
		upperKab[i] = strings.ToUpper(k.short)
		if k.kota {
			upperKab[i] = "KOTA " + upperKab[i]
		}
	}
	upperKec := make([]string, len(w.kecs))
	for i, kc := range w.kecs {
		upperKec[i] = strings.ToUpper(kc.name)
	}
	upperProv := make([]string, len(w.provs))
	for i, p := range w.provs {
		upperProv[i] = strings.ToUpper(p.name)
	}
	var statusText [6]string
	for _, s := range idm.Statuses {
		statusText[s] = strings.ReplaceAll(s.String(), "_", " ") // Kemendesa writes SANGAT TERTINGGAL
	}
	r := newRNG(g.seed, streamIDM)
	for d := range w.desa {
		if d&0x3ff == 0 && g.err != nil {
			break
		}
		r.at(g.seed, streamIDM, uint64(d))
		v := w.villages[w.desa[d]]
		kc := w.kecs[v.kec]
		kb := w.kabs[kc.kab]
		pv := w.provs[kb.prov]
		base := idmBase2015 + pv.idmOffset + kb.idmOffset + r.normal(0, 0.065)
		growth := clamp(r.normal(0.018, 0.007), 0.002, 0.045)
		if w.desaActive[d] {
			growth += 0.004
		}
		oS := r.normal(0.04, 0.04)
		oE := r.normal(-0.09, 0.05)
		oL := -(oS + oE) + r.normal(0, 0.03)
		name := strings.ToUpper(v.name)
		shock := 0.0
		for y := idmModelStart; y <= last; y++ {
			shock = 0.5*shock + r.normal(0, 0.012)
			level := base + growth*float64(y-idmModelStart) + shock
			if level > 0.9 {
				level = 0.9 + (level-0.9)*0.3
			}
			iks := round4(clamp(level+oS+r.normal(0, 0.01), 0.05, 1))
			ike := round4(clamp(level+oE+r.normal(0, 0.01), 0.05, 1))
			ikl := round4(clamp(level+oL+r.normal(0, 0.01), 0.05, 1))
			if y < first {
				continue
			}
			score := round4((iks + ike + ikl) / 3)
			f := files[y-first]
			f.str(v.code)
			f.dotted(v.code)
			f.str(name)
			f.str(kc.code)
			f.str(upperKec[v.kec])
			f.str(kb.code)
			f.str(upperKab[kc.kab])
			f.str(pv.code)
			f.str(upperProv[kb.prov])
			f.int(int64(y))
			f.score(iks)
			f.score(ike)
			f.score(ikl)
			f.score(score)
			f.str(statusText[idm.StatusForScore(score)])
			f.str(g.label.Marker)
			f.end()
		}
	}
	for _, f := range files {
		if err := f.close(); err != nil {
			return err
		}
	}
	return g.err
}

// round4 rounds to 4 decimals: the nearest float64 to a 4-decimal number,
// which is what parsing its shortest text gives back.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
