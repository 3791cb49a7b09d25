package chserver

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// The managed server's users. Only sinergi knows their passwords, which are
// generated once per data directory and kept in credentials.json (0600), so
// no other account on the machine can connect at all; there is no `default`
// user.
const (
	// AdminUser loads, migrates and keeps the ETL's books: DDL and writes.
	AdminUser = "sinergi_admin"
	// ReaderUser answers the API: readonly = 1, which on ClickHouse 18.16
	// refuses every write, DDL and table function (url, remote, file, …),
	// and ignores settings sent with a query, so the reader cannot lift the
	// limits of its profile (ReaderLimits).
	ReaderUser = "sinergi_reader"
)

// Account is a user of the managed server and its password.
type Account struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

type credentials struct {
	Admin  Account `json:"admin"`
	Reader Account `json:"reader"`
}

// ReaderLimits are the reader's profile: the server enforces them on every
// read of the API (the reader cannot change them; see ReaderUser).
type ReaderLimits struct {
	MaxExecutionTime time.Duration // max_execution_time, rounded up to seconds
	MaxResultRows    int           // max_result_rows
	MaxMemoryUsage   int64         // max_memory_usage, bytes per read
	LogQueries       bool          // log_queries, for the benchmarks
}

// DefaultReaderLimits are sinergi's defaults (as Config.Defaults).
var DefaultReaderLimits = ReaderLimits{MaxExecutionTime: 10 * time.Second, MaxResultRows: 1_000_000, MaxMemoryUsage: clickhouse.DefaultMaxMemoryUsage}

// Server-wide bounds of the managed server, in bytes and statements: a
// development machine is shared with other work.
const (
	adminMaxMemoryUsage  = 4_000_000_000 // one ETL statement
	allQueriesMaxMemory  = 8_000_000_000 // max_memory_usage_for_all_queries of either user
	maxConcurrentQueries = 64            // the two pools hold at most 32 connections
	// The reader's quota per minute: 20 minutes of execution time, far
	// above what max_in_flight reads can use, so it only stops a runaway.
	readerQuotaSeconds = 1200
)

func credentialsPath(dir string) string { return filepath.Join(dir, "credentials.json") }
func limitsPath(dir string) string      { return filepath.Join(dir, "reader_limits.json") }

// loadCredentials reads the data directory's passwords, generating them
// the first time.
func loadCredentials(dir string) (credentials, error) {
	var c credentials
	b, err := os.ReadFile(credentialsPath(dir))
	if err == nil {
		if err := json.Unmarshal(b, &c); err != nil || c.Admin.Password == "" || c.Reader.Password == "" {
			return c, fmt.Errorf("%s is damaged: remove it to generate new passwords (%v)", credentialsPath(dir), err)
		}
		return c, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return c, err
	}
	c = credentials{Admin: Account{User: AdminUser, Password: newPassword()}, Reader: Account{User: ReaderUser, Password: newPassword()}}
	b, _ = json.MarshalIndent(c, "", "  ")
	return c, writeFileAtomic(credentialsPath(dir), append(b, '\n'))
}

func newPassword() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func readReaderLimits(dir string) ReaderLimits {
	lim := DefaultReaderLimits
	if b, err := os.ReadFile(limitsPath(dir)); err == nil {
		_ = json.Unmarshal(b, &lim)
	}
	return lim
}

// writeFileAtomic replaces a file, readable by this account only, so that
// a reader never sees half of it.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// The server's configuration, rewritten on every start. Paths are XML
// escaped; everything else is ours. Only the native protocol listens, on
// loopback.
var configTemplate = template.Must(template.New("config.xml").Funcs(template.FuncMap{"xml": xmlEscape}).Parse(
	`<?xml version="1.0"?>
<!-- Written by sinergi on every start of the ClickHouse server it manages. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>{{xml .Dir}}/log/clickhouse-server.log</log>
        <errorlog>{{xml .Dir}}/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
        <console>0</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <max_concurrent_queries>{{.MaxConcurrentQueries}}</max_concurrent_queries>
    <path>{{xml .Dir}}/data/</path>
    <tmp_path>{{xml .Dir}}/tmp/</tmp_path>
    <user_files_path>{{xml .Dir}}/user_files/</user_files_path>
    <format_schema_path>{{xml .Dir}}/format_schemas/</format_schema_path>
    <users_config>{{xml .Dir}}/users.xml</users_config>
    <default_profile>admin</default_profile>
    <!-- Tells sinergi that the server answering on its port is this one. -->
    <macros>
        <sinergi_dir>{{xml .Dir}}</sinergi_dir>
    </macros>
    <!-- A development server: small caches. -->
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <!-- Dates and partitions do not depend on the machine's time zone. -->
    <timezone>UTC</timezone>
</yandex>
`))

var usersTemplate = template.Must(template.New("users.xml").Parse(`<?xml version="1.0"?>
<!-- Written by sinergi; the passwords are in credentials.json. -->
<yandex>
    <profiles>
        <admin>
            <max_memory_usage>{{.AdminMemory}}</max_memory_usage>
            <max_memory_usage_for_all_queries>{{.AllMemory}}</max_memory_usage_for_all_queries>
        </admin>
        <reader>
            <readonly>1</readonly>
            <max_execution_time>{{.ReaderSeconds}}</max_execution_time>
            <max_result_rows>{{.Reader.MaxResultRows}}</max_result_rows>
            <max_memory_usage>{{.Reader.MaxMemoryUsage}}</max_memory_usage>
            <max_memory_usage_for_all_queries>{{.AllMemory}}</max_memory_usage_for_all_queries>
            <log_queries>{{if .Reader.LogQueries}}1{{else}}0{{end}}</log_queries>
        </reader>
    </profiles>
    <users>
        <{{.Admin.User}}>
            <password_sha256_hex>{{.AdminHash}}</password_sha256_hex>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>admin</profile>
            <quota>admin</quota>
        </{{.Admin.User}}>
        <{{.ReaderAccount.User}}>
            <password_sha256_hex>{{.ReaderHash}}</password_sha256_hex>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>reader</profile>
            <quota>reader</quota>
        </{{.ReaderAccount.User}}>
    </users>
    <quotas>
        <admin></admin>
        <reader>
            <interval>
                <duration>60</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>{{.ReaderQuotaSeconds}}</execution_time>
            </interval>
        </reader>
    </quotas>
</yandex>
`))

// client.xml lets an operator (and the benchmarks) use clickhouse-client
// on the managed server: clickhouse-client --config-file <dir>/client.xml.
var clientTemplate = template.Must(template.New("client.xml").Funcs(template.FuncMap{"xml": xmlEscape}).Parse(`<?xml version="1.0"?>
<!-- Written by sinergi, for clickhouse-client's config-file option: the managed server as its admin. -->
<config>
    <host>127.0.0.1</host>
    <port>{{.TCPPort}}</port>
    <user>{{.Admin.User}}</user>
    <password>{{.Admin.Password}}</password>
</config>
`))

func xmlEscape(s string) (string, error) {
	var b bytes.Buffer
	err := xml.EscapeText(&b, []byte(s))
	return b.String(), err
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// writeConfig lays out dir for a server on the given port: config.xml,
// users.xml (from the credentials and the reader's limits) and client.xml.
func writeConfig(dir string, tcpPort int) error {
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	creds, err := loadCredentials(dir)
	if err != nil {
		return err
	}
	var cfg bytes.Buffer
	err = configTemplate.Execute(&cfg, struct {
		Dir                  string
		TCPPort              int
		MaxConcurrentQueries int
	}{dir, tcpPort, maxConcurrentQueries})
	if err != nil {
		return fmt.Errorf("config.xml: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "config.xml"), cfg.Bytes()); err != nil {
		return err
	}
	var client bytes.Buffer
	path := filepath.Join(dir, "client.xml")
	if err := clientTemplate.Execute(&client, struct {
		Path    string
		TCPPort int
		Admin   Account
	}{path, tcpPort, creds.Admin}); err != nil {
		return fmt.Errorf("client.xml: %w", err)
	}
	if err := writeFileAtomic(path, client.Bytes()); err != nil {
		return err
	}
	return writeUsers(dir, creds, readReaderLimits(dir))
}

func writeUsers(dir string, creds credentials, lim ReaderLimits) error {
	var users bytes.Buffer
	err := usersTemplate.Execute(&users, struct {
		Admin, ReaderAccount  Account
		AdminHash, ReaderHash string
		Reader                ReaderLimits
		ReaderSeconds         int
		AdminMemory           int64
		AllMemory             int64
		ReaderQuotaSeconds    int
	}{creds.Admin, creds.Reader, sha256Hex(creds.Admin.Password), sha256Hex(creds.Reader.Password), lim,
		int(lim.MaxExecutionTime.Seconds() + 0.999), adminMaxMemoryUsage, allQueriesMaxMemory, readerQuotaSeconds})
	if err != nil {
		return fmt.Errorf("users.xml: %w", err)
	}
	return writeReloaded(filepath.Join(dir, "users.xml"), users.Bytes())
}

// writeReloaded replaces a file the server reloads when it changes, so that
// it does notice: ClickHouse 18.16 compares the file's modification time in
// whole seconds with the one it last loaded, so a users.xml rewritten within
// the second of the one it replaces (serve starting the server, then
// setting the reader's limits) was never reloaded, and readers kept the
// first profile (log_queries off: the benchmarks' capture saw none of the
// API's statements). The new file is dated a second after the old one when
// the clock would not.
func writeReloaded(path string, b []byte) error {
	old, statErr := os.Stat(path)
	if err := writeFileAtomic(path, b); err != nil {
		return err
	}
	if statErr != nil {
		return nil
	}
	now, err := os.Stat(path)
	if err != nil {
		return err
	}
	if now.ModTime().Unix() > old.ModTime().Unix() {
		return nil
	}
	later := old.ModTime().Truncate(time.Second).Add(time.Second)
	return os.Chtimes(path, later, later)
}
