package cooperation

import (
	"slices"

	"github.com/sinergi-id/sinergi/internal/region"
)

// DeriveIssues classifies an agreement from its parties, for the two issues
// the parties reveal:
//   - CROSS_KABUPATEN when its villages and kabupaten governments lie in two
//     or more kabupaten/kota, or a party is another province;
//   - ENERGY_MINERAL when a party works in coal, oil and gas, minerals or
//     energy.
//
// The result is in Issues order.
func DeriveIssues(parties []Party) []Issue {
	kabupaten := map[region.Code]bool{}
	var cross, energy bool
	for _, p := range parties {
		switch p.Type {
		case PartyDesa, PartyDesaPersiapan, PartyKabupatenGov:
			if k := p.Region.Ancestor(region.LevelKabupatenKota); k != "" {
				kabupaten[k] = true
			}
		case PartyOtherProvince:
			cross = true
		}
		if p.Sector.IsEnergyMineral() {
			energy = true
		}
	}
	if len(kabupaten) > 1 {
		cross = true
	}
	var out []Issue
	if cross {
		out = append(out, IssueCrossKabupaten)
	}
	if energy {
		out = append(out, IssueEnergyMineral)
	}
	return out
}

// derivable are the issues DeriveIssues can tell; only these are compared
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
