package register

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The bodies table (BKAD): each body and its member villages.

func (p *registerParser) readBodies(r *registerTable) error {
	ids := newIDTracker()
	copies := map[string][]copyOf[cooperation.Body]{}
	err := p.read(r, ids.refuse, "body_id", func(row registerRow) error {
		b, ps := p.body(r, row)
		if len(ps) > 0 {
			p.refuse(r, row, ps)
			ids.refuse(b.ID, row.line)
			return nil
		}
		ids.see(b.ID)
		copies[b.ID] = append(copies[b.ID], newCopy(b, row))
		return nil
	})
	if err != nil {
		return err
	}
	label := r.cols.Label("body_id")
	p.batch.Bodies, _ = settle(p, r, ids.order, copies, ids.refused,
		func(id string) string { return fmt.Sprintf("%s %s", label, id) }, bodyFields)
	return nil
}

func (p *registerParser) body(r *registerTable, row registerRow) (cooperation.Body, problems) {
	get := func(name string) string { return r.text(row, name) }
	b := cooperation.Body{
		ID:              get("body_id"),
		Name:            get("name"),
		LegalBasis:      get("legal_basis"),
		JointEnterprise: get("joint_enterprise"),
	}
	var ps problems
	ps.required(r, row, "body_id", "name")
	ps.in(r.cols.Label("body_id"), templateExample(r.cols.Label("body_id"), b.ID))
	var reason string
	regionLabel := r.cols.Label("region_code")
	if get("region_code") == "" {
		ps.in(regionLabel, "empty "+regionLabel)
	} else {
		b.Region, _, reason = p.knownCode(regionLabel, get("region_code"))
		ps.in(regionLabel, reason)
	}
	b.EstablishedOn, reason = r.cell(row, "established_date").date()
	ps.in(r.cols.Label("established_date"), reason)
	b.Members, reason = p.members(r.cols.Label("member_villages"), get("member_villages"))
	ps.in(r.cols.Label("member_villages"), reason)
	return b, ps
}

// members reads a body's member villages: at least two known desa. Every
// member that is not is named.
func (p *registerParser) members(label, text string) ([]region.Code, string) {
	items := splitList(text, codeListSeparators)
	if len(items) == 0 {
		return nil, "empty " + label
	}
	var members []region.Code
	var malformed, notDesa []string
	for _, item := range items {
		code, err := region.ParseCode(item)
		if err != nil {
			malformed = append(malformed, fmt.Sprintf("%q", item))
			continue
		}
		if reason := p.desaProblem(code); reason != "" {
			notDesa = append(notDesa, reason)
			continue
		}
		if !slices.Contains(members, code) {
			members = append(members, code)
		}
	}
	var ps problems
	if len(malformed) > 0 {
		ps.add(fmt.Sprintf("%s: not region codes: %s", label, strings.Join(malformed, ", ")))
	}
	if len(notDesa) > 0 {
		ps.add(fmt.Sprintf("%s: %s", label, strings.Join(notDesa, "; ")))
	}
	if len(ps) == 0 && len(members) < 2 {
		ps.add(fmt.Sprintf("%s has %d desa; a body has at least two", label, len(members)))
	}
	return members, ps.String()
}

func bodyFields(b cooperation.Body) []namedValue {
	members := make([]string, len(b.Members))
	for i, m := range b.Members {
		members[i] = m.Dotted()
	}
	sort.Strings(members) // the order of members means nothing
	return []namedValue{
		{"name", b.Name},
		{"region_code", b.Region.Dotted()},
		{"established_date", dateText(b.EstablishedOn)},
		{"legal_basis", b.LegalBasis},
		{"joint_enterprise", b.JointEnterprise},
		{"member_villages", strings.Join(members, ";")},
	}
}
