// Package fault defines the kinds of failure that sinergi reports to its
// users. Packages wrap these sentinels with context; Classify (codes.go) is
// the one map from them to the codes and messages clients see, which the
// GraphQL endpoint and the HTTP guard in front of it both use.
package fault

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidInput: the caller asked for something malformed or out of
	// bounds. The message is safe to show.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the database cannot be reached or is not ready.
	ErrUnavailable = errors.New("service unavailable")
	// ErrTimeout: the query ran past its server-side time limit.
	ErrTimeout = errors.New("query time limit exceeded")
	// ErrTooLarge: the answer would exceed a result or memory limit.
	ErrTooLarge = errors.New("result too large")
)

// Invalid returns an ErrInvalidInput whose message is the formatted text.
func Invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalidInput }

// NotFound returns an ErrNotFound naming what was not found.
func NotFound(format string, args ...any) error {
	return &notFoundError{msg: fmt.Sprintf(format, args...)}
}

type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// Unavailable returns an ErrUnavailable whose message says why and is safe
// to show (readiness reports it).
func Unavailable(format string, args ...any) error {
	return &unavailableError{msg: fmt.Sprintf(format, args...)}
}

type unavailableError struct{ msg string }

func (e *unavailableError) Error() string        { return e.msg }
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

// Reason returns the message of the Unavailable error in err's chain, if
// there is one: why the service is unavailable, in words safe to show.
func Reason(err error) (string, bool) {
	var u *unavailableError
	if errors.As(err, &u) {
		return u.msg, true
	}
	return "", false
}

var (
	// ErrUnauthenticated: the request carries no credentials where they are
	// needed, or credentials that are unknown, revoked or expired.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the caller is known, but its role or scope does not
	// allow what it asked. The message says which and is safe to show.
	ErrForbidden = errors.New("forbidden")
)

// Unauthenticated returns an ErrUnauthenticated whose message is safe to
// show.
func Unauthenticated(format string, args ...any) error {
	return &kindError{kind: ErrUnauthenticated, msg: fmt.Sprintf(format, args...)}
}

// Forbidden returns an ErrForbidden whose message is safe to show.
func Forbidden(format string, args ...any) error {
	return &kindError{kind: ErrForbidden, msg: fmt.Sprintf(format, args...)}
}

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// InputTooLarge returns an ErrInvalidInput for input over a size limit of
// maxBytes; the message says so and is safe to show, and clients get the
// limit itself (LimitBytes) to say it in their own words.
func InputTooLarge(maxBytes int64, format string, args ...any) error {
	return &tooLargeError{invalidError: invalidError{msg: fmt.Sprintf(format, args...)}, maxBytes: maxBytes}
}

type tooLargeError struct {
	invalidError
	maxBytes int64
}

// LimitBytes returns the limit of the InputTooLarge error in err's chain,
// if there is one.
func LimitBytes(err error) (int64, bool) {
	var t *tooLargeError
	if errors.As(err, &t) {
		return t.maxBytes, true
	}
	return 0, false
}
