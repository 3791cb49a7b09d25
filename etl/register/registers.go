package register

import (
	"context"
	"errors"
	"fmt"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// Registers is the register's format as submissions (internal/submission)
// use it: checking an office's files, loading them as a run of the
// register through the runner (its Scoped dataset refusing the rows
// outside the editor's scope), and annotating them. Errors about a file
// (its layout, format or size) are fault.Invalid: the caller is shown
// them.
type Registers struct {
	Runner  *etl.Runner
	Regions region.Lister
	Current CurrentAgreements
	// Limits bound a submitted workbook, checked before a byte of it is
	// parsed (tabular.CheckWorkbook).
	Limits tabular.Limits
}

var _ submission.Registers = (*Registers)(nil)

// SubmissionLimits bound a submitted workbook: it unpacks to at most
// 256 MiB with 16 sheets of at most 200,000 rows and 5,000,000 cells (a
// kabupaten register is a few thousand rows).
var SubmissionLimits = tabular.Limits{
	MaxWorkbookBytes: 256 << 20, MaxSheets: 16, MaxRows: 200_000, MaxCells: 5_000_000,
	MaxLineBytes: tabular.DefaultLimits.MaxLineBytes, MaxFieldBytes: tabular.DefaultLimits.MaxFieldBytes,
}

// CheckWorkbook refuses a workbook beyond the limits (or unreadable) with
// an error the caller is shown; failing to open the file sinergi wrote is
// not the caller's fault, and its path stays in the log.
func (r *Registers) CheckWorkbook(path string) error {
	return userError(tabular.CheckWorkbook(path, r.Limits))
}

// Check validates a register as a load would, writing nothing, and finds
// the agreements outside p's scope.
func (r *Registers) Check(ctx context.Context, paths []string, p *account.Principal) (submission.Checked, error) {
	all, err := r.Regions.All(ctx)
	if err != nil {
		return submission.Checked{}, fmt.Errorf("check register: reading regions: %w", err)
	}
	c, err := checkRegister(ctx, paths, region.NewSet(all), p, r.Current)
	if err != nil {
		return submission.Checked{}, userError(err)
	}
	return submission.Checked{RowsRead: c.rowsRead, Agreements: c.agreements, Outside: len(c.outside),
		Rejects: domainRejects(append(c.rejects, c.scopeRejects...), false), Warnings: domainRejects(c.warnings, true)}, nil
}

// Load loads the files as a run of the register, refusing the rows outside
// p's scope, and returns the runs it made (a failed load makes a failed
// run).
func (r *Registers) Load(ctx context.Context, p *account.Principal, paths []string) ([]ingest.Run, error) {
	res, err := r.Runner.Load(withScope(ctx, p), etl.DatasetRegister, paths...)
	return res.Runs, userError(err)
}

// Republish publishes the register's snapshots (etl.Runner.Republish).
func (r *Registers) Republish(ctx context.Context) error {
	return r.Runner.Republish(ctx, etl.DatasetRegister)
}

func domainRejects(rs []tabular.Reject, warning bool) []ingest.Reject {
	out := make([]ingest.Reject, len(rs))
	for i, rj := range rs {
		out[i] = ingest.Reject{Dataset: etl.DatasetRegister, Source: rj.Source, Sheet: rj.Sheet, Line: rj.Line,
			Column: rj.Column, Reason: rj.Reason, Record: rj.Record, Warning: warning}
	}
	return out
}

// userError makes the register's own complaints about a file (its layout,
// its format, its size) errors the caller is shown.
func userError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrLayout) || errors.Is(err, tabular.ErrFormat) || errors.Is(err, fault.ErrInvalidInput) {
		return fault.Invalid("%v", err)
	}
	return err
}
