package chserver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
)

// TestTLSConnection starts ClickHouse with TLS on its native port (as
// ClickHouse Cloud serves 9440) under a certificate of a test CA, and
// connects with Secure and the CA file; without the CA, or without TLS, the
// connection fails.
func TestTLSConnection(t *testing.T) {
	binary, err := FindServerBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile, certFile, keyFile := writeTestCertificates(t, dir)
	var ports [2]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeConfig(dir, ports[0]); err != nil {
		t.Fatal(err)
	}
	creds, err := loadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile(filepath.Join(dir, "config.xml"))
	if err != nil {
		t.Fatal(err)
	}
	secure := `<tcp_port_secure>` + strconv.Itoa(ports[1]) + `</tcp_port_secure>
    <openSSL><server>
        <certificateFile>` + certFile + `</certificateFile>
        <privateKeyFile>` + keyFile + `</privateKeyFile>
        <verificationMode>none</verificationMode>
        <loadDefaultCAFile>false</loadDefaultCAFile>
        <disableProtocols>sslv2,sslv3,tlsv1,tlsv1_1</disableProtocols>
    </server></openSSL>
</yandex>`
	config = []byte(strings.Replace(string(config), "</yandex>", secure, 1))
	if err := os.WriteFile(filepath.Join(dir, "config.xml"), config, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "--config-file="+filepath.Join(dir, "config.xml"))
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	cfg := clickhouse.Config{Addr: addr, Database: "default", Username: creds.Admin.User, Password: creds.Admin.Password,
		Secure: true, CAFile: caFile, ServerName: "localhost"}
	log := slog.New(slog.DiscardHandler)
	var db *clickhouse.DB
	deadline := time.Now().Add(30 * time.Second)
	for {
		if db, err = clickhouse.Open(t.Context(), cfg, log); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("TLS connection with the test CA: %v\n%s", err, logTail(filepath.Join(dir, "log", "clickhouse-server.err.log"), 0))
	}
	defer db.Close()
	if v, err := db.ServerVersion(t.Context()); err != nil || v == "" {
		t.Fatalf("a read over TLS: %q, %v", v, err)
	}

	noCA := cfg
	noCA.CAFile = ""
	if _, err := clickhouse.Open(t.Context(), noCA, log); err == nil || !errors.As(err, new(x509.UnknownAuthorityError)) {
		t.Errorf("without the CA file: err = %v, want an unknown authority", err)
	}
	wrongName := cfg
	wrongName.ServerName = "clickhouse.example.org"
	if _, err := clickhouse.Open(t.Context(), wrongName, log); err == nil || !errors.As(err, new(x509.HostnameError)) {
		t.Errorf("for another server name: err = %v, want a hostname error", err)
	}
	plain := cfg
	plain.Secure = false
	if db, err := clickhouse.Open(t.Context(), plain, log); err == nil {
		db.Close()
		t.Error("a plain connection to the TLS port succeeded")
	}
	badCA := cfg
	badCA.CAFile = filepath.Join(dir, "config.xml")
	if _, err := clickhouse.Open(t.Context(), badCA, log); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a CA file without certificates: err = %v", err)
	}
}

// writeTestCertificates writes a CA and a certificate for localhost signed
// by it, and returns the files of the CA, the certificate and its key.
func writeTestCertificates(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sinergi test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", leafDER),
		write("server.key", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
}
