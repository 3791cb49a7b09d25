package register

import (
	"fmt"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/region"
)

// The realisations table, streamed: each row checked against its agreement
// and the region register; copies that disagree are found where the rows
// are stored, and worded here.

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
	var rl cooperation.Realisation
	var n int
	return p.read(r, nil, "", func(row registerRow) error {
		var ps problems
		rl, n, ps = p.realisation(r, cols, row)
		if len(ps) > 0 {
			p.refuse(r, row, ps)
			return nil
		}
		p.batch.RealisationRows++
		p.sinkErr = p.sink.Realisation(&rl, n, row.line)
		return p.sinkErr
	})
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
		var ref problem
		rl.AgreementID, n, ref = p.agreementID(r, id)
		ps.in(ref.column, ref.reason)
		if ref.reason == "" {
			p.lastAgreement, p.lastAgreementOwn, p.lastAgreementNumber = rl.AgreementID, rl.AgreementID, n
		}
	}
	if v := row.field(c.village); v != "" {
		rl.Village, reason = p.realisationVillage(c.villageLabel, v)
		ps.in(c.villageLabel, reason)
	}
	rl.Month, reason = p.realisationMonth(r.cellAt(row, c.month, c.monthLabel))
	ps.in(c.monthLabel, reason)
	if value := r.cellAt(row, c.value, c.valueLabel); value.text == "" {
		ps.in(value.label, "empty "+value.label)
	} else if v, reason := value.rupiahValue(); reason != "" {
		ps.in(value.label, reason)
	} else {
		rl.Value = v
	}
	rl.Beneficiaries, reason = r.cellAt(row, c.beneficiaries, c.beneficiariesLabel).count()
	ps.in(c.beneficiariesLabel, reason)
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

func realisationFields(rl cooperation.Realisation) []namedValue {
	return []namedValue{
		{"value", rl.Value.String()},
		{"beneficiaries", fmt.Sprint(rl.Beneficiaries)},
		{"outputs", rl.Outputs},
	}
}
