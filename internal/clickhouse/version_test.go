package clickhouse_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestDriverSupports(t *testing.T) {
	for v, want := range map[string]bool{"18.16.1": false, "24.8.4.13": false, "25.8.1.1": true, "26.7.2.1": true} {
		if got := clickhouse.DriverSupports(v); got != want {
			t.Errorf("DriverSupports(%s) = %v, want %v", v, got, want)
		}
	}
}

// At start the server's version is logged once, and a server older than
// the driver supports (the 18.16 test server) is said to be so.
func TestCheckServerLogsTheVersion(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	cfg := clickhousetest.Config(t)
	cfg.Database = "default"
	db, err := clickhouse.Open(t.Context(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckServer(t.Context()); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "level=INFO msg=\"ClickHouse server\" version=18.16.1") {
		t.Errorf("no version logged:\n%s", text)
	}
	if !strings.Contains(text, "level=WARN") || !strings.Contains(text, "older than the driver supports") || !strings.Contains(text, "oldest_supported=25.8") {
		t.Errorf("no warning about the old server:\n%s", text)
	}
}
