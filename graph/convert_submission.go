package graph

import (
	"context"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sinergi-id/sinergi/graph/model"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// AnnotatedWorkbookPath is where a check report's annotated workbook is
// served (cmd/sinergi mounts it), the report's id in place of {id}.
const AnnotatedWorkbookPath = "/register/checks/{id}/keterangan.xlsx"

func uploads(files []*graphql.Upload) []submission.Upload {
	out := make([]submission.Upload, len(files))
	for i, f := range files {
		out[i] = submission.Upload{Name: f.Filename, Body: f.File}
	}
	return out
}

func filesToModel(files []submission.File) []*model.SubmittedFile {
	out := make([]*model.SubmittedFile, len(files))
	for i, f := range files {
		out[i] = &model.SubmittedFile{Name: f.Name, Size: int(f.Size), Sha256: f.SHA256}
	}
	return out
}

func registerCheckToModel(r *submission.Report) *model.RegisterCheck {
	return &model.RegisterCheck{ID: r.ID, Files: filesToModel(r.Files), RowsRead: r.RowsRead, Agreements: r.Agreements,
		OutsideScope: r.Outside, RejectedCount: len(r.Rejects), WarningCount: len(r.Warnings),
		AnnotatedWorkbookPath: strings.Replace(AnnotatedWorkbookPath, "{id}", r.ID, 1)}
}

func submissionToModel(s submission.Submission, run *model.EtlRun) *model.RegisterSubmission {
	return &model.RegisterSubmission{RunID: strconv.FormatUint(s.RunID, 10), SubmittedBy: s.Actor, SubmittedAt: s.At,
		Files: filesToModel(s.Files), Run: run}
}

func (r *Resolver) checkPage(ctx context.Context, id string, warnings bool, first *int, after *string) (*model.EtlRejectConnection, error) {
	report, err := r.Submissions.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	page, err := report.Page(warnings, pageRequest(first, after))
	if err != nil {
		return nil, err
	}
	return rejectConnection(page), nil
}

// runSubmission is the submission of a run, batched per request.
func (r *Resolver) runSubmission(ctx context.Context, runID string) (*model.RegisterSubmission, error) {
	if r.Submissions == nil {
		return nil, nil
	}
	id, err := strconv.ParseUint(runID, 10, 64)
	if err != nil {
		return nil, fault.Invalid("run id %q", runID)
	}
	sub, err := r.loaders(ctx).submission.Load(ctx, id)
	if err != nil || sub == nil {
		return nil, err
	}
	return submissionToModel(*sub, nil), nil
}

func withdrawalToModel(w submission.Withdrawal) *model.AgreementWithdrawal {
	return &model.AgreementWithdrawal{AgreementID: w.AgreementID, Withdrawn: w.Withdrawn, By: w.Actor, At: w.At, Reason: w.Reason}
}

func (r *Resolver) withdrawnAgreements(ctx context.Context, first int) ([]*model.AgreementWithdrawal, error) {
	if r.Submissions == nil {
		return nil, fault.Unavailable("this server takes no submissions")
	}
	ws, err := r.Submissions.Withdrawn(ctx, first)
	if err != nil {
		return nil, err
	}
	out := make([]*model.AgreementWithdrawal, len(ws))
	for i, w := range ws {
		out[i] = withdrawalToModel(w)
	}
	return out, nil
}

func (r *Resolver) auditEvents(ctx context.Context, first *int, before *string) ([]*model.AuditEvent, error) {
	var beforeID uint64
	if before != nil && *before != "" {
		id, err := strconv.ParseUint(*before, 10, 64)
		if err != nil {
			return nil, fault.Invalid("before %q is not an event id", *before)
		}
		beforeID = id
	}
	events, err := r.Accounts.Events(ctx, deref(first, 100), beforeID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.AuditEvent, len(events))
	for i, e := range events {
		out[i] = &model.AuditEvent{ID: strconv.FormatUint(e.ID, 10), At: e.At, Actor: e.Actor, Action: e.Action, Subject: e.Subject, Detail: e.Detail}
	}
	return out, nil
}
