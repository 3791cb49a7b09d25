package ingest

import "github.com/sinergi-id/sinergi/internal/fault"

func invalid(format string, args ...any) error { return fault.Invalid(format, args...) }
