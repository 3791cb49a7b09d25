package etl

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Validation of the register's rows (docs/register.md). Agreements are
// settled first, because parties and realisations may only refer to
// agreements that were accepted.

// registerParser gathers a register's tables into a batch.
type registerParser struct {
	known   RegionLookup
	batch   RegisterBatch
	rejects [registerTableCount][]Reject
	// accepted maps the agreement ids accepted to themselves, so that rows
	// referring to one share its string; named holds every id the
	// agreements table names (accepted or not).
	accepted map[string]string
	named    map[string]bool
	// sink, when set, takes the accepted realisations as they are read
	// (StreamRegister); otherwise they are gathered in the batch.
	sink RealisationSink
	// sinkErr is the sink's error that stopped the read: not a problem of
	// the register, so it is returned as it is.
	sinkErr error
	// Realisations repeat few values: a village is checked once per
	// spelling, a month once per text (see realisation).
	villages map[string]checkedCode
	months   map[string]checkedMonth
	// The last of each, since consecutive rows often repeat them.
	lastAgreement, lastAgreementOwn string
	lastVillage                     string
	lastVillageCheck                checkedCode
	lastMonth                       string
	lastMonthCheck                  checkedMonth
}

type checkedCode struct {
	code   region.Code
	reason string
}

type checkedMonth struct {
	month  time.Time
	reason string
}

// maxCached bounds each cache of checked values: beyond it (a file of
// endless distinct typing errors), values are checked every time.
const maxCached = 1 << 18

func parseRegisterTables(tables *registerTables, known RegionLookup) (RegisterBatch, error) {
	return parseRegisterTablesTo(tables, known, nil)
}

func parseRegisterTablesTo(tables *registerTables, known RegionLookup, sink RealisationSink) (RegisterBatch, error) {
	p := &registerParser{known: known, accepted: map[string]string{}, named: map[string]bool{}, sink: sink,
		villages: map[string]checkedCode{}, months: map[string]checkedMonth{}}
	steps := [registerTableCount]func(*registerTable) error{
		tableAgreements:   p.readAgreements,
		tableParties:      p.readParties,
		tableBodies:       p.readBodies,
		tableRealisations: p.readRealisations,
	}
	for id, step := range steps {
		r := tables.byID[id]
		if r == nil {
			continue
		}
		if err := step(r); err != nil {
			if p.sinkErr != nil {
				return RegisterBatch{}, p.sinkErr
			}
			return RegisterBatch{}, fmt.Errorf("register parse: %w", err)
		}
	}
	for _, rejects := range p.rejects {
		sortRejects(rejects)
		p.batch.Rejects = append(p.batch.Rejects, rejects...)
	}
	return p.batch, nil
}

// read runs each over the table's rows whose shape is right and refuses the
// others. refusedID, if not nil, learns the id (its column's text) of each
// refused row, which may still be readable. An error from each stops the
// read.
func (p *registerParser) read(r *registerTable, refusedID func(id string, line int), idColumn string, each func(registerRow) error) error {
	return r.rows(&p.batch.RowsRead, func(row registerRow, shapeProblem string) error {
		if shapeProblem == "" {
			return each(row)
		}
		p.reject(r, row, shapeProblem)
		if refusedID != nil {
			if id := r.text(row, idColumn); id != "" {
				refusedID(id, row.line)
			}
		}
		return nil
	})
}

func (p *registerParser) reject(r *registerTable, row registerRow, reason string) {
	p.rejects[r.id] = append(p.rejects[r.id], r.reject(row, reason))
}

// problems collects what is wrong with one row, so that a row is fixed in
// one round.
type problems []string

func (ps *problems) add(reason string) {
	if reason != "" {
		*ps = append(*ps, reason)
	}
}

func (ps problems) String() string { return strings.Join(ps, "; ") }

// required notes each named column that is empty in row.
func (ps *problems) required(r *registerTable, row registerRow, names ...string) {
	for _, name := range names {
		if r.text(row, name) == "" {
			ps.add("empty " + r.cols.Label(name))
		}
	}
}

// enumReason words an enumeration parser's error with the accepted values.
func enumReason[T ~string](label string, err error, values []T) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	return fmt.Sprintf("%s: %v (accepted: %s, or their Indonesian names)", label, err, strings.Join(names, ", "))
}

// parseEnum reads a required enumerated value.
func parseEnum[T ~string](ps *problems, label, text string, parse func(string) (T, error), values []T) T {
	if text == "" {
		ps.add("empty " + label)
		return ""
	}
	v, err := parse(text)
	if err != nil {
		ps.add(enumReason(label, err, values))
	}
	return v
}

// parseEnumList reads a list of enumerated values; duplicates collapse and
// the values come in the order of values, since a list's order means nothing.
func parseEnumList[T ~string](ps *problems, label, text string, parse func(string) (T, error), values []T) []T {
	seen := map[T]bool{}
	for _, item := range splitList(text, codeListSeparators) {
		v, err := parse(item)
		if err != nil {
			ps.add(enumReason(label, err, values))
			continue
		}
		seen[v] = true
	}
	var out []T
	for _, v := range values {
		if seen[v] {
			out = append(out, v)
		}
	}
	return out
}

// idTracker follows the ids of a table whose rows carry one: the order in
// which ids first appear and the lines of refused rows per id.
type idTracker struct {
	order   []string
	seen    map[string]bool
	refused map[string][]int
}

func newIDTracker() *idTracker {
	return &idTracker{seen: map[string]bool{}, refused: map[string][]int{}}
}

func (t *idTracker) see(id string) {
	if id != "" && !t.seen[id] {
		t.seen[id] = true
		t.order = append(t.order, id)
	}
}

func (t *idTracker) refuse(id string, line int) {
	if id != "" {
		t.see(id)
		t.refused[id] = append(t.refused[id], line)
	}
}

// copyOf is one accepted row of a table whose rows have an identity (an
// agreement id, a body id, a realisation's agreement, village and month),
// held until the table is read. Of its row only what a reject needs is kept:
// a register's realisations may be many.
type copyOf[T any] struct {
	v   T
	row registerRow
}

func newCopy[T any](v T, row registerRow) copyOf[T] {
	return copyOf[T]{v: v, row: registerRow{line: row.line, raw: row.raw}}
}

// settle keeps one of identical copies; copies that disagree are all
// refused, since nothing tells which one is right, and so are the copies of
// an identity that also has a refused row. what names the identity in
// reasons; fields describes a row for comparison.
func settle[K comparable, T any](p *registerParser, r *registerTable, order []K, copies map[K][]copyOf[T], refused map[K][]int,
	what func(K) string, fields func(T) []namedValue) (kept []T, keptKeys []K) {
	for _, k := range order {
		cs := copies[k]
		if len(cs) == 0 {
			continue
		}
		lines := make([]int, 0, len(cs)+len(refused[k]))
		for _, c := range cs {
			lines = append(lines, c.row.line)
		}
		var reason string
		if bad := refused[k]; len(bad) > 0 {
			lines = append(lines, bad...)
			sort.Ints(lines)
			verb := "was"
			if len(bad) > 1 {
				verb = "were"
			}
			reason = fmt.Sprintf("%s appears on lines %s and line %s %s rejected: which copy is right is unknown, so none is loaded",
				what(k), lineList(lines), lineList(bad), verb)
		} else if len(cs) > 1 {
			values := make([][]namedValue, len(cs))
			for i, c := range cs {
				values[i] = fields(c.v)
			}
			if diff := differences(values); diff != "" {
				reason = fmt.Sprintf("%s appears on lines %s with different values (%s)", what(k), lineList(lines), diff)
			}
		}
		if reason != "" {
			for _, c := range cs {
				p.reject(r, c.row, reason)
			}
			continue
		}
		kept = append(kept, cs[0].v)
		keptKeys = append(keptKeys, k)
	}
	return kept, keptKeys
}

// namedValue is one field of a row, written for comparing copies.
type namedValue struct{ name, value string }

// differences names the fields on which copies differ, "" when they agree.
func differences(copies [][]namedValue) string {
	var diffs []string
	for i, f := range copies[0] {
		var values []string
		for _, c := range copies {
			if v := fmt.Sprintf("%q", c[i].value); !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
		if len(values) > 1 {
			diffs = append(diffs, f.name+" "+strings.Join(values, " vs "))
		}
	}
	return strings.Join(diffs, "; ")
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ";")
}

// --- agreements

func (p *registerParser) readAgreements(r *registerTable) error {
	ids := newIDTracker()
	copies := map[string][]copyOf[cooperation.Agreement]{}
	err := p.read(r, ids.refuse, "agreement_id", func(row registerRow) error {
		a, ps := p.agreement(r, row)
		if len(ps) > 0 {
			p.reject(r, row, ps.String())
			ids.refuse(a.ID, row.line)
			return nil
		}
		ids.see(a.ID)
		copies[a.ID] = append(copies[a.ID], newCopy(a, row))
		return nil
	})
	if err != nil {
		return err
	}
	label := r.cols.Label("agreement_id")
	kept, _ := settle(p, r, ids.order, copies, ids.refused,
		func(id string) string { return fmt.Sprintf("%s %s", label, id) }, agreementFields)
	p.batch.Agreements = kept
	for _, id := range ids.order {
		p.named[id] = true
	}
	for _, a := range kept {
		p.accepted[a.ID] = a.ID
	}
	return nil
}

// agreement validates one row; the agreement carries its id even when the
// row is refused.
func (p *registerParser) agreement(r *registerTable, row registerRow) (cooperation.Agreement, problems) {
	get := func(name string) string { return r.text(row, name) }
	a := cooperation.Agreement{
		ID:              get("agreement_id"),
		DocumentNumbers: splitList(get("document_numbers"), listSeparators),
		Title:           get("title"),
		SignedPlace:     get("signed_place"),
		FundingSource:   get("funding_source"),
		SourceReference: get("source_reference"),
	}
	var ps problems
	ps.required(r, row, "agreement_id", "title")
	a.DocumentType = parseEnum(&ps, r.cols.Label("document_type"), get("document_type"), cooperation.ParseDocumentType, cooperation.DocumentTypes)
	a.Status = parseEnum(&ps, r.cols.Label("status"), get("status"), cooperation.ParseStatus, cooperation.Statuses)
	var reason string
	a.SignedOn, reason = r.cell(row, "signed_date").date()
	ps.add(reason)
	a.StartsOn, reason = r.cell(row, "start_date").date()
	ps.add(reason)
	a.EndsOn, reason = r.cell(row, "end_date").date()
	ps.add(reason)
	ps.add(periodProblem(r, a))
	a.DeclaredIssues = parseEnumList(&ps, r.cols.Label("issues"), get("issues"), cooperation.ParseIssue, cooperation.Issues)
	a.Fields = parseEnumList(&ps, r.cols.Label("fields"), get("fields"), cooperation.ParseField, cooperation.Fields)
	a.CommittedValue, reason = r.cell(row, "committed_value").rupiah()
	ps.add(reason)
	return a, ps
}

// periodProblem refuses an end before the start (or, without a start,
// before the signing, which then counts as the start).
func periodProblem(r *registerTable, a cooperation.Agreement) string {
	start, startLabel := a.StartsOn, r.cols.Label("start_date")
	if start.IsZero() {
		start, startLabel = a.SignedOn, r.cols.Label("signed_date")
	}
	if a.EndsOn.IsZero() || start.IsZero() || !a.EndsOn.Before(start) {
		return ""
	}
	return fmt.Sprintf("%s %s is before %s %s", r.cols.Label("end_date"), dateText(a.EndsOn), startLabel, dateText(start))
}

func agreementFields(a cooperation.Agreement) []namedValue {
	value := ""
	if a.CommittedValue != nil {
		value = a.CommittedValue.String()
	}
	return []namedValue{
		{"document_numbers", strings.Join(a.DocumentNumbers, ";")},
		{"title", a.Title},
		{"document_type", string(a.DocumentType)},
		{"signed_date", dateText(a.SignedOn)},
		{"signed_place", a.SignedPlace},
		{"start_date", dateText(a.StartsOn)},
		{"end_date", dateText(a.EndsOn)},
		{"status", string(a.Status)},
		{"issues", joinValues(a.DeclaredIssues)},
		{"fields", joinValues(a.Fields)},
		{"committed_value", value},
		{"funding_source", a.FundingSource},
		{"source_reference", a.SourceReference},
	}
}

// agreementRef checks that a party or realisation refers to an accepted
// agreement.
func (p *registerParser) agreementRef(r *registerTable, row registerRow) (string, string) {
	return p.agreementID(r, r.text(row, "agreement_id"))
}

// agreementID checks id, the agreement_id of a row of r; an accepted id
// comes back as the agreement's own string.
func (p *registerParser) agreementID(r *registerTable, id string) (string, string) {
	if own, ok := p.accepted[id]; ok {
		return own, ""
	}
	switch {
	case id == "":
		return "", "empty " + r.cols.Label("agreement_id")
	case p.named[id]:
		return id, fmt.Sprintf("agreement %s was rejected", id)
	}
	return id, fmt.Sprintf("agreement %s is not in the register", id)
}

// --- parties

func (p *registerParser) readParties(r *registerTable) error {
	seen := map[cooperation.Party]bool{}
	return p.read(r, nil, "", func(row registerRow) error {
		party, ps := p.party(r, row)
		if len(ps) > 0 {
			p.reject(r, row, ps.String())
			return nil
		}
		if seen[party] {
			return nil // an exact copy of a party already taken
		}
		seen[party] = true
		p.batch.Parties = append(p.batch.Parties, party)
		return nil
	})
}

func (p *registerParser) party(r *registerTable, row registerRow) (cooperation.Party, problems) {
	get := func(name string) string { return r.text(row, name) }
	var ps problems
	var reason string
	party := cooperation.Party{Name: get("name"), Role: get("role"), BodyID: get("body_id")}
	party.AgreementID, reason = p.agreementRef(r, row)
	ps.add(reason)
	party.Type = parseEnum(&ps, r.cols.Label("party_type"), get("party_type"), cooperation.ParsePartyType, cooperation.PartyTypes)
	ps.required(r, row, "name")
	party.Region, reason = p.partyRegion(party.Type, r.cols.Label("region_code"), get("region_code"))
	ps.add(reason)
	var err error
	if party.Sector, err = cooperation.ParseSector(get("sector")); err != nil {
		ps.add(enumReason(r.cols.Label("sector"), err, cooperation.Sectors))
	}
	return party, ps
}

// partyRegion checks a party's region code against what its type needs.
func (p *registerParser) partyRegion(t cooperation.PartyType, label, text string) (region.Code, string) {
	switch t {
	case cooperation.PartyDesa:
		if text == "" {
			return "", fmt.Sprintf("empty %s: a DESA party needs the code of its desa", label)
		}
		return p.desaCode(label, text)
	case cooperation.PartyDesaPersiapan:
		return p.persiapanRegion(label, text)
	case cooperation.PartyOtherProvince:
		if text == "" {
			return "", ""
		}
		code, reason := parseCodeField(label, text)
		if reason != "" || code.Level() == region.LevelProvinsi {
			return code, reason // any province: the register may hold only its own
		}
	}
	if text == "" {
		return "", ""
	}
	code, _, reason := p.knownCode(label, text)
	return code, reason
}

// persiapanRegion checks the region of a desa persiapan: a village being
// created has no code yet, so it is kept under the kecamatan or kabupaten it
// is created in.
func (p *registerParser) persiapanRegion(label, text string) (region.Code, string) {
	if text == "" {
		return "", fmt.Sprintf("empty %s: a DESA_PERSIAPAN party needs the kecamatan or kabupaten/kota it is created in", label)
	}
	code, reg, reason := p.knownCode(label, text)
	switch {
	case reason != "":
		return "", reason
	case reg.Level == region.LevelKecamatan || reg.Level == region.LevelKabupatenKota:
		return code, ""
	case reg.Level == region.LevelDesaKelurahan:
		return "", fmt.Sprintf("%s %s is a village code (%s), but a desa persiapan has no code yet: give the kecamatan or kabupaten/kota it is created in", label, code.Dotted(), reg.Name)
	}
	return "", fmt.Sprintf("%s %s is a %s, but a desa persiapan is kept under the kecamatan or kabupaten/kota it is created in", label, code.Dotted(), reg.Level)
}

// knownCode reads a region code that the region register must know.
func (p *registerParser) knownCode(label, text string) (region.Code, region.Region, string) {
	code, reason := parseCodeField(label, text)
	if reason != "" {
		return "", region.Region{}, reason
	}
	reg, ok := p.known.Region(code)
	if !ok {
		return "", region.Region{}, fmt.Sprintf("%s %s is not in the region register", label, code.Dotted())
	}
	return code, reg, ""
}

// desaCode reads the code of a known desa (or desa adat): a kelurahan is
// urban and not a desa.
func (p *registerParser) desaCode(label, text string) (region.Code, string) {
	code, reason := parseCodeField(label, text)
	if reason != "" {
		return "", reason
	}
	if reason := p.desaProblem(code); reason != "" {
		return "", label + " " + reason
	}
	return code, ""
}

// desaProblem says why code is not a known desa, or "".
func (p *registerParser) desaProblem(code region.Code) string {
	if code.Level() != region.LevelDesaKelurahan {
		return fmt.Sprintf("%s is a %s code, not a desa code", code.Dotted(), code.Level())
	}
	reg, ok := p.known.Region(code)
	switch {
	case !ok:
		return fmt.Sprintf("%s is not in the region register", code.Dotted())
	case reg.Kind == region.KindKelurahan:
		return fmt.Sprintf("%s (%s) is a kelurahan, not a desa", code.Dotted(), reg.Name)
	case reg.Level != region.LevelDesaKelurahan || !reg.Kind.IsDesa():
		return fmt.Sprintf("%s (%s) is a %s in the region register, not a desa", code.Dotted(), reg.Name, reg.Kind)
	}
	return ""
}

// --- bodies

func (p *registerParser) readBodies(r *registerTable) error {
	ids := newIDTracker()
	copies := map[string][]copyOf[cooperation.Body]{}
	err := p.read(r, ids.refuse, "body_id", func(row registerRow) error {
		b, ps := p.body(r, row)
		if len(ps) > 0 {
			p.reject(r, row, ps.String())
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
	var reason string
	if get("region_code") == "" {
		ps.add("empty " + r.cols.Label("region_code"))
	} else {
		b.Region, _, reason = p.knownCode(r.cols.Label("region_code"), get("region_code"))
		ps.add(reason)
	}
	b.EstablishedOn, reason = r.cell(row, "established_date").date()
	ps.add(reason)
	b.Members, reason = p.members(r.cols.Label("member_villages"), get("member_villages"))
	ps.add(reason)
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

// --- realisations

// realisationKey is what a realisation is of: one agreement, one village
// (or none), one month.
type realisationKey struct {
	agreement string
	village   region.Code
	month     time.Time
}

func (p *registerParser) readRealisations(r *registerTable) error {
	cols := newRealisationColumns(r)
	p.batch.RealisationsSource, p.batch.RealisationsSheet = r.t.Source(), r.sheet
	if p.sink != nil {
		var rl cooperation.Realisation
		return p.read(r, nil, "", func(row registerRow) error {
			var ps problems
			rl, ps = p.realisation(r, cols, row)
			if len(ps) > 0 {
				p.reject(r, row, ps.String())
				return nil
			}
			p.batch.RealisationRows++
			p.sinkErr = p.sink(&rl, row.line)
			return p.sinkErr
		})
	}
	var order []realisationKey
	copies := map[realisationKey][]copyOf[cooperation.Realisation]{}
	err := p.read(r, nil, "", func(row registerRow) error {
		rl, ps := p.realisation(r, cols, row)
		if len(ps) > 0 {
			p.reject(r, row, ps.String())
			return nil
		}
		k := realisationKey{rl.AgreementID, rl.Village, rl.Month}
		if _, seen := copies[k]; !seen {
			order = append(order, k)
		}
		copies[k] = append(copies[k], newCopy(rl, row))
		return nil
	})
	if err != nil {
		return err
	}
	p.batch.Realisations, _ = settle(p, r, order, copies, nil, realisationWhat, realisationFields)
	return nil
}

// realisationWhat names a realisation in the reasons that refuse its
// copies.
func realisationWhat(k realisationKey) string {
	village := "no village"
	if k.village != "" {
		village = k.village.Dotted()
	}
	return fmt.Sprintf("the realisation of agreement %s for %s in %s (one row per agreement, village and month)",
		k.agreement, village, k.month.Format("2006-01"))
}

// realisationCopyRejects words the rejects of realisation copies that
// disagree, found after the rows were streamed: copies holds every copy of
// each such realisation, grouped, each group ordered by line (as
// SettleRealisationCopies returns them); records the text of their lines.
// The reasons are those ParseRegister gives.
func realisationCopyRejects(source, sheet string, copies []cooperation.RealisationCopy, records map[int]string) []Reject {
	var out []Reject
	for start := 0; start < len(copies); {
		k := realisationKey{copies[start].AgreementID, copies[start].Village, copies[start].Month}
		end := start + 1
		for end < len(copies) && (realisationKey{copies[end].AgreementID, copies[end].Village, copies[end].Month}) == k {
			end++
		}
		group := copies[start:end]
		lines := make([]int, len(group))
		values := make([][]namedValue, len(group))
		for i, c := range group {
			lines[i], values[i] = c.Line, realisationFields(c.Realisation)
		}
		reason := fmt.Sprintf("%s appears on lines %s with different values (%s)", realisationWhat(k), lineList(lines), differences(values))
		for _, c := range group {
			out = append(out, Reject{Source: source, Sheet: sheet, Line: c.Line, Reason: reason, Record: records[c.Line]})
		}
		start = end
	}
	sortRejects(out)
	return out
}

// realisationColumns are the realisations table's columns, located once
// for its many rows.
type realisationColumns struct {
	agreement, village, month, value, beneficiaries, outputs int // -1: absent

	villageLabel, monthLabel, valueLabel, beneficiariesLabel string
}

func newRealisationColumns(r *registerTable) realisationColumns {
	return realisationColumns{
		agreement: r.cols.Index("agreement_id"), village: r.cols.Index("village_code"), month: r.cols.Index("month"),
		value: r.cols.Index("value"), beneficiaries: r.cols.Index("beneficiaries"), outputs: r.cols.Index("outputs"),
		villageLabel: r.cols.Label("village_code"), monthLabel: r.cols.Label("month"), valueLabel: r.cols.Label("value"),
		beneficiariesLabel: r.cols.Label("beneficiaries"),
	}
}

// realisation validates one row. It runs for every row of a national
// register, so the values it sees over and over (village codes, months) are
// checked once each and remembered, and a plain amount is read without
// the general parser.
func (p *registerParser) realisation(r *registerTable, c realisationColumns, row registerRow) (cooperation.Realisation, problems) {
	var ps problems
	var reason string
	rl := cooperation.Realisation{Outputs: row.field(c.outputs)}
	if id := row.field(c.agreement); id != "" && id == p.lastAgreement {
		rl.AgreementID = p.lastAgreementOwn
	} else {
		rl.AgreementID, reason = p.agreementID(r, id)
		ps.add(reason)
		if reason == "" {
			p.lastAgreement, p.lastAgreementOwn = rl.AgreementID, rl.AgreementID
		}
	}
	if v := row.field(c.village); v != "" {
		rl.Village, reason = p.realisationVillage(c.villageLabel, v)
		ps.add(reason)
	}
	rl.Month, reason = p.realisationMonth(r.cellAt(row, c.month, c.monthLabel))
	ps.add(reason)
	if value := r.cellAt(row, c.value, c.valueLabel); value.text == "" {
		ps.add("empty " + value.label)
	} else if v, reason := value.rupiahValue(); reason != "" {
		ps.add(reason)
	} else {
		rl.Value = v
	}
	rl.Beneficiaries, reason = r.cellAt(row, c.beneficiaries, c.beneficiariesLabel).count()
	ps.add(reason)
	return rl, ps
}

// realisationVillage is desaCode, remembered per spelling.
func (p *registerParser) realisationVillage(label, text string) (region.Code, string) {
	if text == p.lastVillage {
		return p.lastVillageCheck.code, p.lastVillageCheck.reason
	}
	if c, ok := p.villages[text]; ok {
		p.lastVillage, p.lastVillageCheck = text, c
		return c.code, c.reason
	}
	code, reason := p.desaCode(label, text)
	if len(p.villages) < maxCached {
		// Copies, so that the cache does not hold on to the row.
		code, text = region.Code(strings.Clone(string(code))), strings.Clone(text)
		p.villages[text] = checkedCode{code, reason}
		p.lastVillage, p.lastVillageCheck = text, checkedCode{code, reason}
	}
	return code, reason
}

// realisationMonth is the cell's month, remembered per text (a CSV cell is
// all text; an XLSX cell may store a date serial instead).
func (p *registerParser) realisationMonth(cell registerCell) (time.Time, string) {
	if cell.xlsx {
		return cell.month()
	}
	if cell.text == p.lastMonth && cell.text != "" {
		return p.lastMonthCheck.month, p.lastMonthCheck.reason
	}
	if m, ok := p.months[cell.text]; ok {
		p.lastMonth, p.lastMonthCheck = cell.text, m
		return m.month, m.reason
	}
	m, reason := cell.month()
	if len(p.months) < maxCached {
		p.months[strings.Clone(cell.text)] = checkedMonth{m, reason}
	}
	return m, reason
}

func realisationFields(rl cooperation.Realisation) []namedValue {
	return []namedValue{
		{"value", rl.Value.String()},
		{"beneficiaries", fmt.Sprint(rl.Beneficiaries)},
		{"outputs", rl.Outputs},
	}
}
