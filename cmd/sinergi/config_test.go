package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/graph"
)

// env is an environment holding m's variables (set, even when empty).
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestEmptyEnvironmentValueOverridesTheFile: a variable set to "" is set:
// it overrides the file's value (issue 11: it was taken for unset).
func TestEmptyEnvironmentValueOverridesTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sinergi.yaml")
	os.WriteFile(file, []byte(`
debug_addr: 127.0.0.1:6060
cors_allowed_origins: [https://dasbor.example.go.id]
clickhouse:
  addr: db.internal:9000
  password: from-the-file
`), 0o644)
	cfg, err := loadConfig(file, env(map[string]string{"SINERGI_CLICKHOUSE_PASSWORD": "", "SINERGI_DEBUG_ADDR": "",
		"SINERGI_CORS_ALLOWED_ORIGINS": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClickHouse.Password != "" || cfg.DebugAddr != "" || len(cfg.CORSAllowedOrigins) != 0 {
		t.Errorf("empty variables did not override the file: password %q, debug_addr %q, origins %q",
			cfg.ClickHouse.Password, cfg.DebugAddr, cfg.CORSAllowedOrigins)
	}
	if cfg.ClickHouse.Addr != "db.internal:9000" {
		t.Errorf("an unset variable changed the file's value: %q", cfg.ClickHouse.Addr)
	}
	if _, err := loadConfig(file, env(map[string]string{"SINERGI_GRAPHQL_MAX_DEPTH": ""})); err == nil ||
		!strings.Contains(err.Error(), "SINERGI_GRAPHQL_MAX_DEPTH") {
		t.Errorf("an empty number: err = %v, want one naming SINERGI_GRAPHQL_MAX_DEPTH", err)
	}
}

func TestConfigDefaultsFileThenEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sinergi.yaml")
	os.WriteFile(file, []byte(`
http_addr: 127.0.0.1:9090
clickhouse:
  addr: db.internal:9000
  query_timeout: 20s
jobs:
  - dataset: idm
    source: /data/idm/*.csv
    schedule: "0 3 * * *"
`), 0o644)
	cfg, err := loadConfig(file, env(map[string]string{"SINERGI_HTTP_ADDR": "0.0.0.0:8081"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "0.0.0.0:8081" {
		t.Errorf("environment must win over the file: %s", cfg.HTTPAddr)
	}
	if cfg.ClickHouse.Addr != "db.internal:9000" || cfg.ClickHouse.QueryTimeout != 20*time.Second {
		t.Errorf("file values lost: %+v", cfg.ClickHouse)
	}
	if cfg.DataDir != "./var" || cfg.ClickHouse.Database != "sinergi" {
		t.Errorf("defaults lost: %+v", cfg)
	}
	cloud, err := loadConfig("", env(map[string]string{"SINERGI_CLICKHOUSE_ADDR": "abc.eu-central-1.aws.clickhouse.cloud:9440",
		"SINERGI_CLICKHOUSE_SECURE": "true", "SINERGI_CLICKHOUSE_SERVER_NAME": "abc.eu-central-1.aws.clickhouse.cloud"}))
	if err != nil || !cloud.ClickHouse.Secure || cloud.ClickHouse.ServerName != "abc.eu-central-1.aws.clickhouse.cloud" {
		t.Errorf("TLS settings: %+v, %v", cloud.ClickHouse, err)
	}
	if len(cfg.Jobs) != 1 || cfg.Jobs[0].Dataset != "idm" {
		t.Errorf("jobs: %+v", cfg.Jobs)
	}
}

func TestBadConfigurationNamesTheSetting(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		file string
		want string
	}{
		{env: map[string]string{"SINERGI_HTTP_ADDR": "8080"}, want: "SINERGI_HTTP_ADDR"},
		{env: map[string]string{"SINERGI_CLICKHOUSE_QUERY_TIMEOUT": "ten"}, want: "SINERGI_CLICKHOUSE_QUERY_TIMEOUT"},
		{env: map[string]string{"SINERGI_CLICKHOUSE_ADDR": "localhost"}, want: "SINERGI_CLICKHOUSE_ADDR"},
		{env: map[string]string{"SINERGI_CLICKHOUSE_DATABASE": "x; DROP"}, want: "SINERGI_CLICKHOUSE_DATABASE"},
		{env: map[string]string{"SINERGI_LOG_LEVEL": "loud"}, want: "SINERGI_LOG_LEVEL"},
		{env: map[string]string{"SINERGI_GRAPHQL_MAX_DEPTH": "1"}, want: "SINERGI_GRAPHQL_MAX_DEPTH"},
		{env: map[string]string{"SINERGI_GRAPHQL_MAX_ALIASES": "0"}, want: "SINERGI_GRAPHQL_MAX_ALIASES"},
		{env: map[string]string{"SINERGI_CORS_ALLOWED_ORIGINS": "http://localhost:5173, dashboard.example"}, want: "SINERGI_CORS_ALLOWED_ORIGINS"},
		{env: map[string]string{"SINERGI_CORS_ALLOWED_ORIGINS": "https://x.example/app"}, want: "SINERGI_CORS_ALLOWED_ORIGINS"},
		{env: map[string]string{"SINERGI_HTTP_MAX_CONNECTIONS": "0"}, want: "SINERGI_HTTP_MAX_CONNECTIONS"},
		{env: map[string]string{"SINERGI_DEBUG_ALLOW_REMOTE": "perhaps"}, want: "SINERGI_DEBUG_ALLOW_REMOTE"},
		{env: map[string]string{"SINERGI_GRAPHQL_MAX_BODY_BYTES": "10"}, want: "SINERGI_GRAPHQL_MAX_BODY_BYTES"},
		{env: map[string]string{"SINERGI_GRAPHQL_INTROSPECTION": "maybe"}, want: "SINERGI_GRAPHQL_INTROSPECTION"},
		{env: map[string]string{"SINERGI_CLICKHOUSE_SECURE": "yes please"}, want: "SINERGI_CLICKHOUSE_SECURE"},
		{env: map[string]string{"SINERGI_CLICKHOUSE_ADDR": "db:9440", "SINERGI_CLICKHOUSE_CA_FILE": "ca.pem"}, want: "SINERGI_CLICKHOUSE_SECURE"},
		{env: map[string]string{"SINERGI_CLICKHOUSE_SECURE": "true"}, want: "clickhouse.addr"},
		{env: map[string]string{"SINERGI_HTTP_TRUSTED_PROXIES": "10.0.0.0/8, lb.internal"}, want: "SINERGI_HTTP_TRUSTED_PROXIES"},
		{env: map[string]string{"SINERGI_AUTH_SESSION_LIFETIME": "10s"}, want: "SINERGI_AUTH_SESSION_LIFETIME"},
		{env: map[string]string{"SINERGI_AUTH_OIDC_ISSUER": "https://sso.example/realms/x", "SINERGI_AUTH_OIDC_REDIRECT_URL": "https://d.example/auth/oidc/callback"}, want: "SINERGI_AUTH_OIDC_CLIENT_ID"},
		{env: map[string]string{"SINERGI_AUTH_OIDC_ISSUER": "http://sso.example/realms/x", "SINERGI_AUTH_OIDC_CLIENT_ID": "c", "SINERGI_AUTH_OIDC_REDIRECT_URL": "https://d.example/auth/oidc/callback"}, want: "SINERGI_AUTH_OIDC_ISSUER"},
		{env: map[string]string{"SINERGI_AUTH_OIDC_CLIENT_ID": "c"}, want: "SINERGI_AUTH_OIDC_ISSUER"},
		{file: "htp_addr: x\n", want: "htp_addr"},
		{file: "jobs:\n  - dataset: idm\n    source: a.csv\n    schedule: whenever\n", want: "jobs[0]"},
	} {
		path := ""
		if tc.file != "" {
			path = filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(tc.file), 0o644)
		}
		_, err := loadConfig(path, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %q: got %v, want an error naming %s", tc.env, tc.file, err, tc.want)
		}
	}
}

func TestDevSimulationSwitch(t *testing.T) {
	cfg, err := loadConfig("", env(nil))
	if err != nil || !cfg.Dev.Simulation {
		t.Fatalf("default: simulation %v (%v), want on", cfg.Dev.Simulation, err)
	}
	for v, want := range map[string]bool{"off": false, "OFF": false, "false": false, "0": false, "on": true, "true": true} {
		cfg, err := loadConfig("", env(map[string]string{"SINERGI_DEV_SIMULATION": v}))
		if err != nil || cfg.Dev.Simulation != want {
			t.Errorf("SINERGI_DEV_SIMULATION=%s: %v (%v), want %v", v, cfg.Dev.Simulation, err, want)
		}
	}
	if _, err := loadConfig("", env(map[string]string{"SINERGI_DEV_SIMULATION": "maybe"})); err == nil ||
		!strings.Contains(err.Error(), "SINERGI_DEV_SIMULATION") {
		t.Errorf("a bad value: %v, want an error naming the setting", err)
	}
}

// The defaults are graph's; every GraphQL setting reaches the limits.
func TestGraphQLSettingsReachTheLimits(t *testing.T) {
	cfg, err := loadConfig("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.GraphQL.limits(); got != graph.DefaultLimits {
		t.Fatalf("default limits %+v, want %+v", got, graph.DefaultLimits)
	}
	cfg, err = loadConfig("", env(map[string]string{
		"SINERGI_GRAPHQL_MAX_TOKENS": "100", "SINERGI_GRAPHQL_MAX_FIELDS": "101", "SINERGI_GRAPHQL_MAX_ALIASES": "102",
		"SINERGI_GRAPHQL_MAX_FRAGMENT_SPREADS": "103", "SINERGI_GRAPHQL_MAX_ROOT_FIELDS": "104", "SINERGI_GRAPHQL_MAX_BATCH": "1",
		"SINERGI_GRAPHQL_MAX_BODY_BYTES": "4096", "SINERGI_GRAPHQL_INTROSPECTION": "false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	lim := cfg.GraphQL.limits()
	if lim.MaxTokens != 100 || lim.MaxFields != 101 || lim.MaxAliases != 102 || lim.MaxFragmentSpreads != 103 ||
		lim.MaxRootFields != 104 || lim.MaxBatch != 1 || lim.MaxBodyBytes != 4096 || lim.Introspection {
		t.Fatalf("limits %+v", lim)
	}
}

// No browser origin may call the API unless configured; a list comes from
// the environment comma-separated, or from the file.
func TestCORSOrigins(t *testing.T) {
	cfg, err := loadConfig("", env(nil))
	if err != nil || len(cfg.CORSAllowedOrigins) != 0 {
		t.Fatalf("default origins %v (%v), want none", cfg.CORSAllowedOrigins, err)
	}
	cfg, err = loadConfig("", env(map[string]string{"SINERGI_CORS_ALLOWED_ORIGINS": " https://dasbor.kaltimprov.go.id, http://localhost:5173 ,"}))
	if err != nil || !slices.Equal(cfg.CORSAllowedOrigins, []string{"https://dasbor.kaltimprov.go.id", "http://localhost:5173"}) {
		t.Fatalf("origins %q (%v)", cfg.CORSAllowedOrigins, err)
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte("cors_allowed_origins: [\"*\"]\n"), 0o644)
	if cfg, err := loadConfig(file, env(nil)); err != nil || !slices.Equal(cfg.CORSAllowedOrigins, []string{"*"}) {
		t.Fatalf("from the file: %q (%v)", cfg.CORSAllowedOrigins, err)
	}
}

// TestExampleProductionConfigLoads: deploy/sinergi.yaml, the example that
// docs/operations.md installs, is a valid configuration (the file is read
// strictly: a misspelt key fails) of a cluster with TLS and keys required.
func TestExampleProductionConfigLoads(t *testing.T) {
	cfg, err := loadConfig(filepath.Join("..", "..", "deploy", "sinergi.yaml"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	ch := cfg.ClickHouse
	if ch.Cluster == "" || len(strings.Split(ch.Addr, ",")) < 2 || !ch.Secure || len(cfg.ZooKeeper.Servers) == 0 {
		t.Errorf("the example is not a cluster over TLS with ZooKeeper: cluster %q, addr %q, secure %v, zookeeper %v",
			ch.Cluster, ch.Addr, ch.Secure, cfg.ZooKeeper.Servers)
	}
	if cfg.Auth.AnonymousRead {
		t.Error("the example lets anyone read")
	}
	if len(cfg.Jobs) == 0 {
		t.Error("the example schedules no loads")
	}
}
