package fault_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sinergi-id/sinergi/internal/fault"
)

func TestClassifyShowsOnlyMessagesWrittenForUsers(t *testing.T) {
	for _, c := range []struct {
		err           error
		code, message string
	}{
		{fmt.Errorf("regions: %w", fault.Invalid("level %q is unknown", "X")), fault.CodeBadInput, `level "X" is unknown`},
		{fmt.Errorf("agreement: %w", fault.NotFound("no agreement %q", "A1")), fault.CodeNotFound, `no agreement "A1"`},
		{fmt.Errorf("submit: %w", fault.InputTooLarge(32<<20, "the files are larger than 32 MB together")), fault.CodeTooLarge, "the files are larger than 32 MB together"},
		{fmt.Errorf("guard: %w", fault.Unauthenticated("the key is revoked")), fault.CodeUnauthenticated, "the key is revoked"},
		{fmt.Errorf("submit: %w", fault.Forbidden("your role (viewer) does not allow this")), fault.CodeForbidden, "your role (viewer) does not allow this"},
		{fmt.Errorf("query: %w: code 159", fault.ErrTimeout), fault.CodeTooExpensive, "the query ran past its time limit; narrow it (a region, a year) and try again"},
		{fmt.Errorf("query: %w", fault.ErrTooLarge), fault.CodeTooExpensive, "the answer would be too large; narrow the query"},
		{fault.Unavailable("dial tcp 10.0.0.1:9000: refused"), fault.CodeUnavailable, "the database is unavailable or not ready; try again shortly"},
		{fmt.Errorf("x: %w", context.Canceled), fault.CodeUnavailable, "the request was cancelled or timed out"},
		{errors.New("SELECT secret FROM t: syntax error"), fault.CodeInternal, "internal error"},
	} {
		code, message := fault.Classify(c.err)
		if code != c.code || message != c.message {
			t.Errorf("Classify(%q) = %s, %q; want %s, %q", c.err, code, message, c.code, c.message)
		}
	}
}
