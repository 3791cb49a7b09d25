package synth

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// body is an inter-village cooperation body (BKAD) of one kecamatan.
type body struct {
	id, name    string
	kec         int
	seq         int // within the kecamatan
	established time.Time
	legalBasis  string
	joint       string // BUMDesa Bersama, "" if none
	members     []int  // desa indexes, in code order
}

// makeBodies places count bodies in kecamatan with at least two desa: more
// where villages cooperate much, some anywhere (so that some bodies are
// inactive), at most three per kecamatan.
func makeBodies(w *world, count int, seed uint64, idPrefix string) []body {
	r := newRNG(seed, streamBodies)
	var eligible []int
	var weights []float64
	for ci, kc := range w.kecs {
		if kc.desaHi-kc.desaLo >= 2 {
			eligible = append(eligible, ci)
			weights = append(weights, w.cum.total(kc.desaLo, kc.desaHi))
		}
	}
	if len(eligible) == 0 {
		return nil
	}
	capOf := func(ci int) int { return max(1, min(3, (w.kecs[ci].desaHi-w.kecs[ci].desaLo)/2)) }
	capacity := 0
	for _, ci := range eligible {
		capacity += capOf(ci)
	}
	count = min(count, capacity)
	cum := newCumulative(weights)
	perKec := map[int]int{}
	var bodies []body
	for len(bodies) < count {
		var ci int
		if r.chance(0.6) {
			ci = eligible[cum.pick(r, 0, len(eligible))]
		} else {
			ci = eligible[r.IntN(len(eligible))]
		}
		if perKec[ci] >= capOf(ci) {
			continue
		}
		perKec[ci]++
		bodies = append(bodies, body{kec: ci, seq: perKec[ci]})
	}
	slices.SortStableFunc(bodies, func(a, b body) int {
		if a.kec != b.kec {
			return a.kec - b.kec
		}
		return a.seq - b.seq
	})
	for i := range bodies {
		b := &bodies[i]
		kc := w.kecs[b.kec]
		r.at(seed, streamBodies, uint64(i))
		b.id = fmt.Sprintf("%s-BKAD-%s-%d", idPrefix, kc.code, b.seq)
		b.name = synthName("BKAD " + kc.name + romans[min(b.seq-1, len(romans)-1)])
		b.established = time.Date(2012+r.IntN(13), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		b.legalBasis = fmt.Sprintf("(SINTETIS) Peraturan Bersama Kepala Desa No. %d/%d", 1+r.IntN(12), b.established.Year())
		if r.chance(0.55) {
			b.joint = synthName("BUMDesa Bersama " + kc.name + " " + placeSuffixes[r.IntN(len(placeSuffixes))])
		}
		// Members: active desa join bodies more readily.
		n := kc.desaHi - kc.desaLo
		k := min(n, 2+r.IntN(4)+boolInt(r.chance(0.3))*r.IntN(7))
		b.members = b.members[:0]
		for len(b.members) < k {
			d := w.cum.pick(r, kc.desaLo, kc.desaHi)
			for try := 0; try < 20 && slices.Contains(b.members, d); try++ {
				d = w.cum.pick(r, kc.desaLo, kc.desaHi)
			}
			for c := kc.desaLo; slices.Contains(b.members, d) && c < kc.desaHi; c++ {
				d = c
			}
			b.members = append(b.members, d)
		}
		slices.Sort(b.members)
	}
	return bodies
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bodyActivity weighs bodies for inter-village agreements: about a third
// never sign one (inactive bodies), the others vary widely.
func bodyActivity(bodies []body, seed uint64) cumulative {
	r := newRNG(seed, streamBodies^0xb0d1)
	weights := make([]float64, len(bodies))
	for i := range bodies {
		if !r.chance(0.3) {
			weights[i] = r.logNormal(1, 1.0)
		}
	}
	if len(bodies) > 0 && newCumulative(weights).total(0, len(bodies)) == 0 {
		weights[0] = 1
	}
	return newCumulative(weights)
}

func (g *generator) writeBodies(bodies []body) error {
	f, err := g.create("register/bodies.csv", "body_id", "name", "region_code", "established_date", "legal_basis", "joint_enterprise", "member_villages")
	if err != nil {
		return err
	}
	var members strings.Builder
	for _, b := range bodies {
		f.str(b.id)
		f.str(b.name)
		f.dotted(g.w.kecs[b.kec].code)
		f.date(b.established)
		f.str(b.legalBasis)
		f.str(b.joint)
		members.Reset()
		for j, d := range b.members {
			if j > 0 {
				members.WriteByte(';')
			}
			members.Write(appendDotted(nil, g.w.villages[g.w.desa[d]].code))
		}
		f.str(members.String())
		f.end()
	}
	return f.close()
}
