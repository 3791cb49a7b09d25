package clickhouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// The driver's reports of cancelled reads are dropped; its other errors
// pass, its warnings do not.
func TestDriverLoggerDropsCancellations(t *testing.T) {
	var buf bytes.Buffer
	log := driverLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log.Error("query processing failed", slog.Any("error", fmt.Errorf("read: %w", context.Canceled)))
	log.Warn("server version is older than supported")
	log.Error("query processing failed", slog.Any("error", errors.New("code: 241, memory limit exceeded")))
	out := buf.String()
	if strings.Contains(out, "canceled") || strings.Contains(out, "older") || !strings.Contains(out, "memory limit exceeded") {
		t.Fatalf("driver log:\n%s", out)
	}
}
