package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/sinergi-id/sinergi/internal/clickhouse"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/cooperation"
)

// Config is sinergi's configuration: defaults, then the config file (YAML,
// --config or SINERGI_CONFIG), then environment variables.
type Config struct {
	DataDir   string `yaml:"data_dir"`
	HTTPAddr  string `yaml:"http_addr"`
	LogLevel  string `yaml:"log_level"`
	LogFormat string `yaml:"log_format"`
	// DebugAddr, when set, serves Go's profiler (net/http/pprof) there:
	// only on a loopback address unless DebugAllowRemote.
	DebugAddr        string `yaml:"debug_addr"`
	DebugAllowRemote bool   `yaml:"debug_allow_remote"`
	// HTTPMaxConnections bounds the API's open connections.
	HTTPMaxConnections int `yaml:"http_max_connections"`
	// CORSAllowedOrigins may call the API from browser apps (httpapi.CORS);
	// none by default (dev adds the local development servers').
	CORSAllowedOrigins []string `yaml:"cors_allowed_origins"`
	// HTTPTrustedProxies are the addresses (CIDR or single IPs) of the
	// proxies in front whose X-Forwarded-For names the client (sign-in
	// limits per address, logs).
	HTTPTrustedProxies []string `yaml:"http_trusted_proxies"`
	// TimeZone is where a day and a month begin for "today" (in force now,
	// expiring within months): the planners' zone.
	TimeZone string `yaml:"time_zone"`

	ClickHouse ClickHouseConfig `yaml:"clickhouse"`
	ZooKeeper  ZooKeeperConfig  `yaml:"zookeeper"`
	GraphQL    GraphQLConfig    `yaml:"graphql"`
	Auth       AuthConfig       `yaml:"auth"`
	Dev        DevConfig        `yaml:"dev"`
	Jobs       []etl.Job        `yaml:"jobs"`
}

// DevConfig is what `sinergi dev` loads besides the real Kaltim data and
// the seed register.
type DevConfig struct {
	// Simulation: load the simulated register (SIMULASI) over the real
	// villages; off withdraws one loaded earlier.
	Simulation bool `yaml:"simulation"`
	// AnonymousRead is auth.anonymous_read under `sinergi dev`: on, so
	// that `make run` needs no key to look at the console.
	AnonymousRead bool `yaml:"anonymous_read"`
}

// AuthConfig says who may do what without credentials, and how people
// sign in.
type AuthConfig struct {
	// AnonymousRead lets requests without a key read everything a viewer
	// reads; off, GraphQL, exports and the console's data need a key or a
	// signed-in session.
	AnonymousRead bool `yaml:"anonymous_read"`
	// SessionLifetime is how long a sign-in holds.
	SessionLifetime time.Duration `yaml:"session_lifetime"`
	// SecureCookies marks the session cookies Secure on plain-HTTP requests
	// too: set it when a proxy in front terminates TLS.
	SecureCookies bool `yaml:"secure_cookies"`
	// OIDC signs people in through an OpenID Connect provider; off
	// without an issuer.
	OIDC OIDCConfig `yaml:"oidc"`
}

// OIDCConfig is the OpenID Connect provider (accountoidc.Config).
type OIDCConfig struct {
	Issuer       string `yaml:"issuer"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// RedirectURL is https://<this server>/auth/oidc/callback, registered
	// with the provider.
	RedirectURL string `yaml:"redirect_url"`
	// RoleClaim holds viewer, editor or admin; ScopesClaim an editor's
	// region codes; NameClaim the person's name in the audit history.
	RoleClaim   string `yaml:"role_claim"`
	ScopesClaim string `yaml:"scopes_claim"`
	NameClaim   string `yaml:"name_claim"`
	// Audience is accepted for Bearer tokens besides the client id.
	Audience string `yaml:"audience"`
}

// ClickHouseConfig says which ClickHouse to use. Without Addr, sinergi runs
// its own server in DataDir.
type ClickHouseConfig struct {
	Addr          string        `yaml:"addr"`
	Database      string        `yaml:"database"`
	Username      string        `yaml:"username"`
	Password      string        `yaml:"password"`
	QueryTimeout  time.Duration `yaml:"query_timeout"`
	MaxResultRows int           `yaml:"max_result_rows"`
	// MaxMemoryUsage bounds one read on the server, in bytes.
	MaxMemoryUsage int64 `yaml:"max_memory_usage"`
	LogQueries     bool  `yaml:"log_queries"`
	// Secure connects with TLS; CAFile and ServerName verify the server's
	// certificate when it is not signed by a system root or not for Addr's host.
	Secure     bool   `yaml:"secure"`
	CAFile     string `yaml:"ca_file"`
	ServerName string `yaml:"server_name"`
	// Cluster names the servers' cluster (remote_servers): cluster mode,
	// see docs/operations.md. It needs ZooKeeper.
	Cluster string `yaml:"cluster"`
	// ConnOpenStrategy picks among several addresses of Addr.
	ConnOpenStrategy   string        `yaml:"conn_open_strategy"`
	ReplicaSyncTimeout time.Duration `yaml:"replica_sync_timeout"`
}

// ZooKeeperConfig is the cluster's coordination service (ZooKeeper or
// ClickHouse Keeper), which sinergi uses for its load lock and to elect one
// scheduler among several `sinergi etl`.
type ZooKeeperConfig struct {
	Servers []string `yaml:"servers"`
	// Root is where sinergi's nodes live; each database has its own below.
	Root           string        `yaml:"root"`
	SessionTimeout time.Duration `yaml:"session_timeout"`
}

// GraphQLConfig bounds GraphQL requests (see graph.Limits).
type GraphQLConfig struct {
	MaxComplexity      int           `yaml:"max_complexity"`
	MaxDepth           int           `yaml:"max_depth"`
	MaxTokens          int           `yaml:"max_tokens"`
	MaxFields          int           `yaml:"max_fields"`
	MaxAliases         int           `yaml:"max_aliases"`
	MaxFragmentSpreads int           `yaml:"max_fragment_spreads"`
	MaxRootFields      int           `yaml:"max_root_fields"`
	MaxBatch           int           `yaml:"max_batch"`
	MaxBodyBytes       int           `yaml:"max_body_bytes"`
	Introspection      bool          `yaml:"introspection"`
	RequestTimeout     time.Duration `yaml:"request_timeout"`
	MaxInFlight        int           `yaml:"max_in_flight"`
	MaxQueued          int           `yaml:"max_queued"`
	// WarmRollups keeps the dashboards' figures of the current generation
	// in memory (internal/warm); off, every question is answered by SQL.
	WarmRollups bool `yaml:"warm_rollups"`
}

func defaultConfig() Config {
	return Config{
		DataDir:            "./var",
		HTTPAddr:           "127.0.0.1:8080",
		HTTPMaxConnections: 1024,
		LogLevel:           "info",
		LogFormat:          "text",
		TimeZone:           cooperation.DefaultTimeZone,
		Dev:                DevConfig{Simulation: true, AnonymousRead: true},
		Auth: AuthConfig{SessionLifetime: account.DefaultSessionLifetime,
			OIDC: OIDCConfig{RoleClaim: "sinergi_role", ScopesClaim: "sinergi_scopes", NameClaim: "preferred_username"}},
		ClickHouse: ClickHouseConfig{
			Database: "sinergi", Username: "default",
			QueryTimeout: 10 * time.Second, MaxResultRows: 1_000_000,
			MaxMemoryUsage:     clickhouse.DefaultMaxMemoryUsage,
			ConnOpenStrategy:   "in_order",
			ReplicaSyncTimeout: 5 * time.Minute,
		},
		ZooKeeper: ZooKeeperConfig{Root: "/sinergi", SessionTimeout: 10 * time.Second},
		GraphQL:   defaultGraphQLConfig(graph.DefaultLimits),
	}
}

func defaultGraphQLConfig(lim graph.Limits) GraphQLConfig {
	return GraphQLConfig{
		MaxComplexity: lim.MaxComplexity, MaxDepth: lim.MaxDepth,
		MaxTokens: lim.MaxTokens, MaxFields: lim.MaxFields, MaxAliases: lim.MaxAliases,
		MaxFragmentSpreads: lim.MaxFragmentSpreads, MaxRootFields: lim.MaxRootFields,
		MaxBatch: lim.MaxBatch, MaxBodyBytes: int(lim.MaxBodyBytes), Introspection: lim.Introspection,
		RequestTimeout: lim.Timeout, MaxInFlight: lim.MaxInFlight, MaxQueued: lim.MaxQueued,
		WarmRollups: true,
	}
}

// limits are the graph limits the configuration sets.
func (g GraphQLConfig) limits() graph.Limits {
	return graph.Limits{
		MaxComplexity: g.MaxComplexity, MaxDepth: g.MaxDepth,
		MaxTokens: g.MaxTokens, MaxFields: g.MaxFields, MaxAliases: g.MaxAliases,
		MaxFragmentSpreads: g.MaxFragmentSpreads, MaxRootFields: g.MaxRootFields,
		MaxBatch: g.MaxBatch, MaxBodyBytes: int64(g.MaxBodyBytes), Introspection: g.Introspection,
		Timeout: g.RequestTimeout, MaxInFlight: g.MaxInFlight, MaxQueued: g.MaxQueued,
	}
}

// setting is one configuration value that the environment can set.
type setting struct {
	env, key string
	set      func(string) error
}

func (c *Config) settings() []setting {
	return []setting{
		{"SINERGI_DATA_DIR", "data_dir", str(&c.DataDir)},
		{"SINERGI_HTTP_ADDR", "http_addr", str(&c.HTTPAddr)},
		{"SINERGI_LOG_LEVEL", "log_level", str(&c.LogLevel)},
		{"SINERGI_LOG_FORMAT", "log_format", str(&c.LogFormat)},
		{"SINERGI_DEBUG_ADDR", "debug_addr", str(&c.DebugAddr)},
		{"SINERGI_DEBUG_ALLOW_REMOTE", "debug_allow_remote", boolean(&c.DebugAllowRemote)},
		{"SINERGI_HTTP_MAX_CONNECTIONS", "http_max_connections", integer(&c.HTTPMaxConnections)},
		{"SINERGI_CORS_ALLOWED_ORIGINS", "cors_allowed_origins", list(&c.CORSAllowedOrigins)},
		{"SINERGI_HTTP_TRUSTED_PROXIES", "http_trusted_proxies", list(&c.HTTPTrustedProxies)},
		{"SINERGI_TIME_ZONE", "time_zone", str(&c.TimeZone)},
		{"SINERGI_CLICKHOUSE_ADDR", "clickhouse.addr", str(&c.ClickHouse.Addr)},
		{"SINERGI_CLICKHOUSE_DATABASE", "clickhouse.database", str(&c.ClickHouse.Database)},
		{"SINERGI_CLICKHOUSE_USERNAME", "clickhouse.username", str(&c.ClickHouse.Username)},
		{"SINERGI_CLICKHOUSE_PASSWORD", "clickhouse.password", str(&c.ClickHouse.Password)},
		{"SINERGI_CLICKHOUSE_QUERY_TIMEOUT", "clickhouse.query_timeout", duration(&c.ClickHouse.QueryTimeout)},
		{"SINERGI_CLICKHOUSE_MAX_RESULT_ROWS", "clickhouse.max_result_rows", integer(&c.ClickHouse.MaxResultRows)},
		{"SINERGI_CLICKHOUSE_MAX_MEMORY_USAGE", "clickhouse.max_memory_usage", byteCount(&c.ClickHouse.MaxMemoryUsage)},
		{"SINERGI_CLICKHOUSE_LOG_QUERIES", "clickhouse.log_queries", boolean(&c.ClickHouse.LogQueries)},
		{"SINERGI_CLICKHOUSE_SECURE", "clickhouse.secure", boolean(&c.ClickHouse.Secure)},
		{"SINERGI_CLICKHOUSE_CA_FILE", "clickhouse.ca_file", str(&c.ClickHouse.CAFile)},
		{"SINERGI_CLICKHOUSE_SERVER_NAME", "clickhouse.server_name", str(&c.ClickHouse.ServerName)},
		{"SINERGI_CLICKHOUSE_CLUSTER", "clickhouse.cluster", str(&c.ClickHouse.Cluster)},
		{"SINERGI_CLICKHOUSE_CONN_OPEN_STRATEGY", "clickhouse.conn_open_strategy", str(&c.ClickHouse.ConnOpenStrategy)},
		{"SINERGI_CLICKHOUSE_REPLICA_SYNC_TIMEOUT", "clickhouse.replica_sync_timeout", duration(&c.ClickHouse.ReplicaSyncTimeout)},
		{"SINERGI_ZOOKEEPER_SERVERS", "zookeeper.servers", list(&c.ZooKeeper.Servers)},
		{"SINERGI_ZOOKEEPER_ROOT", "zookeeper.root", str(&c.ZooKeeper.Root)},
		{"SINERGI_ZOOKEEPER_SESSION_TIMEOUT", "zookeeper.session_timeout", duration(&c.ZooKeeper.SessionTimeout)},
		{"SINERGI_GRAPHQL_MAX_COMPLEXITY", "graphql.max_complexity", integer(&c.GraphQL.MaxComplexity)},
		{"SINERGI_GRAPHQL_MAX_DEPTH", "graphql.max_depth", integer(&c.GraphQL.MaxDepth)},
		{"SINERGI_GRAPHQL_MAX_TOKENS", "graphql.max_tokens", integer(&c.GraphQL.MaxTokens)},
		{"SINERGI_GRAPHQL_MAX_FIELDS", "graphql.max_fields", integer(&c.GraphQL.MaxFields)},
		{"SINERGI_GRAPHQL_MAX_ALIASES", "graphql.max_aliases", integer(&c.GraphQL.MaxAliases)},
		{"SINERGI_GRAPHQL_MAX_FRAGMENT_SPREADS", "graphql.max_fragment_spreads", integer(&c.GraphQL.MaxFragmentSpreads)},
		{"SINERGI_GRAPHQL_MAX_ROOT_FIELDS", "graphql.max_root_fields", integer(&c.GraphQL.MaxRootFields)},
		{"SINERGI_GRAPHQL_MAX_BATCH", "graphql.max_batch", integer(&c.GraphQL.MaxBatch)},
		{"SINERGI_GRAPHQL_MAX_BODY_BYTES", "graphql.max_body_bytes", integer(&c.GraphQL.MaxBodyBytes)},
		{"SINERGI_GRAPHQL_INTROSPECTION", "graphql.introspection", boolean(&c.GraphQL.Introspection)},
		{"SINERGI_GRAPHQL_REQUEST_TIMEOUT", "graphql.request_timeout", duration(&c.GraphQL.RequestTimeout)},
		{"SINERGI_GRAPHQL_MAX_IN_FLIGHT", "graphql.max_in_flight", integer(&c.GraphQL.MaxInFlight)},
		{"SINERGI_GRAPHQL_MAX_QUEUED", "graphql.max_queued", integer(&c.GraphQL.MaxQueued)},
		{"SINERGI_GRAPHQL_WARM_ROLLUPS", "graphql.warm_rollups", boolean(&c.GraphQL.WarmRollups)},
		{"SINERGI_AUTH_ANONYMOUS_READ", "auth.anonymous_read", onOff(&c.Auth.AnonymousRead)},
		{"SINERGI_AUTH_SESSION_LIFETIME", "auth.session_lifetime", duration(&c.Auth.SessionLifetime)},
		{"SINERGI_AUTH_SECURE_COOKIES", "auth.secure_cookies", boolean(&c.Auth.SecureCookies)},
		{"SINERGI_AUTH_OIDC_ISSUER", "auth.oidc.issuer", str(&c.Auth.OIDC.Issuer)},
		{"SINERGI_AUTH_OIDC_CLIENT_ID", "auth.oidc.client_id", str(&c.Auth.OIDC.ClientID)},
		{"SINERGI_AUTH_OIDC_CLIENT_SECRET", "auth.oidc.client_secret", str(&c.Auth.OIDC.ClientSecret)},
		{"SINERGI_AUTH_OIDC_REDIRECT_URL", "auth.oidc.redirect_url", str(&c.Auth.OIDC.RedirectURL)},
		{"SINERGI_AUTH_OIDC_ROLE_CLAIM", "auth.oidc.role_claim", str(&c.Auth.OIDC.RoleClaim)},
		{"SINERGI_AUTH_OIDC_SCOPES_CLAIM", "auth.oidc.scopes_claim", str(&c.Auth.OIDC.ScopesClaim)},
		{"SINERGI_AUTH_OIDC_NAME_CLAIM", "auth.oidc.name_claim", str(&c.Auth.OIDC.NameClaim)},
		{"SINERGI_AUTH_OIDC_AUDIENCE", "auth.oidc.audience", str(&c.Auth.OIDC.Audience)},
		{"SINERGI_DEV_SIMULATION", "dev.simulation", onOff(&c.Dev.Simulation)},
		{"SINERGI_DEV_ANONYMOUS_READ", "dev.anonymous_read", onOff(&c.Dev.AnonymousRead)},
	}
}

func str(p *string) func(string) error { return func(v string) error { *p = v; return nil } }

// list reads a comma-separated list.
func list(p *[]string) func(string) error {
	return func(v string) error {
		*p = nil
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*p = append(*p, item)
			}
		}
		return nil
	}
}

func duration(p *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration (e.g. 10s, 2m)", v)
		}
		*p = d
		return nil
	}
}

func byteCount(p *int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number of bytes", v)
		}
		*p = n
		return nil
	}
}

func boolean(p *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is neither true nor false", v)
		}
		*p = b
		return nil
	}
}

// onOff reads a switch: on/off as well as true/false.
func onOff(p *bool) func(string) error {
	return func(v string) error {
		switch strings.ToLower(v) {
		case "on", "yes":
			*p = true
			return nil
		case "off", "no":
			*p = false
			return nil
		}
		return boolean(p)(v)
	}
}

func integer(p *int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p = n
		return nil
	}
}

// loadConfig reads the file (if any) and the environment, then checks
// every value. Errors name the setting.
func loadConfig(path string, lookupEnv func(string) (string, bool)) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		path, _ = lookupEnv("SINERGI_CONFIG")
	}
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		if err := yaml.UnmarshalWithOptions(raw, &cfg, yaml.Strict()); err != nil {
			return cfg, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	// A variable that is set overrides the file, also when it is empty
	// (SINERGI_CLICKHOUSE_PASSWORD= means no password, whatever the file
	// says); an empty number, duration or switch is refused like any
	// other value that is not one.
	for _, s := range cfg.settings() {
		if v, ok := lookupEnv(s.env); ok {
			if err := s.set(v); err != nil {
				return cfg, fmt.Errorf("setting %s (%s): %w", s.env, s.key, err)
			}
		}
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	var errs []error
	bad := func(env, key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("setting %s (%s): %s", env, key, fmt.Sprintf(format, args...)))
	}
	if c.DataDir == "" {
		bad("SINERGI_DATA_DIR", "data_dir", "must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("SINERGI_HTTP_ADDR", "http_addr", "%q is not host:port", c.HTTPAddr)
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			bad("SINERGI_DEBUG_ADDR", "debug_addr", "%q is not host:port", c.DebugAddr)
		}
	}
	if c.HTTPMaxConnections < 1 {
		bad("SINERGI_HTTP_MAX_CONNECTIONS", "http_max_connections", "must be positive")
	}
	for _, origin := range c.CORSAllowedOrigins {
		if err := checkOrigin(origin); err != nil {
			bad("SINERGI_CORS_ALLOWED_ORIGINS", "cors_allowed_origins", "%v", err)
		}
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		bad("SINERGI_LOG_LEVEL", "log_level", "%v", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("SINERGI_LOG_FORMAT", "log_format", "%q is neither text nor json", c.LogFormat)
	}
	for _, addr := range strings.Split(c.ClickHouse.Addr, ",") {
		if c.ClickHouse.Addr == "" {
			break
		}
		if _, _, err := net.SplitHostPort(strings.TrimSpace(addr)); err != nil {
			bad("SINERGI_CLICKHOUSE_ADDR", "clickhouse.addr", "%q is not host:port (the native protocol port, usually 9000; several separated by commas)", addr)
		}
	}
	if !clickhouse.ValidConnOpenStrategy(c.ClickHouse.ConnOpenStrategy) {
		bad("SINERGI_CLICKHOUSE_CONN_OPEN_STRATEGY", "clickhouse.conn_open_strategy", "%q is not in_order, round_robin or random", c.ClickHouse.ConnOpenStrategy)
	}
	if c.ClickHouse.ReplicaSyncTimeout < time.Second {
		bad("SINERGI_CLICKHOUSE_REPLICA_SYNC_TIMEOUT", "clickhouse.replica_sync_timeout", "must be at least 1s")
	}
	if c.ClickHouse.Cluster != "" {
		if !isIdentifier(c.ClickHouse.Cluster) {
			bad("SINERGI_CLICKHOUSE_CLUSTER", "clickhouse.cluster", "%q must be letters, digits and underscores (a cluster of the servers' remote_servers)", c.ClickHouse.Cluster)
		}
		if c.ClickHouse.Addr == "" {
			bad("SINERGI_CLICKHOUSE_CLUSTER", "clickhouse.cluster", "needs clickhouse.addr: the managed ClickHouse is one server")
		}
		if len(c.ZooKeeper.Servers) == 0 {
			bad("SINERGI_ZOOKEEPER_SERVERS", "zookeeper.servers", "a cluster needs its ZooKeeper (or Keeper) servers: sinergi keeps its load lock and scheduler election there")
		}
	}
	for _, addr := range c.ZooKeeper.Servers {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			bad("SINERGI_ZOOKEEPER_SERVERS", "zookeeper.servers", "%q is not host:port (usually 2181)", addr)
		}
	}
	if !strings.HasPrefix(c.ZooKeeper.Root, "/") || strings.HasSuffix(c.ZooKeeper.Root, "/") {
		bad("SINERGI_ZOOKEEPER_ROOT", "zookeeper.root", "%q must start with / and not end with it", c.ZooKeeper.Root)
	}
	if c.ZooKeeper.SessionTimeout < time.Second {
		bad("SINERGI_ZOOKEEPER_SESSION_TIMEOUT", "zookeeper.session_timeout", "must be at least 1s")
	}
	if !c.ClickHouse.Secure && (c.ClickHouse.CAFile != "" || c.ClickHouse.ServerName != "") {
		bad("SINERGI_CLICKHOUSE_SECURE", "clickhouse.secure", "must be true when a CA file or server name is set (they verify TLS)")
	}
	if c.ClickHouse.Secure && c.ClickHouse.Addr == "" {
		bad("SINERGI_CLICKHOUSE_SECURE", "clickhouse.secure", "needs clickhouse.addr: the managed local server speaks plain TCP on 127.0.0.1")
	}
	if _, err := c.trustedProxies(); err != nil {
		bad("SINERGI_HTTP_TRUSTED_PROXIES", "http_trusted_proxies", "%v", err)
	}
	if o := c.Auth.OIDC; o.Issuer != "" {
		for _, u := range []struct{ env, key, value string }{
			{"SINERGI_AUTH_OIDC_ISSUER", "auth.oidc.issuer", o.Issuer},
			{"SINERGI_AUTH_OIDC_REDIRECT_URL", "auth.oidc.redirect_url", o.RedirectURL},
		} {
			if !secureURL(u.value) {
				bad(u.env, u.key, "%q must be an https:// URL (http:// only on localhost)", u.value)
			}
		}
		if o.ClientID == "" {
			bad("SINERGI_AUTH_OIDC_CLIENT_ID", "auth.oidc.client_id", "is needed with an issuer")
		}
		if o.RoleClaim == "" || o.ScopesClaim == "" || o.NameClaim == "" {
			bad("SINERGI_AUTH_OIDC_ROLE_CLAIM", "auth.oidc.role_claim", "the role, scopes and name claims must be named")
		}
	} else if o.ClientID != "" || o.RedirectURL != "" {
		bad("SINERGI_AUTH_OIDC_ISSUER", "auth.oidc.issuer", "is needed with a client id or redirect URL")
	}
	if c.Auth.SessionLifetime < time.Minute || c.Auth.SessionLifetime > 30*24*time.Hour {
		bad("SINERGI_AUTH_SESSION_LIFETIME", "auth.session_lifetime", "must be between 1m and 720h")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		bad("SINERGI_TIME_ZONE", "time_zone", "%q is not a time zone name (e.g. Asia/Makassar, Asia/Jakarta)", c.TimeZone)
	}
	if !isIdentifier(c.ClickHouse.Database) {
		bad("SINERGI_CLICKHOUSE_DATABASE", "clickhouse.database", "%q must be letters, digits and underscores", c.ClickHouse.Database)
	}
	if c.ClickHouse.QueryTimeout < time.Second {
		bad("SINERGI_CLICKHOUSE_QUERY_TIMEOUT", "clickhouse.query_timeout", "must be at least 1s")
	}
	if c.ClickHouse.MaxResultRows < 1 {
		bad("SINERGI_CLICKHOUSE_MAX_RESULT_ROWS", "clickhouse.max_result_rows", "must be positive")
	}
	if c.ClickHouse.MaxMemoryUsage < 10_000_000 {
		bad("SINERGI_CLICKHOUSE_MAX_MEMORY_USAGE", "clickhouse.max_memory_usage", "must be at least 10000000 (10 MB)")
	}
	if c.GraphQL.MaxComplexity < 1 {
		bad("SINERGI_GRAPHQL_MAX_COMPLEXITY", "graphql.max_complexity", "must be positive")
	}
	if c.GraphQL.MaxDepth < 2 {
		bad("SINERGI_GRAPHQL_MAX_DEPTH", "graphql.max_depth", "must be at least 2")
	}
	for _, lim := range []struct {
		env, key string
		value    int
	}{
		{"SINERGI_GRAPHQL_MAX_TOKENS", "graphql.max_tokens", c.GraphQL.MaxTokens},
		{"SINERGI_GRAPHQL_MAX_FIELDS", "graphql.max_fields", c.GraphQL.MaxFields},
		{"SINERGI_GRAPHQL_MAX_ALIASES", "graphql.max_aliases", c.GraphQL.MaxAliases},
		{"SINERGI_GRAPHQL_MAX_FRAGMENT_SPREADS", "graphql.max_fragment_spreads", c.GraphQL.MaxFragmentSpreads},
		{"SINERGI_GRAPHQL_MAX_ROOT_FIELDS", "graphql.max_root_fields", c.GraphQL.MaxRootFields},
		{"SINERGI_GRAPHQL_MAX_BATCH", "graphql.max_batch", c.GraphQL.MaxBatch},
	} {
		if lim.value < 1 {
			bad(lim.env, lim.key, "must be positive")
		}
	}
	if c.GraphQL.MaxBodyBytes < 1024 {
		bad("SINERGI_GRAPHQL_MAX_BODY_BYTES", "graphql.max_body_bytes", "must be at least 1024")
	}
	if c.GraphQL.RequestTimeout < time.Second {
		bad("SINERGI_GRAPHQL_REQUEST_TIMEOUT", "graphql.request_timeout", "must be at least 1s")
	}
	if c.GraphQL.MaxInFlight < 1 {
		bad("SINERGI_GRAPHQL_MAX_IN_FLIGHT", "graphql.max_in_flight", "must be positive")
	}
	if c.GraphQL.MaxQueued < 0 {
		bad("SINERGI_GRAPHQL_MAX_QUEUED", "graphql.max_queued", "must not be negative")
	}
	for i, j := range c.Jobs {
		if j.Name == "" {
			j.Name = j.Dataset
		}
		if err := j.Validate(datasetNames); err != nil {
			errs = append(errs, fmt.Errorf("setting jobs[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// checkOrigin accepts an origin as browsers send it (scheme://host[:port],
// nothing after) or "*" for any.
func checkOrigin(origin string) error {
	if origin == "*" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an origin like https://dashboard.example.go.id or http://localhost:5173", origin)
	}
	return nil
}

func isIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("%q is not one of debug, info, warn, error", s)
	}
	return l, nil
}

func newLogger(c Config) *slog.Logger {
	lvl, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// trustedProxies reads http_trusted_proxies: CIDR prefixes or single
// addresses.
func (c Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.HTTPTrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix (10.0.0.0/8)", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// secureURL: an https URL, or http on the loopback interface.
func secureURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return u.Scheme == "http" && (u.Hostname() == "localhost" || err == nil && ip.IsLoopback())
}
