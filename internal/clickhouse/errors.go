package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/sinergi-id/sinergi/internal/fault"
)

// ClickHouse exception codes sinergi tells apart.
const (
	codeTimeoutExceeded    = 159
	codeTooSlow            = 160 // the estimated time is past max_execution_time
	codeTooManyRows        = 158
	codeTooManyRowsOrBytes = 396
	codeMemoryLimit        = 241
	codeUnknownTable       = 60
	codeUnknownDatabase    = 81
	codeQueryWasCancelled  = 394
	codeTableAlreadyExists = 57
	codeTableIsDropped     = 218
	codeTableIsReadOnly    = 242
)

// Exception is a ClickHouse server exception; the original is kept for logs.
type Exception = ch.Exception

// mapError is the one place that turns ClickHouse and network failures into
// sinergi's fault kinds. The original error stays wrapped for the logs; users
// see only the fault kind.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var exc *ch.Exception
	if errors.As(err, &exc) {
		switch exc.Code {
		case codeTimeoutExceeded, codeTooSlow:
			return fmt.Errorf("%w: %w", fault.ErrTimeout, err)
		case codeTooManyRows, codeTooManyRowsOrBytes, codeMemoryLimit:
			return fmt.Errorf("%w: %w", fault.ErrTooLarge, err)
		case codeUnknownTable, codeUnknownDatabase:
			// The schema is not migrated: the service is not ready.
			return fmt.Errorf("%w: %w", fault.ErrUnavailable, err)
		case codeQueryWasCancelled:
			return fmt.Errorf("%w: %w", context.Canceled, err)
		}
		return err
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ch.ErrAcquireConnTimeout) ||
		errors.Is(err, ch.ErrConnectionClosed) {
		return fmt.Errorf("%w: %w", fault.ErrUnavailable, err)
	}
	return err
}

// hasCode reports whether err is (or wraps) a ClickHouse exception with
// the given code.
func hasCode(err error, code int32) bool {
	var exc *ch.Exception
	return errors.As(err, &exc) && exc.Code == code
}
