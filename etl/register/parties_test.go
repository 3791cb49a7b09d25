package register

import (
	"math/rand/v2"
	"testing"
)

// TestPartySums adds hashes to agreements in an order that interleaves
// them (so that stretches move in the slab) and grows some past the
// listed ones, and checks every answer against a set.
func TestPartySums(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const agreements = 50
	var ps partySums
	want := map[[2]uint64]bool{}
	for i := range 20000 {
		n := rng.IntN(agreements)
		if i%3 == 0 {
			n = i / 300 % agreements // runs of one agreement, as parties usually come
		}
		sum := rng.Uint64N(uint64(10 + n*3)) // agreements with many parties, and repeats
		k := [2]uint64{uint64(n), sum}
		if got := ps.add(n, sum, agreements); got != !want[k] {
			t.Fatalf("add #%d (%d, %d) = %v, want %v", i, n, sum, got, !want[k])
		}
		want[k] = true
	}
	if len(ps.big) == 0 {
		t.Error("no agreement grew past the listed sums")
	}
}
