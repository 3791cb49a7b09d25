package clickhouse_test

import (
	"os"
	"testing"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(clickhouse.ClientOfEnv); dir != "" {
		os.Exit(clickhouse.RunClientOf(dir)) // a user of a managed server, for TestManagedServerLifetime
	}
	os.Exit(clickhousetest.Main(m))
}
