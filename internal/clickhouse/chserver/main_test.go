package chserver

import (
	"os"
	"testing"
)

// TestMain: this test binary is also the supervisor StartLocal starts, and
// the user of a managed server that TestManagedServerLifetime kills.
func TestMain(m *testing.M) {
	if dir := os.Getenv(ClientOfEnv); dir != "" {
		os.Exit(RunClientOf(dir))
	}
	if code, ok := RunSupervisor(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
