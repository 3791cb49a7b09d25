package register

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// The agreements table: validated and numbered on a first read, contested
// ids settled from a second, and the accepted agreements read a third time
// when their records are stored.

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
			p.refuse(r, row, ps)
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

// agreementSeen is what the first read of the agreements table keeps of one
// id.
type agreementSeen struct {
	id      string
	line    int    // of its first accepted row
	sum     uint64 // of that row's text
	copies  int    // accepted rows
	refused []int  // lines of refused rows
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

func errTableChanged(r *registerTable, line int) error {
	return fmt.Errorf("%s: the %s table changed while the register was being loaded (near line %d): load it again",
		r.where(), r.def().name, line)
}

// errEnough stops a read that has found what it wanted.
var errEnough = errors.New("enough rows read")

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
	ps.in(ar.id.label, templateExample(ar.id.label, a.ID))
	a.DocumentType = parseEnum(&ps, ar.documentType.label, ar.documentType.text(row), ar.documentTypes.get, cooperation.DocumentTypes)
	a.Status = parseEnum(&ps, ar.status.label, ar.status.text(row), ar.statuses.get, cooperation.Statuses)
	var reason string
	a.SignedOn, reason = ar.date(ar.signed, ar.signedOn, row)
	ps.in(ar.signed.label, reason)
	a.StartsOn, reason = ar.date(ar.start, ar.startsOn, row)
	ps.in(ar.start.label, reason)
	a.EndsOn, reason = ar.date(ar.end, ar.endsOn, row)
	ps.in(ar.end.label, reason)
	ps.in(ar.end.label, periodProblem(r, a))
	a.DeclaredIssues = ar.issueLists(&ps, ar.issues.text(row))
	a.Fields = ar.fieldLists(&ps, ar.fields.text(row))
	a.CommittedValue, reason = ar.committed.cell(r, row).rupiah()
	ps.in(ar.committed.label, reason)
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
