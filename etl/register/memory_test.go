package register

import (
	"errors"
	"fmt"
	"slices"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Parsed is a register read whole into memory, as the tests read it to
// compare with what a load stores: its agreements, parties and
// realisations held, and the copies of one realisation (agreement, village
// and month) settled here, in memory, as the load settles them in
// ClickHouse: identical copies are one, copies that disagree are refused.
type Parsed struct {
	Batch
	Agreements   []cooperation.Agreement // in the order the register first names them
	Parties      []cooperation.Party     // of exact copies, the first; in register order
	Realisations []cooperation.Realisation
}

// Parse reads a register given as the command line gives it: one XLSX
// workbook, or one file per table.
func Parse(paths []string, known region.Lookup) (Parsed, error) {
	if isRegisterWorkbook(paths) {
		return ParseWorkbook(paths[0], known)
	}
	return ParseFiles(paths, known)
}

// ParseWorkbook reads an XLSX register (see openRegisterWorkbook).
func ParseWorkbook(path string, known region.Lookup) (Parsed, error) {
	return parseInMemory([]string{path}, known, func() (*registerTables, error) { return openRegisterWorkbook(path) })
}

// ParseFiles reads a register given as one file per table: CSV files, or
// XLSX files of one sheet (see openRegisterFiles).
func ParseFiles(paths []string, known region.Lookup) (Parsed, error) {
	return parseInMemory(paths, known, func() (*registerTables, error) { return openRegisterFiles(paths) })
}

func parseInMemory(paths []string, known region.Lookup, open func() (*registerTables, error)) (Parsed, error) {
	if known == nil {
		return Parsed{}, errors.New("register parse: no region register to check codes against")
	}
	tables, err := open()
	if err != nil {
		return Parsed{}, fmt.Errorf("register parse: %w", err)
	}
	defer tables.close()
	var out Parsed
	var copies []cooperation.RealisationCopy
	out.Batch, err = parseRegisterTablesTo(tables, known, &Sink{
		Party: func(p *cooperation.Party, _ int) error {
			out.Parties = append(out.Parties, *p)
			return nil
		},
		Realisation: func(rl *cooperation.Realisation, _, line int) error {
			copies = append(copies, cooperation.RealisationCopy{Realisation: *rl, Line: line})
			return nil
		},
	})
	if err != nil {
		return Parsed{}, err
	}
	err = out.ReadAgreements(func(a *cooperation.Agreement, _ int) error {
		out.Agreements = append(out.Agreements, *a)
		return nil
	})
	if err != nil {
		return Parsed{}, fmt.Errorf("register parse: %w", err)
	}
	if err := out.settleRealisations(paths, copies); err != nil {
		return Parsed{}, fmt.Errorf("register parse: %w", err)
	}
	return out, nil
}

// settleRealisations keeps one of identical copies of a realisation and
// refuses every copy of copies that disagree, adding their rejects to the
// realisations table's (the last of the batch's Rejects).
func (out *Parsed) settleRealisations(paths []string, copies []cooperation.RealisationCopy) error {
	var order []realisationKey
	byKey := map[realisationKey][]cooperation.RealisationCopy{}
	for _, c := range copies {
		k := realisationKey{c.AgreementID, c.Village, c.Month}
		if _, seen := byKey[k]; !seen {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	var refused []cooperation.RealisationCopy
	var lines []int
	for _, k := range order {
		cs := byKey[k]
		same := !slices.ContainsFunc(cs[1:], func(c cooperation.RealisationCopy) bool {
			return !slices.Equal(realisationFields(c.Realisation), realisationFields(cs[0].Realisation))
		})
		if same {
			out.Realisations = append(out.Realisations, cs[0].Realisation)
			continue
		}
		refused = append(refused, cs...)
		for _, c := range cs {
			lines = append(lines, c.Line)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	records, err := realisationRecords(paths, lines)
	if err != nil {
		return err
	}
	table := len(out.Rejects)
	for table > 0 && out.Rejects[table-1].Source == out.RealisationsSource && out.Rejects[table-1].Sheet == out.RealisationsSheet {
		table--
	}
	rejects := append(slices.Clone(out.Rejects[table:]), realisationCopyRejects(out.RealisationsSource, out.RealisationsSheet, refused, records)...)
	tabular.SortRejects(rejects)
	out.Rejects = append(out.Rejects[:table], rejects...)
	return nil
}
