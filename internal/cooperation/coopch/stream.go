package coopch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// A register's parties (millions nationally) and agreement records
// (hundreds of thousands) stream like its realisations (realisations.go):
// each table's rows go in one INSERT of blocks, held column by column the
// way the driver takes them, and sent by a goroutine while the next block
// fills. Rows that reach ClickHouse carry their run, so that a load that
// fails leaves them invisible.

// PartyBlockRows and RecordBlockRows are how many rows one block of each
// carries. A record is wide (arrays, a row of text), so its blocks are
// smaller; ClickHouse gathers an INSERT's blocks into larger parts itself.
var (
	PartyBlockRows  = 50_000
	RecordBlockRows = 20_000
)

// rowBlock is one block of rows, column by column.
type rowBlock interface {
	rows() int
	// columns are the block's columns, in the order of its INSERT.
	columns() []any
	// reset empties the block, keeping its room, and drops its references
	// so that the rows' strings can be collected.
	reset()
}

// blockWriter sends the blocks of one INSERT from a goroutine of its own;
// the INSERT opens with the first block. Two blocks are alive at a time: one
// filling, one being sent.
type blockWriter[B rowBlock] struct {
	ctx       context.Context
	op        string // for errors: "insert parties"
	blockRows int
	newBlock  func() B
	fill      B // being filled by the caller

	full   chan B        // to the sender
	free   chan B        // back from the sender, for reuse
	failed chan struct{} // closed when the sender fails
	done   chan struct{} // closed when the sender has finished

	err     error // the sender's, readable once failed or done is closed
	closing sync.Once
	abort   bool // set before full is closed: abort rather than send
}

func startBlockWriter[B rowBlock](ctx context.Context, db *clickhouse.DB, op, insert string, blockRows int, newBlock func() B) *blockWriter[B] {
	w := &blockWriter[B]{
		ctx:       ctx,
		op:        op,
		blockRows: blockRows,
		newBlock:  newBlock,
		fill:      newBlock(),
		full:      make(chan B),
		free:      make(chan B, 1),
		failed:    make(chan struct{}),
		done:      make(chan struct{}),
	}
	go w.send(db, insert)
	return w
}

// appended is called after each row the caller adds to fill: a full block
// goes to the sender.
func (w *blockWriter[B]) appended() error {
	if w.fill.rows() < w.blockRows {
		return nil
	}
	return w.handOff()
}

// handOff gives the filled block to the sender and takes the one it sent
// before, if any.
func (w *blockWriter[B]) handOff() error {
	select {
	case w.full <- w.fill:
	case <-w.failed:
		return w.err
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
	select {
	case w.fill = <-w.free:
	default: // the first hand-off: the sender holds the only other block
		w.fill = w.newBlock()
	}
	return nil
}

// Close sends what is left and waits until the INSERT is done. Calling it
// again returns the same result.
func (w *blockWriter[B]) Close() error {
	var err error
	if w.fill.rows() > 0 {
		err = w.handOff()
	}
	if err != nil {
		w.Abort()
		return err
	}
	w.closing.Do(func() { close(w.full) })
	<-w.done
	w.release()
	return w.err
}

// release lets the blocks go once the sender is done: the writer may stay
// reachable (a register's parties are done long before its load).
func (w *blockWriter[B]) release() {
	w.fill = w.newBlock()
	select {
	case <-w.free:
	default:
	}
}

// Abort stops the writer; the INSERT is abandoned (blocks sent so far may
// stay, tagged with their run).
func (w *blockWriter[B]) Abort() {
	w.closing.Do(func() {
		w.abort = true
		close(w.full)
	})
	<-w.done
	w.release()
}

// send inserts the blocks it is given in one INSERT, a block at a time.
func (w *blockWriter[B]) send(db *clickhouse.DB, insert string) {
	defer close(w.done)
	fail := func(err error) {
		if w.err == nil {
			w.err = fmt.Errorf("%s: %w", w.op, clickhouse.MapError(err))
			close(w.failed)
		}
	}
	var batch clickhouse.Batch
	for b := range w.full {
		if w.err == nil && batch == nil {
			var err error
			if batch, err = db.PrepareBatch(w.ctx, insert); err != nil {
				fail(err)
			}
		}
		if w.err == nil {
			if err := appendColumns(batch, b.columns()); err != nil {
				fail(err)
			} else if err := batch.Flush(); err != nil {
				fail(err)
			}
		}
		b.reset()
		select {
		case w.free <- b:
		default:
		}
	}
	switch {
	case batch == nil:
	case w.err != nil || w.abort:
		batch.Abort()
	default:
		if err := batch.Send(); err != nil {
			fail(err)
		}
	}
}

func appendColumns(batch clickhouse.Batch, cols []any) error {
	for i, c := range cols {
		col := batch.Column(i)
		arrays, ok := c.([][]string)
		if !ok {
			if err := col.Append(c); err != nil {
				return err
			}
			continue
		}
		// The driver takes a column of arrays through reflection, an
		// array at a time; row by row, it reads each []string directly.
		for _, a := range arrays {
			if err := col.AppendRow(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// clearAll drops the references a column holds, up to its capacity, and
// empties it.
func clearAll[T any](s []T) []T {
	clear(s[:cap(s)])
	return s[:0]
}

// --- parties

const insertParties = `INSERT INTO coop_party_rows
	(run_id, agreement_id, party_type, name, partner_key, region_code, sector, role, body_id)`

// NewPartyWriter returns a writer that inserts the parties of run runID
// into coop_party_rows as they are appended.
func (s *Store) NewPartyWriter(ctx context.Context, runID uint64) cooperation.PartyWriter {
	return &partyWriter{runID: runID, blockWriter: startBlockWriter(ctx, s.db, "insert parties", insertParties, PartyBlockRows,
		func() *partyBlock { return &partyBlock{} })}
}

type partyWriter struct {
	*blockWriter[*partyBlock]
	runID uint64
}

type partyBlock struct {
	runID                                                              []uint64
	agreement, partyType, name, partnerKey, region, sector, role, body []string
}

func (b *partyBlock) rows() int { return len(b.runID) }

func (b *partyBlock) columns() []any {
	return []any{b.runID, b.agreement, b.partyType, b.name, b.partnerKey, b.region, b.sector, b.role, b.body}
}

func (b *partyBlock) reset() {
	b.runID = b.runID[:0]
	for _, c := range []*[]string{&b.agreement, &b.partyType, &b.name, &b.partnerKey, &b.region, &b.sector, &b.role, &b.body} {
		*c = clearAll(*c)
	}
}

func (w *partyWriter) Append(p *cooperation.Party, partnerKey string) error {
	b := w.fill
	b.runID = append(b.runID, w.runID)
	b.agreement = append(b.agreement, p.AgreementID)
	b.partyType = append(b.partyType, string(p.Type))
	b.name = append(b.name, p.Name)
	b.partnerKey = append(b.partnerKey, partnerKey)
	b.region = append(b.region, string(p.Region))
	b.sector = append(b.sector, string(p.Sector))
	b.role = append(b.role, p.Role)
	b.body = append(b.body, p.BodyID)
	return w.appended()
}

// --- agreement records

const insertRecords = `INSERT INTO coop_agreement_rows (run_id, agreement_id, document_numbers, title, document_type,
	signed_on, signed_place, starts_on, ends_on, status, declared_issues, derived_issues, fields,
	committed_value, funding_source, source_reference, region_codes, village_keys, party_types,
	partner_keys, partner_sectors, source)`

// NewRecordWriter returns a writer that inserts the agreement records of
// run runID, read from source, into coop_agreement_rows as they are
// appended.
func (s *Store) NewRecordWriter(ctx context.Context, runID uint64, source string) cooperation.RecordWriter {
	return &recordWriter{runID: runID, source: source, blockWriter: startBlockWriter(ctx, s.db, "insert agreements", insertRecords, RecordBlockRows,
		func() *recordBlock { return &recordBlock{} })}
}

type recordWriter struct {
	*blockWriter[*recordBlock]
	runID  uint64
	source string
}

type recordBlock struct {
	runID                                                            []uint64
	id, title, documentType, signedPlace, status, funding, reference []string
	source                                                           []string
	signedOn, startsOn, endsOn                                       []*time.Time
	committed                                                        []*decimal.Decimal
	documentNumbers, declared, derived, fields                       [][]string
	regions, villages, partyTypes, partners, sectors                 [][]string
}

func (b *recordBlock) rows() int { return len(b.runID) }

func (b *recordBlock) columns() []any {
	return []any{b.runID, b.id, b.documentNumbers, b.title, b.documentType,
		b.signedOn, b.signedPlace, b.startsOn, b.endsOn, b.status, b.declared, b.derived, b.fields,
		b.committed, b.funding, b.reference, b.regions, b.villages, b.partyTypes,
		b.partners, b.sectors, b.source}
}

func (b *recordBlock) reset() {
	b.runID = b.runID[:0]
	for _, c := range []*[]string{&b.id, &b.title, &b.documentType, &b.signedPlace, &b.status, &b.funding, &b.reference, &b.source} {
		*c = clearAll(*c)
	}
	for _, c := range []*[]*time.Time{&b.signedOn, &b.startsOn, &b.endsOn} {
		*c = clearAll(*c)
	}
	b.committed = clearAll(b.committed)
	for _, c := range []*[][]string{&b.documentNumbers, &b.declared, &b.derived, &b.fields, &b.regions, &b.villages, &b.partyTypes, &b.partners, &b.sectors} {
		*c = clearAll(*c)
	}
}

func (w *recordWriter) Append(r *cooperation.Record) error {
	b := w.fill
	b.runID = append(b.runID, w.runID)
	b.id = append(b.id, r.ID)
	b.documentNumbers = append(b.documentNumbers, nonNil(r.DocumentNumbers))
	b.title = append(b.title, r.Title)
	b.documentType = append(b.documentType, string(r.DocumentType))
	b.signedOn = append(b.signedOn, date(r.SignedOn))
	b.signedPlace = append(b.signedPlace, r.SignedPlace)
	b.startsOn = append(b.startsOn, date(r.StartsOn))
	b.endsOn = append(b.endsOn, date(r.EndsOn))
	b.status = append(b.status, string(r.Status))
	b.declared = append(b.declared, strs(r.DeclaredIssues))
	b.derived = append(b.derived, strs(r.Derived))
	b.fields = append(b.fields, strs(r.Fields))
	b.committed = append(b.committed, r.CommittedValue)
	b.funding = append(b.funding, r.FundingSource)
	b.reference = append(b.reference, r.SourceReference)
	b.regions = append(b.regions, strs(r.RegionCodes))
	b.villages = append(b.villages, nonNil(r.VillageKeys))
	b.partyTypes = append(b.partyTypes, strs(r.PartyTypes))
	b.partners = append(b.partners, nonNil(r.PartnerKeys))
	b.sectors = append(b.sectors, strs(r.PartnerSectors))
	b.source = append(b.source, w.source)
	return w.appended()
}
