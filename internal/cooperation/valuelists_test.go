package cooperation

import (
	"slices"
	"testing"
)

// Lists filled interleaved, in runs and one after another keep exactly
// their own values, in order.
func TestValueListsKeepEachListApart(t *testing.T) {
	var v ValueLists
	lists := make([]ValueList, 5)
	want := make([][]uint64, 5)
	push := func(i int, x uint64) {
		v.Push(&lists[i], x)
		want[i] = append(want[i], x)
	}
	x := uint64(0)
	for round := range 40 {
		for i := range lists {
			for range 1 + (round*i)%7 { // runs of different lengths
				x++
				push(i, x)
			}
		}
	}
	for i := range lists {
		if got := v.Values(&lists[i]); !slices.Equal(got, want[i]) || lists[i].Len() != len(want[i]) {
			t.Fatalf("list %d: %d values, want %d (%v…)", i, lists[i].Len(), len(want[i]), got[:min(5, len(got))])
		}
	}
	v.Values(&lists[2])[0] = 999 // changed in place
	if v.Values(&lists[2])[0] != 999 || v.Values(&lists[1])[0] == 999 {
		t.Fatal("changing one list in place reached another")
	}
}
