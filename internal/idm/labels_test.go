package idm

import "testing"

func TestStatusLabels(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Statuses {
		l := StatusLabels[s]
		if l.ID == "" || l.EN == "" || seen[l.ID] || seen[l.EN] {
			t.Errorf("%s: label %+v missing or shared", s, l)
		}
		seen[l.ID], seen[l.EN] = true, true
		// The Indonesian name is how Kemendesa's files write the status.
		if got, err := ParseStatus(l.ID); err != nil || got != s {
			t.Errorf("%s: %q reads as %v, %v", s, l.ID, got, err)
		}
	}
}
