package synth

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Streams separate the random sequences of the generator's parts, so that a
// change in one part does not shift the others.
const (
	streamRegions uint64 = 0x5245_4749_4f4e_5301 + iota
	streamWeights
	streamIDM
	streamPartners
	streamBodies
	streamAgreements
	streamLocal
)

// rng is a reseedable random source: one per part, reseeded per item
// (village, agreement) so that every item's draws depend only on the seed
// and the item's index.
type rng struct {
	pcg *rand.PCG
	*rand.Rand
}

func newRNG(seed, stream uint64) *rng {
	pcg := rand.NewPCG(seed, stream)
	return &rng{pcg: pcg, Rand: rand.New(pcg)}
}

// at reseeds for item i of stream.
func (r *rng) at(seed, stream, i uint64) *rng {
	r.pcg.Seed(seed^stream, mix(i+1, stream))
	return r
}

// mix is SplitMix64's finaliser: spreads nearby indexes over the seed space.
func mix(x, salt uint64) uint64 {
	x += salt * 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *rng) chance(p float64) bool { return r.Float64() < p }

// normal draws N(mean, sd).
func (r *rng) normal(mean, sd float64) float64 { return mean + sd*r.NormFloat64() }

// logNormal draws exp(N(ln median, sigma)).
func (r *rng) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// between draws an integer in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// weighted picks an index by weights (not cumulative).
func (r *rng) weighted(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := r.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// cumulative holds running sums of weights for sampling by binary search;
// a range of it samples a contiguous part of the items.
type cumulative []float64

func newCumulative(weights []float64) cumulative {
	c := make(cumulative, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += w
		c[i] = sum
	}
	return c
}

// zipfCumulative weights rank k (1-based) by k^-s.
func zipfCumulative(n int, s float64) cumulative {
	w := make([]float64, n)
	for k := range w {
		w[k] = math.Pow(float64(k+1), -s)
	}
	return newCumulative(w)
}

// total is the sum of the weights in [lo, hi).
func (c cumulative) total(lo, hi int) float64 {
	if hi <= lo {
		return 0
	}
	base := 0.0
	if lo > 0 {
		base = c[lo-1]
	}
	return c[hi-1] - base
}

// pick samples an index in [lo, hi) by weight; -1 when the range weighs
// nothing.
func (c cumulative) pick(r *rng, lo, hi int) int {
	base := 0.0
	if lo > 0 {
		base = c[lo-1]
	}
	t := c[hi-1] - base
	if hi <= lo || t <= 0 {
		return -1
	}
	u := base + r.Float64()*t
	i := lo + sort.Search(hi-lo, func(i int) bool { return c[lo+i] > u })
	if i >= hi {
		i = hi - 1
	}
	return i
}

// allocate splits total into len(weights) integers in [min, max]
// proportional to the weights (largest remainder), summing to total when
// the bounds allow it.
func allocate(total int, weights []float64, min, max int) []int {
	n := len(weights)
	out := make([]int, n)
	for i := range out {
		out[i] = min
	}
	left := total - min*n
	for left > 0 {
		sum := 0.0
		for i, w := range weights {
			if out[i] < max {
				sum += w
			}
		}
		if sum == 0 {
			break
		}
		type rem struct {
			i int
			f float64
		}
		var rems []rem
		given := 0
		for i, w := range weights {
			if out[i] >= max {
				continue
			}
			share := float64(left) * w / sum
			add := int(share)
			if out[i]+add > max {
				add = max - out[i]
			}
			out[i] += add
			given += add
			rems = append(rems, rem{i, share - float64(int(share))})
		}
		left -= given
		sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
		for _, rm := range rems {
			if left == 0 {
				break
			}
			if out[rm.i] < max {
				out[rm.i]++
				left--
			}
		}
		if given == 0 && len(rems) == 0 {
			break
		}
	}
	return out
}
