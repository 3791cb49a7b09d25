package register

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
)

type scopeKey struct{}

// withScope marks a load as an editor's submission (Registers.Load): the
// register dataset (Scoped) refuses the agreements that do not touch p's
// scope.
func withScope(ctx context.Context, p *account.Principal) context.Context {
	return context.WithValue(ctx, scopeKey{}, p)
}

// Scoped is the register dataset as submissions load it: a load whose
// context carries an editor (withScope) loads only the agreements that
// touch the editor's regions, by the rule of docs/planner-questions.md (a
// party with a region code, or a realisation, lies in the region); the
// rows of the others — the agreement, its parties and realisations — are
// refused, saying why. Loads without an editor (the scheduler, `sinergi
// etl load`, an admin's submission) are the register's own.
type Scoped struct {
	etl.Dataset
	Regions region.Lister
	// Current reads the agreements as published now: an editor may not
	// change one whose current version touches none of its regions (another
	// office's), even by sending it with a party of its own.
	Current CurrentAgreements
}

// CurrentAgreements reads published agreements by id (coopch.Store).
type CurrentAgreements interface {
	AgreementsByID(ctx context.Context, ids []string) ([]cooperation.AgreementSummary, error)
}

var (
	_ etl.Gate      = (*Scoped)(nil)
	_ etl.Committer = (*Scoped)(nil)
)

// CheckLoad is the register's.
func (s *Scoped) CheckLoad(ctx context.Context) error {
	if g, ok := s.Dataset.(etl.Gate); ok {
		return g.CheckLoad(ctx)
	}
	return nil
}

// BeforeCommit is the register's.
func (s *Scoped) BeforeCommit(ctx context.Context, loaded []ingest.Run) error {
	if c, ok := s.Dataset.(etl.Committer); ok {
		return c.BeforeCommit(ctx, loaded)
	}
	return nil
}

// Load loads the source, without the agreements outside the editor's scope
// when the load is an editor's: those are blanked in a copy of the files
// (blank rows are skipped, so every other row keeps its line) and refused.
func (s *Scoped) Load(ctx context.Context, l *etl.Load) error {
	p, _ := ctx.Value(scopeKey{}).(*account.Principal)
	if p == nil || p.Role == account.RoleAdmin {
		return s.Dataset.Load(ctx, l)
	}
	all, err := s.Regions.All(ctx)
	if err != nil {
		return fmt.Errorf("reading current regions: %w", err)
	}
	report, err := checkRegister(ctx, l.Paths, region.NewSet(all), p, s.Current)
	if err != nil {
		return err
	}
	if len(report.outside) == 0 {
		return s.Dataset.Load(ctx, l)
	}
	dir, err := os.MkdirTemp("", "sinergi-scoped-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	inScope, err := blankAgreements(l.Paths, report.outside, dir)
	if err != nil {
		return err
	}
	for _, rj := range report.scopeRejects {
		l.Reject(rj)
	}
	within := *l
	within.Paths = inScope
	if err := s.Dataset.Load(ctx, &within); err != nil {
		return err
	}
	l.Run.RowsRead += len(report.scopeRejects) // blanked, so not read by the load: the office sent them
	return nil
}

// check is what validating a register found, nothing written.
type check struct {
	rowsRead, agreements int
	rejects, warnings    []tabular.Reject // of the validation
	// outside are the accepted agreements an editor may not send, with
	// why: they touch none of the scope's regions, or their current version
	// is another office's. scopeRejects are their rows.
	outside      map[string]string
	scopeRejects []tabular.Reject
}

// checkRegister validates a register as a load does (register.Stream),
// keeping nothing but the rejects, and finds the agreements outside p's
// scope (none for an admin or without p). Copies of one realisation that
// disagree are found only where a load stores them: a check does not
// report them.
func checkRegister(ctx context.Context, paths []string, known region.Lookup, p *account.Principal, current CurrentAgreements) (check, error) {
	c := check{outside: map[string]string{}}
	scoped := p != nil && p.Role != account.RoleAdmin
	var inScope []string
	touches := map[int]bool{}
	batch, err := Stream(paths, known, Sink{
		Reject: func(rj tabular.Reject) { c.rejects = append(c.rejects, rj) },
		Party: func(pt *cooperation.Party, agreement int) error {
			if pt.Region != "" && p.Covers(pt.Region) {
				touches[agreement] = true
			}
			return nil
		},
		Realisation: func(rl *cooperation.Realisation, agreement, _ int) error {
			if rl.Village != "" && p.Covers(rl.Village) {
				touches[agreement] = true
			}
			return nil
		},
	})
	if err != nil {
		return c, err
	}
	c.rowsRead, c.warnings = batch.RowsRead, batch.Warnings
	notTouching := fmt.Sprintf("outside your scope (%s): the agreement touches none of its regions (no party with a region code there, no realisation there)", p.ScopeText())
	err = batch.ReadAgreements(func(a *cooperation.Agreement, n int) error {
		c.agreements++
		switch {
		case !scoped:
		case !touches[n]:
			c.outside[a.ID] = notTouching
		default:
			inScope = append(inScope, a.ID)
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if scoped && current != nil {
		if err := othersAgreements(ctx, current, inScope, p, c.outside); err != nil {
			return c, err
		}
	}
	if len(c.outside) == 0 {
		return c, nil
	}
	refused := map[string]bool{}
	for _, rj := range c.rejects {
		refused[rowKey(rj.Source, rj.Sheet, rj.Line)] = true
	}
	err = eachAgreementRow(paths, func(t *tabular.Table, table string, rec tabular.Record, id string) error {
		if reason, out := c.outside[id]; out && !refused[rowKey(t.Source(), table, rec.Line)] {
			c.scopeRejects = append(c.scopeRejects, tabular.Reject{Source: t.Source(), Sheet: table, Line: rec.Line,
				Reason: reason, Record: rec.Raw})
		}
		return nil
	})
	return c, err
}

// othersAgreements marks, among ids, the agreements whose published
// version touches none of p's regions: another office's, which p may not
// change.
func othersAgreements(ctx context.Context, current CurrentAgreements, ids []string, p *account.Principal, outside map[string]string) error {
	const batchSize = 1000
	for start := 0; start < len(ids); start += batchSize {
		found, err := current.AgreementsByID(ctx, ids[start:min(start+batchSize, len(ids))])
		if err != nil {
			return fmt.Errorf("reading the current agreements: %w", err)
		}
		for _, a := range found {
			if !slices.ContainsFunc(a.RegionCodes, p.Covers) {
				outside[a.ID] = fmt.Sprintf("agreement %s is another office's: as published it touches none of your regions (%s); "+
					"that office or an admin may change it", a.ID, p.ScopeText())
			}
		}
	}
	return nil
}

func rowKey(source, sheet string, line int) string {
	return source + "\x00" + sheet + "\x00" + strconv.Itoa(line)
}

var agreementIDColumn = []tabular.ColumnSpec{{Name: "agreement_id", Aliases: []string{"agreement_id"}, Required: true}}

// eachAgreementRow calls each with every row of every table of the
// register that names an agreement (agreements, parties, realisations),
// with the table's name as rejects give it: the sheet of a workbook, the
// table of a CSV file.
func eachAgreementRow(paths []string, each func(t *tabular.Table, table string, rec tabular.Record, id string) error) error {
	var tables []func() (*tabular.Table, error)
	for _, path := range paths {
		if strings.EqualFold(filepath.Ext(path), ".xlsx") {
			sheets, err := tabular.Sheets(path)
			if err != nil {
				return err
			}
			for _, sheet := range sheets {
				tables = append(tables, func() (*tabular.Table, error) { return tabular.OpenSheet(path, sheet) })
			}
			continue
		}
		tables = append(tables, func() (*tabular.Table, error) { return tabular.Open(path) })
	}
	for _, open := range tables {
		if err := eachRow(open, each); err != nil {
			return err
		}
	}
	return nil
}

func eachRow(open func() (*tabular.Table, error), each func(t *tabular.Table, table string, rec tabular.Record, id string) error) error {
	t, err := open()
	if err != nil {
		if errors.Is(err, tabular.ErrFormat) {
			return nil // a sheet that is no table (the template's notes): the load said so if it mattered
		}
		return err
	}
	defer t.Close()
	cols, err := tabular.NewColumnMap(t.Header(), agreementIDColumn)
	if err != nil {
		return nil // no agreement_id: the bodies, or no register table
	}
	table := t.Sheet()
	if table == "" {
		table = csvTable(t.Header())
	}
	for {
		rec, err := t.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if rec.Fields == nil {
			continue
		}
		if err := each(t, table, rec, cols.Get(rec.Fields, "agreement_id")); err != nil {
			return err
		}
	}
}

// csvTable names the register table a CSV file holds, as the register's
// rejects do, from the columns that tell them apart (docs/register.md).
func csvTable(header []string) string {
	cols := map[string]bool{}
	for _, h := range header {
		cols[tabular.NormalizeHeader(h)] = true
	}
	switch {
	case cols[tabular.NormalizeHeader("party_type")]:
		return "parties"
	case cols[tabular.NormalizeHeader("month")] && cols[tabular.NormalizeHeader("value")]:
		return "realisations"
	}
	return "agreements"
}

// blankAgreements writes copies of the register's files into dir with the
// rows of the given agreements blanked, and returns their paths.
func blankAgreements(paths []string, ids map[string]string, dir string) ([]string, error) {
	lines := map[string]map[string][]tabular.Record{} // path → sheet → rows
	err := eachAgreementRow(paths, func(t *tabular.Table, _ string, rec tabular.Record, id string) error {
		if _, ok := ids[id]; ok {
			if lines[t.Source()] == nil {
				lines[t.Source()] = map[string][]tabular.Record{}
			}
			lines[t.Source()][t.Sheet()] = append(lines[t.Source()][t.Sheet()], rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(paths))
	for i, path := range paths {
		out[i] = filepath.Join(dir, filepath.Base(path))
		rows := lines[filepath.Base(path)] // tables name their source by its file name
		if strings.EqualFold(filepath.Ext(path), ".xlsx") {
			err = blankWorkbookRows(path, out[i], rows)
		} else {
			err = blankCSVRows(path, out[i], rows[""])
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func blankWorkbookRows(src, dst string, rows map[string][]tabular.Record) error {
	f, err := excelize.OpenFile(src, excelize.Options{UnzipSizeLimit: tabular.DefaultLimits.MaxWorkbookBytes})
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(src), err)
	}
	defer f.Close()
	for sheet, recs := range rows {
		for _, rec := range recs {
			for col := 1; col <= len(rec.Fields); col++ {
				cell, err := excelize.CoordinatesToCellName(col, rec.Line)
				if err != nil {
					return err
				}
				if err := f.SetCellValue(sheet, cell, nil); err != nil {
					return err
				}
			}
		}
	}
	return f.SaveAs(dst)
}

func blankCSVRows(src, dst string, recs []tabular.Record) error {
	body, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	blank := map[int]bool{}
	for _, rec := range recs {
		for i := 0; i <= strings.Count(rec.Raw, "\n"); i++ {
			blank[rec.Line+i] = true
		}
	}
	lines := strings.SplitAfter(string(body), "\n")
	var b strings.Builder
	b.Grow(len(body))
	for i, line := range lines {
		if blank[i+1] {
			b.WriteString(line[len(strings.TrimRight(line, "\r\n")):]) // keep the line ending: lines keep their numbers
			continue
		}
		b.WriteString(line)
	}
	return os.WriteFile(dst, []byte(b.String()), 0o600)
}
