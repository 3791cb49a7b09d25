package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Bounds of the API's HTTP server, beyond the GraphQL limits: a client
// that sends its headers or body slowly, or keeps an idle connection, is
// cut off instead of holding a connection for good.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second // the whole request, body (≤ graphql.max_body_bytes) included
	idleTimeout       = time.Minute
	writeMargin       = 30 * time.Second // beyond the request timeout, to send a large answer
	maxHeaderBytes    = 64 << 10
)

// devOrigins are the local development servers (Vite, its preview,
// create-react-app and Next.js) that `sinergi dev` lets call the API.
var devOrigins = []string{
	"http://localhost:5173", "http://127.0.0.1:5173",
	"http://localhost:4173", "http://127.0.0.1:4173",
	"http://localhost:3000", "http://127.0.0.1:3000",
}

func newAPIServer(handler http.Handler, requestTimeout time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      requestTimeout + writeMargin,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// listenAPI opens the API's address, accepting at most maxConns
// connections at once (more wait in the kernel's backlog). It warns when
// other machines can reach the address: with anonymous reading on, anyone
// there reads every answer; with it off, passwords and keys cross the
// network in clear unless TLS ends in front of sinergi.
func listenAPI(addr string, maxConns int, anonymousRead bool, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (SINERGI_HTTP_ADDR): %w", addr, err)
	}
	if !isLoopback(ln.Addr()) {
		if anonymousRead {
			log.Warn("THE API IS REACHABLE FROM OTHER MACHINES with anonymous reading on (auth.anonymous_read): anyone who "+
				"can reach this address reads every answer; turn it off, or listen on a loopback address "+
				"(SINERGI_HTTP_ADDR=127.0.0.1:PORT) behind a proxy that controls access", "addr", ln.Addr().String())
		} else {
			log.Warn("THE API IS REACHABLE FROM OTHER MACHINES: reading needs a key or a sign-in, but passwords, "+
				"session cookies and keys cross the network in clear unless TLS ends in front of sinergi", "addr", ln.Addr().String())
		}
	}
	return netutil.LimitListener(ln, maxConns), nil
}

// listenProfiler opens the profiler's address: only a loopback one, unless
// allowRemote, since profiles show the program's internals.
func listenProfiler(addr string, allowRemote bool, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (SINERGI_DEBUG_ADDR): %w", addr, err)
	}
	if !isLoopback(ln.Addr()) {
		if !allowRemote {
			_ = ln.Close()
			return nil, fmt.Errorf("refusing to serve the profiler on %s (SINERGI_DEBUG_ADDR), which other machines can reach: "+
				"profiles show memory, goroutines and the command line; use a loopback address such as 127.0.0.1:6060, "+
				"or set SINERGI_DEBUG_ALLOW_REMOTE=true", ln.Addr())
		}
		log.Warn("the profiler is reachable from other machines (SINERGI_DEBUG_ALLOW_REMOTE)", "addr", ln.Addr().String())
	}
	return ln, nil
}

// isLoopback: the address a listener got (":8080" binds every interface).
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
