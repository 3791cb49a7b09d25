package main

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func bufferLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

// The profiler serves only on a loopback address unless explicitly
// allowed; the API warns loudly when other machines can reach it.
func TestExposedAddresses(t *testing.T) {
	log, logs := bufferLogger()
	if _, err := listenProfiler("0.0.0.0:0", false, log); err == nil || !strings.Contains(err.Error(), "SINERGI_DEBUG_ALLOW_REMOTE") {
		t.Fatalf("profiler on every interface: %v", err)
	}
	for _, tc := range []struct {
		addr        string
		allowRemote bool
	}{{"127.0.0.1:0", false}, {"0.0.0.0:0", true}} {
		ln, err := listenProfiler(tc.addr, tc.allowRemote, log)
		if err != nil {
			t.Fatalf("profiler on %s (allowed %v): %v", tc.addr, tc.allowRemote, err)
		}
		ln.Close()
	}
	if !strings.Contains(logs.String(), "level=WARN") {
		t.Fatal("no warning for a remote profiler")
	}

	for addr, warns := range map[string]bool{"127.0.0.1:0": false, ":0": true, "0.0.0.0:0": true} {
		for _, anonymousRead := range []bool{false, true} {
			logs.Reset()
			ln, err := listenAPI(addr, 8, anonymousRead, log)
			if err != nil {
				t.Fatal(err)
			}
			ln.Close()
			if got := strings.Contains(logs.String(), "REACHABLE FROM OTHER MACHINES"); got != warns {
				t.Errorf("API on %s (anonymous reading %v): warned %v, want %v: %s", addr, anonymousRead, got, warns, logs)
			}
			// The warning says what is at stake with the setting in force.
			if got := strings.Contains(logs.String(), "reads every answer"); warns && got != anonymousRead {
				t.Errorf("API on %s (anonymous reading %v): %s", addr, anonymousRead, logs)
			}
		}
	}
}

// At most http_max_connections connections are served at once, and a
// client that sends its headers slowly is cut off.
func TestConnectionLimitAndSlowClients(t *testing.T) {
	log, _ := bufferLogger()
	ln, err := listenAPI("127.0.0.1:0", 2, false, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := newAPIServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }), time.Second, log)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().String()

	// Two idle connections take both places.
	var idle []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get("http://" + addr + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("a third connection was served while two were open")
	}
	idle[0].Close()
	client.Timeout = 5 * time.Second
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("once a place was free: %v", err)
	}
	resp.Body.Close()

	// The other idle connection started a request it never finishes: the
	// server closes it after the header timeout. A second one sends its
	// headers and then its body slowly (issue 16: 3,000 such connections
	// were held for 60 s): it is closed after the read timeout.
	slowBody, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	bodyDone := make(chan error, 1)
	go func() {
		_, _ = slowBody.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"))
		_ = slowBody.SetReadDeadline(time.Now().Add(readTimeout + 10*time.Second))
		_, err := io.ReadAll(slowBody)
		bodyDone <- err
	}()
	slow := idle[1]
	_, _ = slow.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n"))
	_ = slow.SetReadDeadline(time.Now().Add(readHeaderTimeout + 10*time.Second))
	if _, err := io.ReadAll(slow); err != nil {
		t.Fatalf("a client sending its headers slowly was not cut off: %v", err)
	}
	slow.Close()
	if err := <-bodyDone; err != nil {
		t.Fatalf("a client sending its body slowly was not cut off: %v", err)
	}
	slowBody.Close()
}
