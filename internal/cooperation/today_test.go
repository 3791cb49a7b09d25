package cooperation

import (
	"testing"
	"time"
)

// "Today" is the planners' day: in WITA (UTC+8) a new day, and a new month,
// begins at 16:00 UTC.
func TestTodayIsTheDeploymentsDay(t *testing.T) {
	s := NewService(nil, nil, nil)
	for _, c := range []struct{ utc, want string }{
		{"2025-03-31T15:59:59Z", "2025-03-31"},
		{"2025-03-31T16:00:00Z", "2025-04-01"}, // a new month in Kaltim
		{"2025-12-31T23:00:00Z", "2026-01-01"},
		{"2025-06-15T02:00:00Z", "2025-06-15"},
	} {
		now, _ := time.Parse(time.RFC3339, c.utc)
		s.SetClock(func() time.Time { return now })
		if got := s.Today().Format(time.DateOnly); got != c.want {
			t.Errorf("at %s: today %s, want %s (WITA)", c.utc, got, c.want)
		}
		if s.Today().Location() != time.UTC {
			t.Errorf("Today must be a UTC date, like stored dates")
		}
	}
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	s.SetTimeZone(jakarta) // WIB, UTC+7
	now, _ := time.Parse(time.RFC3339, "2025-03-31T16:30:00Z")
	s.SetClock(func() time.Time { return now })
	if got := s.Today().Format(time.DateOnly); got != "2025-03-31" {
		t.Errorf("in WIB at 16:30 UTC: today %s, want 2025-03-31", got)
	}
}

// SetClock replaces the service's clock.
func (s *Service) SetClock(now func() time.Time) { s.now = now }
