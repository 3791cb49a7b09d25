package clickhouse_test

import (
	"os"
	"testing"

	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }
