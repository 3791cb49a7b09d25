package cooperation

import "slices"

// derivable are the issues a register's parties reveal (RecordBuilder
// derives them); only these are compared
// with the declared ones.
var derivable = []Issue{IssueCrossKabupaten, IssueEnergyMineral}

// Classification is an agreement's declared and derived issues.
type Classification struct {
	Declared []Issue
	Derived  []Issue
}

// Effective is what counts for the agreement: declared and derived issues
// together, in Issues order.
func (c Classification) Effective() []Issue {
	var out []Issue
	for _, i := range Issues {
		if slices.Contains(c.Declared, i) || slices.Contains(c.Derived, i) {
			out = append(out, i)
		}
	}
	return out
}

// Disagreements lists the derivable issues that are declared but not
// derived, or derived but not declared.
func (c Classification) Disagreements() []Issue {
	var out []Issue
	for _, i := range derivable {
		if slices.Contains(c.Declared, i) != slices.Contains(c.Derived, i) {
			out = append(out, i)
		}
	}
	return out
}
