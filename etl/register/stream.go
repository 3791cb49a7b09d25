package register

import (
	"errors"
	"fmt"
	"io"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// What a register yields and the order its tables are read in: the
// agreements first, since parties and realisations may only refer to
// agreements that were accepted, then the parties, the bodies and the
// realisations (each in its file, in that order).

// Batch is what a register yields.
type Batch struct {
	// Bodies are the accepted ones (of exact copies, the first), in
	// register order: a register has few.
	Bodies []cooperation.Body
	// Rejects are the refused rows, table by table (agreements, parties,
	// bodies, realisations), each table ordered by line. Sheet is the
	// workbook's sheet, or for a CSV file the table's name.
	Rejects []tabular.Reject
	// Warnings are rows that loaded but look wrong (a DESA party whose
	// name is not its code's village), in the same order.
	Warnings []tabular.Reject
	RowsRead int // data rows read over all tables, refused ones included

	// AgreementRows and PartyRows count the accepted agreements and
	// parties.
	AgreementRows, PartyRows int
	// RealisationRows counts the accepted realisations Stream gave
	// its sink (copies of one agreement, village and month included: the
	// caller settles them).
	RealisationRows int
	// RealisationsSource and RealisationsSheet name the realisations table
	// as its rejects do; empty when the register has none.
	RealisationsSource, RealisationsSheet string

	// agreements are the accepted agreements, by number.
	agreements *agreementIndex
}

// ReadAgreements reads the accepted agreements again from their table and
// gives them to each in order, with their numbers (see Sink):
// Stream does not hold them, since a national register has
// hundreds of thousands and their records need all their parties and
// realisations first. a is reused after the call. It fails if the table is
// no longer what was read.
func (b *Batch) ReadAgreements(each func(a *cooperation.Agreement, number int) error) error {
	if b.agreements == nil {
		return nil
	}
	if err := b.agreements.read(each); err != nil {
		return fmt.Errorf("register re-read: %w", err)
	}
	return nil
}

// AgreementNumber is the number of the accepted agreement id (see
// Sink); false when the register did not accept it.
func (b *Batch) AgreementNumber(id string) (int, bool) {
	if b.agreements == nil {
		return 0, false
	}
	return b.agreements.number(id)
}

// Sink takes the parties and realisations of a register as
// Stream reads them. Each comes with the number of its agreement:
// the accepted agreements are numbered from 0 in the order the register
// first names them (the order of ReadAgreements). The row is reused after
// the call; an error stops the read.
type Sink struct {
	// Party takes each accepted party; of exact copies, the first.
	Party func(p *cooperation.Party, agreement int) error
	// PartiesDone, if set, is called after the last party.
	PartiesDone func() error
	// Realisation takes each accepted realisation with its line.
	Realisation func(rl *cooperation.Realisation, agreement, line int) error
	// Reject, if set, takes each refused row as it is found; the batch's
	// Rejects then stay empty.
	Reject func(tabular.Reject)
}

// Stream reads a register given as the command line gives it (one XLSX
// workbook, or one file per table: CSV files, or XLSX files of one sheet,
// each recognised from its header) and validates every row. What can be
// millions of rows is never held: parties and realisations are validated
// as they are read and handed to sink, and agreements are only numbered
// (ReadAgreements reads them again). Copies of one realisation (agreement,
// village and month) are not settled (nor refused); the caller finds them
// where it stores the rows. Agreements are read first, so that a party or
// realisation is checked against the accepted agreements. It returns an
// error only when the register as a whole cannot be read; refused rows go
// to sink.Reject, or to the batch's Rejects.
func Stream(paths []string, known region.Lookup, sink Sink) (Batch, error) {
	if known == nil {
		return Batch{}, errors.New("register parse: no region register to check codes against")
	}
	tables, err := openRegister(paths)
	if err != nil {
		return Batch{}, fmt.Errorf("register parse: %w", err)
	}
	defer tables.close()
	return parseRegisterTablesTo(tables, known, &sink)
}

// realisationRecords reads a register's realisations table again for the
// text of the given lines, as rejects quote it: for rows refused after they
// were streamed (copies that disagree). Lines not found are left out.
func realisationRecords(paths []string, lines []int) (map[int]string, error) {
	out := map[int]string{}
	if len(lines) == 0 {
		return out, nil
	}
	tables, err := openRegister(paths)
	if err != nil {
		return nil, fmt.Errorf("register re-read: %w", err)
	}
	defer tables.close()
	r := tables.byID[tableRealisations]
	if r == nil {
		return out, nil
	}
	want := make(map[int]bool, len(lines))
	for _, l := range lines {
		want[l] = true
	}
	for len(out) < len(want) {
		rec, err := r.t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("register re-read: %w", err)
		}
		if want[rec.Line] {
			out[rec.Line] = tabular.RejectText(rec.Raw)
		}
	}
	return out, nil
}

// registerParser gathers a register's tables into a batch.
type registerParser struct {
	known   region.Lookup
	batch   Batch
	rejects [registerTableCount][]tabular.Reject
	// agreements numbers the accepted agreements; rows that refer to one
	// share its id's string.
	agreements *agreementIndex
	// sink takes the accepted parties and realisations as they
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
	return p.batch, nil
}
