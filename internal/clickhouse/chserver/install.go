package chserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
)

// ErrServerNotInstalled means no ClickHouse server binary was found.
var ErrServerNotInstalled = errors.New("clickhouse server is not installed")

const installCmd = "apt-get install clickhouse-server clickhouse-client"

// FindServerBinary returns the path of the ClickHouse server: clickhouse-server
// on PATH or where Debian puts it, else the single clickhouse binary.
func FindServerBinary() (string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return p, nil
	}
	if isExecutable("/usr/bin/clickhouse") {
		return "/usr/bin/clickhouse", nil
	}
	return "", notInstalled("")
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// notInstalled is the ErrServerNotInstalled error telling the user what to
// do; sudo is "sudo " when the install needs root.
func notInstalled(sudo string) error {
	return fmt.Errorf("%w: no clickhouse-server or clickhouse binary on PATH or in /usr/sbin, /usr/bin; "+
		"run `sinergi setup`, or install it with `%s%s` (Debian/Ubuntu) or ClickHouse's own packages (https://clickhouse.com/docs/install), "+
		"or use an external server by setting SINERGI_CLICKHOUSE_ADDR",
		ErrServerNotInstalled, sudo, installCmd)
}

// EnsureInstalled returns the ClickHouse server binary, installing the
// Debian packages first when it is missing and this process may (root, with
// apt-get).
func EnsureInstalled(ctx context.Context, log *slog.Logger) (string, error) {
	if p, err := FindServerBinary(); err == nil {
		return p, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", notInstalled("")
	}
	if os.Geteuid() != 0 {
		return "", notInstalled("sudo apt-get update && sudo ")
	}
	log.Info("ClickHouse is not installed, installing it with apt-get", "packages", "clickhouse-server clickhouse-client")
	for _, args := range [][]string{
		{"update"},
		{"install", "-y", "clickhouse-server", "clickhouse-client"},
	} {
		log.Info("running apt-get " + strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("clickhouse install: apt-get %s: %w", args[0], err)
		}
	}
	p, err := FindServerBinary()
	if err != nil {
		return "", fmt.Errorf("clickhouse install: apt-get succeeded but: %w", err)
	}
	log.Info("ClickHouse installed", "binary", p)
	return p, nil
}
