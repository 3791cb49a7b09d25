// Package submissionhttp serves what a register check leaves to download:
// the office's workbook annotated with why each refused row was refused.
package submissionhttp

import (
	"bytes"
	"errors"
	"log/slog"
	"mime"
	"net/http"

	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// AnnotatedWorkbook serves GET …/{id}/…: the check report {id}'s
// annotated workbook, to whoever made the check.
func AnnotatedWorkbook(s *submission.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		name, err := s.AnnotatedWorkbook(r.Context(), r.PathValue("id"), &buf)
		if err != nil {
			status, msg := http.StatusInternalServerError, "internal error"
			switch {
			case errors.Is(err, fault.ErrUnauthenticated):
				status, msg = http.StatusUnauthorized, err.Error()
			case errors.Is(err, fault.ErrForbidden):
				status, msg = http.StatusForbidden, err.Error()
			case errors.Is(err, fault.ErrNotFound):
				status, msg = http.StatusNotFound, err.Error()
			default:
				log.ErrorContext(r.Context(), "annotated workbook", "err", err)
			}
			http.Error(w, msg, status)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	})
}
