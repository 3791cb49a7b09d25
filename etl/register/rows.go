package register

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Validation of the register's rows (docs/register.md). Agreements are
// settled first, because parties and realisations may only refer to
// agreements that were accepted.

// registerParser gathers a register's tables into a batch.
type registerParser struct {
	known   region.Lookup
	batch   Batch
	rejects [registerTableCount][]tabular.Reject
	// agreements numbers the accepted agreements; rows that refer to one
	// share its id's string.
	agreements *agreementIndex
	// sink, when set, takes the accepted parties and realisations as they
	// are read (Stream); otherwise they are gathered in the batch.
	sink *Sink
	// sinkErr is the sink's error that stopped the read: not a problem of
	// the register, so it is returned as it is.
	sinkErr error
	// partySums leave out exact copies of a party (see firstParty).
	partySums partySums
	sumBuf    []byte
	// The parties' enumerations and region codes, checked once per text.
	partyTypes   *remembered[cooperation.PartyType]
	sectors      *remembered[cooperation.Sector]
	partyRegions map[partyRegionKey]checkedCode
	// Realisations repeat few values: a village is checked once per
	// spelling, a month once per text (see realisation), and the rows of
	// one agreement cycle through a few of each, looked at first.
	villages       map[string]checkedText[checkedCode]
	months         map[string]checkedText[checkedMonth]
	recentVillages recent[checkedCode]
	recentMonths   recent[checkedMonth]
	// The last agreement, since consecutive rows often name one.
	lastAgreement, lastAgreementOwn string
	lastAgreementNumber             int
}

type checkedCode struct {
	code   region.Code
	reason string
}

type checkedMonth struct {
	month  time.Time
	reason string
}

// checkedText is a value checked, with its text (a copy, not a view of a
// row).
type checkedText[T any] struct {
	text    string
	checked T
}

// recent holds the last few values checked, by text.
type recent[T any] struct {
	last [8]checkedText[T]
	next int
}

func (r *recent[T]) get(text string) (T, bool) {
	for i := range r.last {
		if c := &r.last[i]; c.text == text && c.text != "" {
			return c.checked, true
		}
	}
	var none T
	return none, false
}

func (r *recent[T]) put(c checkedText[T]) {
	r.last[r.next] = c
	r.next = (r.next + 1) % len(r.last)
}

// maxCached bounds each cache of checked values: beyond it (a file of
// endless distinct typing errors), values are checked every time.
const maxCached = 1 << 18

func parseRegisterTables(tables *registerTables, known region.Lookup) (Batch, error) {
	return parseRegisterTablesTo(tables, known, nil)
}

func parseRegisterTablesTo(tables *registerTables, known region.Lookup, sink *Sink) (Batch, error) {
	p := &registerParser{known: known, agreements: newAgreementIndex(), sink: sink,
		villages: map[string]checkedText[checkedCode]{}, months: map[string]checkedText[checkedMonth]{},
		partyTypes: remember(cooperation.ParsePartyType), sectors: remember(cooperation.ParseSector),
		partyRegions: map[partyRegionKey]checkedCode{}}
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
				return Batch{}, p.sinkErr
			}
			return Batch{}, fmt.Errorf("register parse: %w", err)
		}
	}
	for _, rejects := range p.rejects {
		tabular.SortRejects(rejects)
		p.batch.Rejects = append(p.batch.Rejects, rejects...)
	}
	p.batch.agreements = p.agreements
	if sink == nil {
		// The agreements were read without being held: read them again.
		p.batch.Agreements = make([]cooperation.Agreement, 0, p.batch.AgreementRows)
		err := p.batch.ReadAgreements(func(a *cooperation.Agreement, _ int) error {
			p.batch.Agreements = append(p.batch.Agreements, *a)
			return nil
		})
		if err != nil {
			return Batch{}, fmt.Errorf("register parse: %w", err)
		}
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
	if p.sink != nil && p.sink.Reject != nil {
		p.sink.Reject(r.reject(row, reason))
		return
	}
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

// remembered is a parser of cell texts that remembers its answers, for up
// to maxCached texts: a register repeats a few spellings of its
// enumerations and codes over millions of rows.
type remembered[T any] struct {
	parse func(string) (T, error)
	seen  map[string]answer[T]
}

type answer[T any] struct {
	v   T
	err error
}

func remember[T any](parse func(string) (T, error)) *remembered[T] {
	return &remembered[T]{parse: parse, seen: map[string]answer[T]{}}
}

func (m *remembered[T]) get(s string) (T, error) {
	if a, ok := m.seen[s]; ok {
		return a.v, a.err
	}
	v, err := m.parse(s)
	if len(m.seen) < maxCached {
		m.seen[strings.Clone(s)] = answer[T]{v, err}
	}
	return v, err
}

// enumList is what parseEnumList makes of one text.
type enumList[T ~string] struct {
	values  []T
	reasons problems
}

// rememberEnumList is parseEnumList, remembered per text; each answer is
// a copy.
func rememberEnumList[T ~string](label string, parse func(string) (T, error), values []T) func(ps *problems, text string) []T {
	m := remember(func(text string) (enumList[T], error) {
		var l enumList[T]
		l.values = parseEnumList(&l.reasons, label, text, parse, values)
		return l, nil
	})
	return func(ps *problems, text string) []T {
		l, _ := m.get(text)
		*ps = append(*ps, l.reasons...)
		return slices.Clone(l.values)
	}
}

// located is a column of a table, found once for its many rows.
type located struct {
	i     int // -1: absent
	label string
}

func (r *registerTable) locate(name string) located {
	return located{r.cols.Index(name), r.cols.Label(name)}
}

func (c located) text(row registerRow) string { return row.field(c.i) }

func (c located) cell(r *registerTable, row registerRow) registerCell {
	return r.cellAt(row, c.i, c.label)
}

// requiredAt notes each of the columns that is empty in row.
func (ps *problems) requiredAt(row registerRow, cols ...located) {
	for _, c := range cols {
		if c.text(row) == "" {
			ps.add("empty " + c.label)
		}
	}
}

// agreementReader validates the rows of an agreements table: its columns
// are located once, and the spellings of its enumerations remembered.
type agreementReader struct {
	r                                                                         *registerTable
	id, documentNumbers, title, documentType, signed, signedPlace, start, end located
	status, issues, fields, committed, funding, reference                     located

	documentTypes              *remembered[cooperation.DocumentType]
	statuses                   *remembered[cooperation.Status]
	issueLists                 func(ps *problems, text string) []cooperation.Issue
	fieldLists                 func(ps *problems, text string) []cooperation.Field
	signedOn, startsOn, endsOn *remembered[checkedDay]
}

type checkedDay struct {
	day    time.Time
	reason string
}

// rememberDates is registerCell.date for the text of a CSV cell of column
// c, remembered per text: dates repeat (a few thousand days).
func rememberDates(c located) *remembered[checkedDay] {
	return remember(func(text string) (checkedDay, error) {
		d, reason := registerCell{label: c.label, text: text}.date()
		return checkedDay{d, reason}, nil
	})
}

// date reads the date of column c, remembered in dates for a CSV file (an
// XLSX cell may store a serial instead of its text).
func (ar *agreementReader) date(c located, dates *remembered[checkedDay], row registerRow) (time.Time, string) {
	cell := c.cell(ar.r, row)
	if cell.xlsx {
		return cell.date()
	}
	d, _ := dates.get(cell.text)
	return d.day, d.reason
}

func newAgreementReader(r *registerTable) *agreementReader {
	return &agreementReader{
		r: r, id: r.locate("agreement_id"), documentNumbers: r.locate("document_numbers"), title: r.locate("title"),
		documentType: r.locate("document_type"), signed: r.locate("signed_date"), signedPlace: r.locate("signed_place"),
		start: r.locate("start_date"), end: r.locate("end_date"), status: r.locate("status"), issues: r.locate("issues"),
		fields: r.locate("fields"), committed: r.locate("committed_value"), funding: r.locate("funding_source"),
		reference: r.locate("source_reference"),

		documentTypes: remember(cooperation.ParseDocumentType),
		statuses:      remember(cooperation.ParseStatus),
		issueLists:    rememberEnumList(r.cols.Label("issues"), cooperation.ParseIssue, cooperation.Issues),
		fieldLists:    rememberEnumList(r.cols.Label("fields"), cooperation.ParseField, cooperation.Fields),
		signedOn:      rememberDates(r.locate("signed_date")),
		startsOn:      rememberDates(r.locate("start_date")),
		endsOn:        rememberDates(r.locate("end_date")),
	}
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
				what(k), tabular.LineList(lines), tabular.LineList(bad), verb)
		} else if len(cs) > 1 {
			values := make([][]namedValue, len(cs))
			for i, c := range cs {
				values[i] = fields(c.v)
			}
			if diff := differences(values); diff != "" {
				reason = fmt.Sprintf("%s appears on lines %s with different values (%s)", what(k), tabular.LineList(lines), diff)
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

// agreementIndex holds the agreements a register accepted without their
// rows, which a national register has hundreds of thousands of: each is
// numbered (in the order the register first names them, from 0) and
// remembered by its id and the line it was read from, so that it can be
// read again when its record is stored, after its parties and
// realisations. It also knows the ids the table names without accepting
// them. It holds almost no pointers, for the garbage collector's sake.
type agreementIndex struct {
	// all holds every id the table names, once: the accepted ones first,
	// by number, then the others; id i ends at ends[i]. Rows referring to
	// an accepted agreement share its string, a part of all.
	all      string
	ends     []uint32
	accepted int
	// slots find an id by its hash: 1 + its index, 0 for a free slot.
	slots []uint32
	lines []int32  // by number: the line each was read from (increasing)
	sums  []uint64 // by number: a hash of that line's text
	seed  maphash.Seed
	table tableAt // where they were read
}

func newAgreementIndex() *agreementIndex { return &agreementIndex{seed: maphash.MakeSeed()} }

// build indexes ids, the accepted first.
func (idx *agreementIndex) build(ids []string, accepted int) {
	size := 0
	for _, id := range ids {
		size += len(id)
	}
	var all strings.Builder
	all.Grow(size)
	idx.ends = make([]uint32, len(ids))
	for i, id := range ids {
		all.WriteString(id)
		idx.ends[i] = uint32(all.Len())
	}
	idx.all, idx.accepted = all.String(), accepted
	n := 1
	for n < 2*len(ids) {
		n *= 2
	}
	idx.slots = make([]uint32, n)
	for i := range ids {
		j := idx.slot(idx.id(i))
		idx.slots[j] = uint32(i + 1)
	}
}

func (idx *agreementIndex) id(i int) string {
	start := uint32(0)
	if i > 0 {
		start = idx.ends[i-1]
	}
	return idx.all[start:idx.ends[i]]
}

// slot is where id is, or the free slot where it would go.
func (idx *agreementIndex) slot(id string) int {
	mask := len(idx.slots) - 1
	j := int(maphash.String(idx.seed, id)) & mask
	for idx.slots[j] != 0 && idx.id(int(idx.slots[j]-1)) != id {
		j = (j + 1) & mask
	}
	return j
}

// find is the index of id, and whether the table names it.
func (idx *agreementIndex) find(id string) (int, bool) {
	if len(idx.slots) == 0 {
		return 0, false
	}
	i := idx.slots[idx.slot(id)]
	return int(i) - 1, i != 0
}

// number is the number of the accepted agreement id, false if there is
// none.
func (idx *agreementIndex) number(id string) (int, bool) {
	i, named := idx.find(id)
	return i, named && i < idx.accepted
}

func (idx *agreementIndex) sum(row registerRow) uint64 { return maphash.String(idx.seed, row.raw) }

// agreementSeen is what the first read of the agreements table keeps of one
// id.
type agreementSeen struct {
	id      string
	line    int    // of its first accepted row
	sum     uint64 // of that row's text
	copies  int    // accepted rows
	refused []int  // lines of refused rows
}

// readAgreements validates the agreements table and numbers the accepted
// agreements. An id on several rows is settled as settle says, from the
// rows of that id, which are read again (rare, and only those are held).
func (p *registerParser) readAgreements(r *registerTable) error {
	var seen []agreementSeen
	at := map[string]int32{}
	note := func(id string) *agreementSeen {
		i, ok := at[id]
		if !ok {
			id = strings.Clone(id) // id is a view of its row
			i = int32(len(seen))
			at[id] = i
			seen = append(seen, agreementSeen{id: id})
		}
		return &seen[i]
	}
	refuse := func(id string, line int) {
		if id != "" {
			s := note(id)
			s.refused = append(s.refused, line)
		}
	}
	agreements := newAgreementReader(r)
	err := p.read(r, refuse, "agreement_id", func(row registerRow) error {
		a, ps := agreements.agreement(row)
		if len(ps) > 0 {
			p.reject(r, row, ps.String())
			refuse(a.ID, row.line)
			return nil
		}
		s := note(a.ID)
		if s.copies == 0 {
			s.line, s.sum = row.line, p.agreements.sum(row)
		}
		s.copies++
		return nil
	})
	if err != nil {
		return err
	}
	var contested []string
	for _, s := range seen {
		if s.copies > 1 || (s.copies > 0 && len(s.refused) > 0) {
			contested = append(contested, s.id)
		}
	}
	dropped, err := p.settleAgreementCopies(r, contested, seen, at)
	if err != nil {
		return err
	}
	idx := p.agreements
	idx.table = r.at()
	ids := make([]string, 0, len(seen))
	for _, s := range seen {
		if s.copies > 0 && !dropped[s.id] {
			ids = append(ids, s.id)
			idx.lines = append(idx.lines, int32(s.line))
			idx.sums = append(idx.sums, s.sum)
		}
	}
	accepted := len(ids)
	for _, s := range seen {
		if s.copies == 0 || dropped[s.id] {
			ids = append(ids, s.id)
		}
	}
	idx.build(ids, accepted)
	p.batch.AgreementRows = accepted
	return nil
}

// settleAgreementCopies reads the rows of the contested ids (on several
// rows, or with a refused row) again and settles them; it returns the ids
// none of whose rows is kept.
func (p *registerParser) settleAgreementCopies(r *registerTable, contested []string, seen []agreementSeen, at map[string]int32) (map[string]bool, error) {
	if len(contested) == 0 {
		return nil, nil
	}
	again, err := r.at().open()
	if err != nil {
		return nil, err
	}
	defer again.closeAlone()
	copies := map[string][]copyOf[cooperation.Agreement]{}
	refused := map[string][]int{}
	for _, id := range contested {
		copies[id] = nil
		refused[id] = seen[at[id]].refused
	}
	read, agreements := 0, newAgreementReader(again)
	err = again.rows(&read, func(row registerRow, shapeProblem string) error {
		if shapeProblem != "" {
			return nil
		}
		if _, ok := copies[again.text(row, "agreement_id")]; !ok {
			return nil
		}
		if a, ps := agreements.agreement(row); len(ps) == 0 {
			copies[a.ID] = append(copies[a.ID], newCopy(a, row))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range contested {
		if len(copies[id]) != seen[at[id]].copies {
			return nil, errTableChanged(r, seen[at[id]].line)
		}
	}
	label := r.cols.Label("agreement_id")
	_, kept := settle(p, r, contested, copies, refused,
		func(id string) string { return fmt.Sprintf("%s %s", label, id) }, agreementFields)
	dropped := make(map[string]bool, len(contested))
	for _, id := range contested {
		dropped[id] = !slices.Contains(kept, id)
	}
	return dropped, nil
}

func errTableChanged(r *registerTable, line int) error {
	return fmt.Errorf("%s: the %s table changed while the register was being loaded (near line %d): load it again",
		r.where(), r.def().name, line)
}

// errEnough stops a read that has found what it wanted.
var errEnough = errors.New("enough rows read")

// read reads the accepted agreements again and gives each to each with its
// number, in order. The rows must be the ones first read.
func (idx *agreementIndex) read(each func(a *cooperation.Agreement, number int) error) error {
	if idx.accepted == 0 {
		return nil
	}
	r, err := idx.table.open()
	if err != nil {
		return err
	}
	defer r.closeAlone()
	next, read, agreements := 0, 0, newAgreementReader(r)
	err = r.rows(&read, func(row registerRow, shapeProblem string) error {
		line := int(idx.lines[next])
		if row.line < line {
			return nil
		}
		if row.line > line || shapeProblem != "" || idx.sum(row) != idx.sums[next] {
			return errTableChanged(r, line)
		}
		a, ps := agreements.agreement(row)
		if len(ps) > 0 || a.ID != idx.id(next) {
			return errTableChanged(r, line)
		}
		a.ID = idx.id(next) // not a view of the row
		if err := each(&a, next); err != nil {
			return err
		}
		if next++; next == idx.accepted {
			return errEnough
		}
		return nil
	})
	switch {
	case errors.Is(err, errEnough):
		return nil
	case err != nil:
		return err
	}
	return errTableChanged(r, int(idx.lines[next]))
}

// agreement validates one row; the agreement carries its id even when the
// row is refused.
func (ar *agreementReader) agreement(row registerRow) (cooperation.Agreement, problems) {
	r := ar.r
	a := cooperation.Agreement{
		ID:              ar.id.text(row),
		DocumentNumbers: splitList(ar.documentNumbers.text(row), listSeparators),
		Title:           ar.title.text(row),
		SignedPlace:     ar.signedPlace.text(row),
		FundingSource:   ar.funding.text(row),
		SourceReference: ar.reference.text(row),
	}
	var ps problems
	ps.requiredAt(row, ar.id, ar.title)
	ps.add(templateExample(ar.id.label, a.ID))
	a.DocumentType = parseEnum(&ps, ar.documentType.label, ar.documentType.text(row), ar.documentTypes.get, cooperation.DocumentTypes)
	a.Status = parseEnum(&ps, ar.status.label, ar.status.text(row), ar.statuses.get, cooperation.Statuses)
	var reason string
	a.SignedOn, reason = ar.date(ar.signed, ar.signedOn, row)
	ps.add(reason)
	a.StartsOn, reason = ar.date(ar.start, ar.startsOn, row)
	ps.add(reason)
	a.EndsOn, reason = ar.date(ar.end, ar.endsOn, row)
	ps.add(reason)
	ps.add(periodProblem(r, a))
	a.DeclaredIssues = ar.issueLists(&ps, ar.issues.text(row))
	a.Fields = ar.fieldLists(&ps, ar.fields.text(row))
	a.CommittedValue, reason = ar.committed.cell(r, row).rupiah()
	ps.add(reason)
	return a, ps
}

// templateExample refuses the rows of the template's fictional example
// (ids CONTOH-…, titled "hapus baris ini"): an office that forgot to delete
// them would load an ACTIVE agreement of Rp 150,000,000.
func templateExample(label, id string) string {
	const prefix = "CONTOH-"
	if len(id) < len(prefix) || !strings.EqualFold(id[:len(prefix)], prefix) {
		return ""
	}
	return fmt.Sprintf("%s %s is the template's fictional example (hapus baris ini): delete the example rows before sending the register", label, id)
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

// agreementRef is agreementID for consecutive rows, which often name one
// agreement.
func (p *registerParser) agreementRef(r *registerTable, id string) (string, int, string) {
	if id != "" && id == p.lastAgreement {
		return p.lastAgreementOwn, p.lastAgreementNumber, ""
	}
	own, n, reason := p.agreementID(r, id)
	if reason == "" {
		p.lastAgreement, p.lastAgreementOwn, p.lastAgreementNumber = own, own, n
	}
	return own, n, reason
}

// agreementID checks id, the agreement_id of a row of r; an accepted id
// comes back as the agreement's own string, with its number.
func (p *registerParser) agreementID(r *registerTable, id string) (string, int, string) {
	i, named := p.agreements.find(id)
	switch {
	case named && i < p.agreements.accepted:
		return p.agreements.id(i), i, ""
	case id == "":
		return "", -1, "empty " + r.cols.Label("agreement_id")
	case templateExample("", id) != "":
		return id, -1, templateExample(r.cols.Label("agreement_id"), id)
	case named:
		return id, -1, fmt.Sprintf("agreement %s was rejected", id)
	}
	return id, -1, fmt.Sprintf("agreement %s is not in the register", id)
}

// --- parties

// desaNameWarning says when a DESA party's name is not the name of the
// village its code designates: Kaltim has 30 desa names used twice, so a
// name with another village's code credits the wrong village. The row
// loads as written (the code decides; neither side is "fixed"); the
// warning is kept with the run. Case, spacing, punctuation, a leading
// "Desa"/"Kelurahan"/"Kampung" and one letter of spelling (the Kutai
// Barat names that IDM and the region list spell apart: Pepes/Pepas Asa)
// are tolerated.
func (p *registerParser) desaNameWarning(label string, party cooperation.Party) string {
	reg, ok := p.known.Region(party.Region)
	if !ok || reg.Name == "" || sameVillageName(party.Name, reg.Name) {
		return ""
	}
	return fmt.Sprintf("%s %q is not the name of desa %s (%s): loaded for %s; check the code", label, party.Name,
		party.Region.Dotted(), reg.Name, reg.Name)
}

// sameVillageName compares a village's name as written with its official
// name (see desaNameWarning).
func sameVillageName(written, official string) bool {
	a, b := villageNameKey(written), villageNameKey(official)
	if a == b {
		return true
	}
	// One letter of spelling, in names long enough for one letter not to
	// make another name.
	return min(len(a), len(b)) >= 5 && levenshtein.ComputeDistance(a, b) <= 1
}

// villageNameKey folds a village name: lower case, words only, without
// the words that say what kind of village it is.
func villageNameKey(name string) string {
	words := strings.Fields(cooperation.PartnerKey(name))
	for len(words) > 1 && (words[0] == "desa" || words[0] == "kelurahan" || words[0] == "kampung" || words[0] == "pemerintah") {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

func (p *registerParser) readParties(r *registerTable) error {
	cols := newPartyColumns(r)
	var party cooperation.Party
	var n int
	var ps problems
	err := p.read(r, nil, "", func(row registerRow) error {
		party, n, ps = p.party(r, cols, row)
		if len(ps) > 0 {
			p.reject(r, row, ps.String())
			return nil
		}
		if !p.firstParty(n, &party) {
			return nil // an exact copy of a party already taken
		}
		if party.Type == cooperation.PartyDesa {
			if warning := p.desaNameWarning(cols.name.label, party); warning != "" {
				p.batch.Warnings = append(p.batch.Warnings, r.reject(row, warning))
			}
		}
		p.batch.PartyRows++
		if p.sink == nil {
			p.batch.Parties = append(p.batch.Parties, party)
			return nil
		}
		p.sinkErr = p.sink.Party(&party, n)
		return p.sinkErr
	})
	// What only parties need goes.
	p.partySums, p.partyRegions = partySums{}, nil
	if err != nil || p.sink == nil || p.sink.PartiesDone == nil {
		return err
	}
	p.sinkErr = p.sink.PartiesDone()
	return p.sinkErr
}

// firstParty reports whether party, of agreement number n, is the first of
// its exact copies. Parties are not held (a national register has
// millions): a 64-bit hash of each party taken is kept per agreement, so
// that two different parties of one agreement are taken for copies with a
// chance of 2^-64.
func (p *registerParser) firstParty(n int, party *cooperation.Party) bool {
	b := p.sumBuf[:0]
	for _, s := range [...]string{string(party.Type), party.Name, string(party.Region), string(party.Sector), party.Role, party.BodyID} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	p.sumBuf = b
	return p.partySums.add(n, maphash.Bytes(p.agreements.seed, b), p.agreements.accepted)
}

// partySums are the hashes of the parties taken, per agreement, in lists
// without pointers (cooperation.ValueLists). An agreement with more than
// maxListedSums parties has them in a map.
type partySums struct {
	of    []cooperation.ValueList // by agreement number
	lists cooperation.ValueLists
	big   map[int]map[uint64]bool
}

// maxListedSums is how many parties of one agreement are compared one by
// one.
const maxListedSums = 32

// add adds sum to agreement n's, false when it is there already.
func (ps *partySums) add(n int, sum uint64, agreements int) bool {
	if ps.of == nil {
		ps.of = make([]cooperation.ValueList, agreements)
	}
	if big := ps.big[n]; big != nil {
		if big[sum] {
			return false
		}
		big[sum] = true
		return true
	}
	list := &ps.of[n]
	sums := ps.lists.Values(list)
	if slices.Contains(sums, sum) {
		return false
	}
	if list.Len() == maxListedSums {
		big := make(map[uint64]bool, 2*maxListedSums)
		for _, s := range sums {
			big[s] = true
		}
		big[sum] = true
		if ps.big == nil {
			ps.big = map[int]map[uint64]bool{}
		}
		ps.big[n] = big
		return true
	}
	ps.lists.Push(list, sum)
	return true
}

// partyColumns are the parties table's columns, located once.
type partyColumns struct{ agreement, partyType, name, region, sector, role, body located }

func newPartyColumns(r *registerTable) partyColumns {
	return partyColumns{r.locate("agreement_id"), r.locate("party_type"), r.locate("name"), r.locate("region_code"),
		r.locate("sector"), r.locate("role"), r.locate("body_id")}
}

func (p *registerParser) party(r *registerTable, c partyColumns, row registerRow) (cooperation.Party, int, problems) {
	var ps problems
	var reason string
	var n int
	party := cooperation.Party{Name: c.name.text(row), Role: c.role.text(row), BodyID: c.body.text(row)}
	party.AgreementID, n, reason = p.agreementRef(r, c.agreement.text(row))
	ps.add(reason)
	party.Type = parseEnum(&ps, c.partyType.label, c.partyType.text(row), p.partyTypes.get, cooperation.PartyTypes)
	ps.requiredAt(row, c.name)
	party.Region, reason = p.partyRegionOnce(party.Type, c.region.label, c.region.text(row))
	ps.add(reason)
	var err error
	if party.Sector, err = p.sectors.get(c.sector.text(row)); err != nil {
		ps.add(enumReason(c.sector.label, err, cooperation.Sectors))
	}
	return party, n, ps
}

// partyRegionKey is a party's region code as written, for its type.
type partyRegionKey struct {
	t    cooperation.PartyType
	text string
}

// partyRegionOnce is partyRegion, remembered per type and text (the label
// is the table's).
func (p *registerParser) partyRegionOnce(t cooperation.PartyType, label, text string) (region.Code, string) {
	k := partyRegionKey{t, text}
	if c, ok := p.partyRegions[k]; ok {
		return c.code, c.reason
	}
	code, reason := p.partyRegion(t, label, text)
	if len(p.partyRegions) < maxCached {
		// Copies, so that the cache does not hold on to the row.
		code, k.text = region.Code(strings.Clone(string(code))), strings.Clone(text)
		p.partyRegions[k] = checkedCode{code, reason}
	}
	return code, reason
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
		code, reason := region.ParseCodeField(label, text)
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
	code, reason := region.ParseCodeField(label, text)
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
	code, reason := region.ParseCodeField(label, text)
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
	ps.add(templateExample(r.cols.Label("body_id"), b.ID))
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
		var n int
		return p.read(r, nil, "", func(row registerRow) error {
			var ps problems
			rl, n, ps = p.realisation(r, cols, row)
			if len(ps) > 0 {
				p.reject(r, row, ps.String())
				return nil
			}
			p.batch.RealisationRows++
			p.sinkErr = p.sink.Realisation(&rl, n, row.line)
			return p.sinkErr
		})
	}
	var order []realisationKey
	copies := map[realisationKey][]copyOf[cooperation.Realisation]{}
	err := p.read(r, nil, "", func(row registerRow) error {
		rl, _, ps := p.realisation(r, cols, row)
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
// The reasons are those Parse gives.
func realisationCopyRejects(source, sheet string, copies []cooperation.RealisationCopy, records map[int]string) []tabular.Reject {
	var out []tabular.Reject
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
		reason := fmt.Sprintf("%s appears on lines %s with different values (%s)", realisationWhat(k), tabular.LineList(lines), differences(values))
		for _, c := range group {
			out = append(out, tabular.Reject{Source: source, Sheet: sheet, Line: c.Line, Reason: reason, Record: records[c.Line]})
		}
		start = end
	}
	tabular.SortRejects(out)
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

// realisation validates one row, and gives the number of its agreement. It
// runs for every row of a national register, so the values it sees over
// and over (village codes, months) are checked once each and remembered,
// and a plain amount is read without the general parser.
func (p *registerParser) realisation(r *registerTable, c realisationColumns, row registerRow) (cooperation.Realisation, int, problems) {
	var ps problems
	var reason string
	var n int
	rl := cooperation.Realisation{Outputs: row.field(c.outputs)}
	if id := row.field(c.agreement); id != "" && id == p.lastAgreement {
		rl.AgreementID, n = p.lastAgreementOwn, p.lastAgreementNumber
	} else {
		rl.AgreementID, n, reason = p.agreementID(r, id)
		ps.add(reason)
		if reason == "" {
			p.lastAgreement, p.lastAgreementOwn, p.lastAgreementNumber = rl.AgreementID, rl.AgreementID, n
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
	return rl, n, ps
}

// realisationVillage is desaCode, remembered per spelling.
func (p *registerParser) realisationVillage(label, text string) (region.Code, string) {
	if c, ok := p.recentVillages.get(text); ok {
		return c.code, c.reason
	}
	c, ok := p.villages[text]
	if !ok {
		code, reason := p.desaCode(label, text)
		// Copies, so that the caches do not hold on to the row.
		c = checkedText[checkedCode]{strings.Clone(text), checkedCode{region.Code(strings.Clone(string(code))), reason}}
		if len(p.villages) < maxCached {
			p.villages[c.text] = c
		}
	}
	p.recentVillages.put(c)
	return c.checked.code, c.checked.reason
}

// realisationMonth is the cell's month, remembered per text (a CSV cell is
// all text; an XLSX cell may store a date serial instead).
func (p *registerParser) realisationMonth(cell registerCell) (time.Time, string) {
	if cell.xlsx {
		return cell.month()
	}
	if m, ok := p.recentMonths.get(cell.text); ok {
		return m.month, m.reason
	}
	m, ok := p.months[cell.text]
	if !ok {
		month, reason := cell.month()
		m = checkedText[checkedMonth]{strings.Clone(cell.text), checkedMonth{month, reason}}
		if len(p.months) < maxCached {
			p.months[m.text] = m
		}
	}
	p.recentMonths.put(m)
	return m.checked.month, m.checked.reason
}

func realisationFields(rl cooperation.Realisation) []namedValue {
	return []namedValue{
		{"value", rl.Value.String()},
		{"beneficiaries", fmt.Sprint(rl.Beneficiaries)},
		{"outputs", rl.Outputs},
	}
}
