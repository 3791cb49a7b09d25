package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/data/kaltim"
	"github.com/sinergi-id/sinergi/data/simulation"
	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/seed"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/account/accounthttp"
	"github.com/sinergi-id/sinergi/internal/account/accountoidc"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
	"github.com/sinergi-id/sinergi/internal/httpapi"
	"github.com/sinergi-id/sinergi/internal/submission/submissionhttp"
	"github.com/sinergi-id/sinergi/internal/warm"
	"github.com/sinergi-id/sinergi/web"
)

// runDev runs everything locally on the managed ClickHouse with the real
// Kalimantan Timur data, the seed register and, unless switched off, the
// simulated register (SIMULASI) over the real villages.
func runDev(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	noSimulation := fs.Bool("no-simulation", false, "do not load the simulated register; withdraw one loaded earlier (= SINERGI_DEV_SIMULATION=off)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	simulation := cfg.Dev.Simulation && !*noSimulation
	cfg.Auth.AnonymousRead = cfg.Dev.AnonymousRead
	cfg.CORSAllowedOrigins = append(slices.Clone(devOrigins), cfg.CORSAllowedOrigins...)
	if cfg.ClickHouse.Addr == "" {
		if _, err := chserver.EnsureInstalled(ctx, log); err != nil {
			return err
		}
	}

	a, err := openApp(ctx, cfg, log, schemaMigrate)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	if err := ensureDevAdmin(ctx, a, log); err != nil {
		return err
	}

	kaltimDir := filepath.Join(cfg.DataDir, "kaltim")
	if _, err := extractFiles(kaltim.Files(), kaltimDir, kaltim.Wilayah, kaltim.IDM2023, kaltim.IDM2024); err != nil {
		return err
	}
	if _, err := extractFiles(seed.Files(), filepath.Join(cfg.DataDir, "seed"), seed.Names...); err != nil {
		return err
	}
	jobs := []etl.Job{
		{Name: "kaltim regions", Dataset: etl.DatasetRegions, Source: filepath.Join(kaltimDir, kaltim.Wilayah), Schedule: "1h"},
		{Name: "kaltim idm", Dataset: etl.DatasetIDM, Source: filepath.Join(kaltimDir, "kaltim_idm_*.csv"), Schedule: "1h"},
		{Name: "seed register", Dataset: etl.DatasetRegister, Source: filepath.Join(cfg.DataDir, "seed", "*.csv"), Schedule: "1h"},
	}
	cache := newResultCache()
	runner := a.runner()
	runner.OnPublish(cache.Invalidate) // same process: drop cached answers at once
	if simulation {
		job, err := simulationJob(ctx, runner, cfg.DataDir, log)
		if err != nil {
			return err
		}
		if job != nil {
			jobs = append(jobs, *job)
		}
	} else if n, err := runner.Withdraw(ctx, etl.DatasetSimulation, "removed on request"); err != nil {
		return err
	} else {
		log.Info("simulation off: only real data is served", "withdrawn_runs", n)
	}
	jobs = append(jobs, cfg.Jobs...)
	sched, err := etl.NewScheduler(runner, a.runs, jobs, log, a.schedulerOptions()...)
	if err != nil {
		return err
	}
	log.Info("loading the Kalimantan Timur data", "simulation", simulation)
	sched.Start(ctx)
	defer shutdownScheduler(sched, log)
	return serveHTTP(ctx, a, log, cache)
}

// devAdmin is the account `sinergi dev` makes when there is none.
const devAdmin = "admin"

// ensureDevAdmin: on a data directory without accounts, `sinergi dev`
// makes a local admin with a random password, written to the log once, so
// that the console's sign-in (and submitting a register through it) works
// after one command without a known default password.
func ensureDevAdmin(ctx context.Context, a *app, log *slog.Logger) error {
	users, err := a.accounts.Users(ctx)
	if err != nil || len(users) > 0 {
		return err
	}
	password, err := account.RandomToken()
	if err != nil {
		return err
	}
	password = password[:24]
	if _, err := a.accounts.CreateUser(ctx, cliActor()+" (sinergi dev)", account.NewUser{Name: devAdmin,
		DisplayName: "Admin (dev)", Role: account.RoleAdmin, Password: password}); err != nil {
		return err
	}
	log.Warn("created a local admin account for the console: shown this once, change it with `sinergi users passwd admin`",
		"user", devAdmin, "password", password)
	return nil
}

// simulationDir holds the generated simulation, named so that every run
// record of it says SIMULASI in its source.
const simulationDir = "SIMULASI-kaltim"

// simulationJob writes the simulated register (data/simulation: the same
// bytes every time, so an unchanged simulation is not loaded twice) and
// returns the job that loads it, or nil when a real register is loaded,
// beside which the simulation never is.
func simulationJob(ctx context.Context, runner *etl.Runner, dataDir string, log *slog.Logger) (*etl.Job, error) {
	if err := runner.CheckLoad(ctx, etl.DatasetSimulation); err != nil {
		log.Warn("the simulation is not loaded", "reason", err)
		return nil, nil
	}
	dir := filepath.Join(dataDir, simulationDir, "register")
	if _, err := simulation.Write(dir); err != nil {
		return nil, fmt.Errorf("simulation: %w", err)
	}
	return &etl.Job{Name: "simulation", Dataset: etl.DatasetSimulation, Source: filepath.Join(dir, "*.csv"), Schedule: "1h"}, nil
}

// extractFiles writes the named files of fsys into dir (created if needed)
// and returns their paths in the same order. Identical content is rewritten
// as it was, so the loader's fingerprints see unchanged files as unchanged.
func extractFiles(fsys fs.FS, dir string, names ...string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, len(names))
	for i, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return nil, err
		}
		paths[i] = p
	}
	return paths, nil
}

// runSimulation is `sinergi simulation remove`: withdraw the simulated
// register so that only real data is served.
func runSimulation(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	if len(args) != 1 || args[0] != "remove" {
		return errors.New("usage: sinergi simulation remove")
	}
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	n, err := a.runner().Withdraw(ctx, etl.DatasetSimulation, "removed on request")
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Println("no simulation is loaded")
		return nil
	}
	fmt.Printf("simulation removed (%d runs withdrawn); `sinergi dev` loads it again unless SINERGI_DEV_SIMULATION=off or a real register is loaded\n", n)
	return nil
}

// runServe serves GraphQL against the configured ClickHouse.
func runServe(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	return serveHTTP(ctx, a, log, newResultCache())
}

// Result cache size, in gzip-compressed bytes: dashboards repeat a few
// hundred distinct queries, most of a few kilobytes; the largest national
// answers (28,000 stats rows, ~2.4 MB of JSON) compress to ~150–300 KB.
const (
	cacheBytes      = 32 << 20
	cacheEntryBytes = 2 << 20
	// cachePoll is how often serve looks for loads by another process
	// (sinergi etl); answers may be that much older than a load.
	cachePoll = time.Second
)

// newResultCache is the API's result cache; each request reads the data of
// the generation its answer is cached under.
func newResultCache() *graph.ResultCache {
	cache := graph.NewResultCache(cacheBytes, cacheEntryBytes)
	cache.PinReadsWith(clickhouse.PinGeneration)
	return cache
}

// runScheduler runs the configured ETL jobs until interrupted.
func runScheduler(ctx context.Context, cfg Config, log *slog.Logger) error {
	if len(cfg.Jobs) == 0 {
		return errors.New("no jobs configured: add a `jobs:` list to the config file (see README.md)")
	}
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	sched, err := etl.NewScheduler(a.runner(), a.runs, cfg.Jobs, log, a.schedulerOptions()...)
	if err != nil {
		return err
	}
	if cfg.DebugAddr != "" {
		// The ETL's runs and the data's age, for a scheduler run on its own.
		etl.RegisterFreshnessMetrics(a.telemetry.registry, a.runs)
		stop, err := serveOperator(cfg.DebugAddr, cfg.DebugAllowRemote, a.telemetry.metricsHandler(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	sched.Start(ctx)
	defer shutdownScheduler(sched, log)
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}

func shutdownScheduler(s *etl.Scheduler, log *slog.Logger) {
	if err := s.Shutdown(); err != nil {
		log.Warn("scheduler shutdown", "err", err)
	}
}

// runLoad loads files once and prints a report; the exit code is 1 when a
// file could not be loaded (rejected rows alone are not a failure).
func runLoad(ctx context.Context, cfg Config, log *slog.Logger, args []string) int {
	if len(args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: sinergi etl load <dataset> <file>...  (datasets: %s)\n", strings.Join(datasetNames, ", "))
		return 2
	}
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sinergi etl load: %v\n", err)
		return 1
	}
	defer a.close(ctx)
	res, err := a.runner().Load(ctx, args[0], args[1:]...)
	printLoadReport(os.Stdout, res)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sinergi etl load: %v\n", err)
		return 1
	}
	return 0
}

// runRebuild rebuilds every snapshot whole (sinergi etl rebuild).
func runRebuild(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	rebuilt, err := a.runner().Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("rebuilt and published: %s\n", strings.Join(rebuilt, ", "))
	return nil
}

const rejectsShown = 20

func printLoadReport(w io.Writer, res etl.Result) {
	total := 0
	for _, r := range res.Runs {
		total += r.RowsRejected
		fmt.Fprintf(w, "run %d  %-8s %-9s read %d, loaded %d, rejected %d  %s\n",
			r.ID, r.Dataset, r.Status, r.RowsRead, r.RowsLoaded, r.RowsRejected, r.Source)
		if r.Error != "" {
			fmt.Fprintf(w, "    error: %s\n", r.Error)
		}
	}
	for i, rj := range res.Rejects {
		if i == rejectsShown {
			break
		}
		where := filepath.Base(rj.Source)
		if rj.Sheet != "" {
			where += "[" + rj.Sheet + "]"
		}
		fmt.Fprintf(w, "rejected %s:%d%s: %s\n", where, rj.Line, inColumn(rj.Column), rj.Reason)
	}
	if shown := min(len(res.Rejects), rejectsShown); total > shown {
		fmt.Fprintf(w, "... and %d more rejected rows: query etlRejects(runId: ..., first: 1000, after: ...) page by page for all of them\n", total-shown)
	}
}

// runMigrate applies pending migrations.
func runMigrate(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	switch {
	case len(args) == 1 && args[0] == "status":
		return runMigrateStatus(ctx, cfg, log)
	case len(args) > 0:
		return errors.New("usage: sinergi migrate [status]")
	}
	a, err := openApp(ctx, cfg, log, schemaMigrate)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	v, err := a.db.AppliedVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("database %s is at schema version %d\n", cfg.ClickHouse.Database, v)
	return nil
}

// runMigrateStatus is `sinergi migrate status`: the applied migrations,
// the pending ones and who holds the migration lock, changing nothing.
func runMigrateStatus(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := openApp(ctx, cfg, log, schemaAsIs)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	st, err := a.db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if a.coord != nil {
		// A cluster's migration lock is in ZooKeeper (migrate).
		holder, held, err := a.coord.MigrationHolder()
		if err != nil {
			return fmt.Errorf("migration status: %w", err)
		}
		st.Locked, st.Holder = held, clickhouse.LockHolder{Host: holder.Host, PID: holder.PID}
	}
	printMigrationStatus(os.Stdout, cfg.ClickHouse.Database, st)
	if len(st.Applied) > 0 {
		return clickhouse.CheckNotNewer(st.Applied[len(st.Applied)-1].Version)
	}
	return nil
}

func printMigrationStatus(w io.Writer, database string, st clickhouse.MigrationStatus) {
	fmt.Fprintf(w, "database %s\n", database)
	for _, m := range st.Applied {
		fmt.Fprintf(w, "  applied  %04d %s  %s\n", m.Version, m.Name, m.AppliedAt.UTC().Format(time.RFC3339))
	}
	for _, m := range st.Pending {
		fmt.Fprintf(w, "  pending  %04d %s\n", m.Version, m.Name)
	}
	if len(st.Pending) == 0 {
		fmt.Fprintln(w, "no migration is pending")
	}
	switch {
	case st.Locked && st.Age == 0: // a cluster's lock, in ZooKeeper: held while its session lives
		fmt.Fprintf(w, "a migration is running: process %d on %s holds the lock\n", st.Holder.PID, st.Holder.Host)
	case st.Locked:
		fmt.Fprintf(w, "a migration is running: process %d on %s holds the lock (renewed %s ago)\n",
			st.Holder.PID, st.Holder.Host, st.Age.Round(time.Second))
	default:
		fmt.Fprintln(w, "no migration is running")
	}
}

// runSetup installs ClickHouse when it is missing.
func runSetup(ctx context.Context, log *slog.Logger) error {
	bin, err := chserver.EnsureInstalled(ctx, log)
	if err != nil {
		return err
	}
	fmt.Printf("ClickHouse server: %s\n", bin)
	return nil
}

// serveHTTP serves the API until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, a *app, log *slog.Logger, cache *graph.ResultCache) error {
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if err := a.openServing(watchCtx); err != nil {
		return err
	}
	go cache.Watch(watchCtx, cachePoll, a.control.LatestGeneration, log)
	go pruneSessions(watchCtx, a.accounts, log)
	srv := newAPIServer(a.httpHandler(cache), a.cfg.GraphQL.RequestTimeout, log)
	ln, err := listenAPI(a.cfg.HTTPAddr, a.cfg.HTTPMaxConnections, a.cfg.Auth.AnonymousRead, log)
	if err != nil {
		return err
	}
	if a.cfg.DebugAddr != "" {
		stopDebug, err := serveOperator(a.cfg.DebugAddr, a.cfg.DebugAllowRemote, a.telemetry.metricsHandler(), log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("sinergi is ready", "anonymous_read", a.cfg.Auth.AnonymousRead, "cors_allowed_origins", a.cfg.CORSAllowedOrigins, "console", "http://"+ln.Addr().String()+"/",
		"graphiql", "http://"+ln.Addr().String()+"/graphiql", "graphql", "http://"+ln.Addr().String()+"/graphql")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// sessionPruneEvery is how often a serving process deletes the rows of
// long-expired sessions (every process does; the deletes are idempotent).
const sessionPruneEvery = 24 * time.Hour

// pruneSessions deletes long-expired sessions a minute after start, then
// daily, until ctx ends.
func pruneSessions(ctx context.Context, accounts *account.Service, log *slog.Logger) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = sessionPruneEvery
		if err := accounts.PruneSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("pruning expired sessions", "err", err)
		}
	}
}

// httpHandler is everything the API serves, behind the guard that puts
// principals on requests (and CORS in front, which answers preflights),
// reporting to the app's telemetry; the result cache's figures, and the
// warm rollups' when they are on, are registered with it.
func (a *app) httpHandler(cache *graph.ResultCache) http.Handler {
	a.runner().OnPublish(cache.Invalidate) // submissions load in this process
	graph.RegisterCacheMetrics(a.telemetry.registry, cache)
	resolver, keeper := a.resolver()
	if keeper != nil {
		cache.OnGeneration(keeper.Publish)
		warm.RegisterMetrics(a.telemetry.registry, keeper)
	}
	api := graph.NewHandler(resolver, a.log, a.cfg.GraphQL.limits(), cache,
		graph.WithMetrics(a.telemetry.api), graph.WithTracing(a.telemetry.tracer))
	mux := httpapi.NewMux(httpapi.API{GraphQL: api, CSV: graph.NewExport(api, a.log, false), XLSX: graph.NewExport(api, a.log, true)},
		a.ready, a.log, web.Handler(kaltim.Files()))
	if a.chCfg.Cluster != "" {
		httpapi.ServeReplicas(mux, a.replicas, a.log)
	}
	mux.Handle("GET "+graph.AnnotatedWorkbookPath, submissionhttp.AnnotatedWorkbook(a.subs, a.log))
	guard := &accounthttp.Guard{Keys: a.accounts, Sessions: a.accounts, AnonymousRead: a.cfg.Auth.AnonymousRead,
		SecureCookies: a.cfg.Auth.SecureCookies, Log: a.log}
	guard.TrustedProxies, _ = a.cfg.trustedProxies() // checked with the configuration
	if o := a.cfg.Auth.OIDC; o.Issuer != "" {
		guard.OIDC = accountoidc.New(accountoidc.Config{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
			RedirectURL: o.RedirectURL, RoleClaim: o.RoleClaim, ScopesClaim: o.ScopesClaim, NameClaim: o.NameClaim, Audience: o.Audience}, nil, a.log)
	}
	guard.Routes(mux)
	return httpapi.CORS(a.cfg.CORSAllowedOrigins)(guard.Wrap(mux))
}

// operatorMux serves the metrics and the profiler.
func operatorMux(metrics http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveOperator serves what operators read — the Prometheus metrics at
// /metrics and Go's profiler (net/http/pprof) — on its own address, never
// on the API's: both show internals.
func serveOperator(addr string, allowRemote bool, metrics http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := listenProfiler(addr, allowRemote, log)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: operatorMux(metrics), ReadHeaderTimeout: readHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	log.Info("operator endpoints", "metrics", "http://"+ln.Addr().String()+"/metrics", "profiler", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { _ = srv.Close() }, nil
}
