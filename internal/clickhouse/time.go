package clickhouse

import "time"

// nowUTC is the current time truncated to the second, as DateTime stores it.
func nowUTC() time.Time { return time.Now().UTC().Truncate(time.Second) }
