package cooperation

import "github.com/sinergi-id/sinergi/internal/fault"

// ErrTooManyGroups is returned when a cooperationStats answer would exceed
// MaxStatsRows groups.
var ErrTooManyGroups = fault.Invalid("the answer has more than %d groups: use fewer or coarser dimensions, or a narrower filter", MaxStatsRows)
