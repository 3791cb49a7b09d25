package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/graph"
	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/account/accountch"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/chserver"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/coordination"
	"github.com/sinergi-id/sinergi/internal/fault"
	"github.com/sinergi-id/sinergi/internal/httpapi"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
	"github.com/sinergi-id/sinergi/internal/submission"
	"github.com/sinergi-id/sinergi/internal/submission/submissionch"
	"github.com/sinergi-id/sinergi/internal/warm"
)

// app is the wired program: the ClickHouse connections (and the managed
// server, when sinergi runs its own) and the stores on them.
//
// Each use has its own connection pool, so that one cannot starve another:
// db loads, migrates and keeps the ETL's books; reads answers the API (on
// the managed server as its read-only user); control serves the paths that
// must answer however busy the API is — the result cache's poll for new
// generations and readiness. reads and control exist while serving.
type app struct {
	cfg     Config
	log     *slog.Logger
	server  *chserver.LocalServer // nil with an external ClickHouse
	chCfg   clickhouse.Config     // how db connects
	db      *clickhouse.DB
	reads   *clickhouse.DB
	control *clickhouse.DB
	// coord is the cluster's ZooKeeper (load lock, scheduler election);
	// nil on one server.
	coord *coordination.Client

	regions *regionch.Store
	scores  *idmch.Store
	runs    *ingestch.Store
	// accounts keeps keys and the audit history on db, the writer's pool:
	// the managed server's reader may not write, and a revocation must be
	// read back at once by the same server connection pool.
	accounts *account.Service
	loads    *etl.Runner // the one runner of the process (runner)
	subs     *submission.Service

	telemetry *telemetry
}

// controlConns is the control pool's size: the poll and readiness each
// hold one connection for milliseconds.
const controlConns = 2

// schemaPolicy says what opening does about migrations.
type schemaPolicy int

const (
	schemaMigrate schemaPolicy = iota // apply pending migrations
	schemaRequire                     // refuse to start on an old schema
	schemaAsIs                        // look only (migrate status)
)

// openApp connects to the configured ClickHouse, or starts (or reuses) the
// managed one in the data directory.
func openApp(ctx context.Context, cfg Config, log *slog.Logger, policy schemaPolicy) (*app, error) {
	tel, err := newTelemetry(ctx, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, telemetry: tel}
	chCfg := clickhouse.Config{
		Addr: cfg.ClickHouse.Addr, Database: cfg.ClickHouse.Database,
		Username: cfg.ClickHouse.Username, Password: cfg.ClickHouse.Password,
		QueryTimeout: cfg.ClickHouse.QueryTimeout, MaxResultRows: cfg.ClickHouse.MaxResultRows,
		MaxMemoryUsage: cfg.ClickHouse.MaxMemoryUsage, LogQueries: cfg.ClickHouse.LogQueries,
		Secure: cfg.ClickHouse.Secure, CAFile: cfg.ClickHouse.CAFile, ServerName: cfg.ClickHouse.ServerName,
		Cluster: cfg.ClickHouse.Cluster, ConnOpenStrategy: cfg.ClickHouse.ConnOpenStrategy,
		ReplicaSyncTimeout: cfg.ClickHouse.ReplicaSyncTimeout,
	}
	if chCfg.Cluster != "" {
		coord, err := coordination.Connect(ctx, cfg.ZooKeeper.Servers, cfg.ZooKeeper.Root+"/"+chCfg.Database,
			cfg.ZooKeeper.SessionTimeout, log)
		if err != nil {
			return nil, err
		}
		a.coord = coord
	}
	if chCfg.Addr == "" {
		// Installing ClickHouse is for setup and dev (runDev); elsewhere a
		// missing server is an error saying what to install.
		srv, err := chserver.StartLocal(ctx, filepath.Clean(cfg.DataDir), log)
		if err != nil {
			return nil, fmt.Errorf("managed ClickHouse: %w", err)
		}
		a.server = srv
		admin := srv.AdminConfig()
		chCfg.Addr, chCfg.Username, chCfg.Password = admin.Addr, admin.Username, admin.Password
	}
	a.chCfg = chCfg
	if policy == schemaMigrate {
		if err := clickhouse.CreateDatabase(ctx, chCfg, log); err != nil {
			a.close(ctx)
			return nil, err
		}
	}
	db, err := clickhouse.Open(ctx, chCfg, log)
	if err != nil {
		a.close(ctx)
		return nil, err
	}
	db.Observe(tel.statements)
	a.db = db
	if err := db.CheckServer(ctx); err != nil {
		a.close(ctx)
		return nil, err
	}
	switch policy {
	case schemaMigrate:
		err = migrate(ctx, db, a.coord, a.runner(), log)
	case schemaRequire:
		err = checkSchema(ctx, db)
	}
	if err != nil {
		a.close(ctx)
		return nil, err
	}
	a.regions, a.scores, a.runs = regionch.NewStore(db), idmch.NewStore(db), ingestch.NewStore(db)
	a.accounts = account.NewService(accountch.NewStore(db))
	a.accounts.SessionLifetime = cfg.Auth.SessionLifetime
	a.subs = a.submissions()
	if policy == schemaAsIs {
		return a, nil
	}
	// Runs that a killed process left unfinished are settled now, so that
	// etlRuns and dataFreshness tell the truth from the start.
	if _, err := a.runner().SettleInterrupted(ctx); err != nil {
		a.close(ctx)
		return nil, err
	}
	return a, nil
}

// migrate applies pending migrations, then rebuilds the snapshots a
// migration left stale (a new rollup is built from the data already loaded).
// On a cluster (coord set) it holds the cluster's migration lock in
// ZooKeeper while it migrates, so that two processes never interleave
// their migrations (on one server db.Migrate holds its own lock).
func migrate(ctx context.Context, db *clickhouse.DB, coord *coordination.Client, runner *etl.Runner, log *slog.Logger) error {
	if coord != nil {
		lock, err := coord.LockMigrations(ctx, log)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = db.Migrate(ctx, log)
		if rerr := lock.Release(ctx); rerr != nil {
			log.Warn("releasing the migration lock", "err", rerr)
		}
		if err != nil {
			return err
		}
	} else if err := db.Migrate(ctx, log); err != nil {
		return err
	}
	start := time.Now()
	rebuilt, err := runner.RebuildStale(ctx)
	if len(rebuilt) > 0 {
		log.Info("rebuilt snapshots the schema change left stale", "datasets", rebuilt, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	return err
}

func checkSchema(ctx context.Context, db *clickhouse.DB) error {
	v, err := db.AppliedVersion(ctx)
	if err != nil {
		return fmt.Errorf("%w (run `sinergi migrate` first)", err)
	}
	if want := clickhouse.LatestVersion(); v < want {
		return fmt.Errorf("the database schema is at version %d and this sinergi needs %d: run `sinergi migrate`", v, want)
	}
	return clickhouse.CheckNotNewer(v)
}

// openServing opens the API's read pool and the control pool. On the
// managed server the reads go through its read-only user, whose profile
// takes this process's read limits, and a watch keeps the server
// supervised.
func (a *app) openServing(ctx context.Context) error {
	readCfg, controlCfg := a.chCfg, a.chCfg
	controlCfg.MaxOpenConns = controlConns
	if a.server != nil {
		if err := a.server.SetReaderLimits(ctx, chserver.ReaderLimits{
			MaxExecutionTime: readCfg.Defaults().QueryTimeout, MaxResultRows: readCfg.Defaults().MaxResultRows,
			MaxMemoryUsage: readCfg.Defaults().MaxMemoryUsage, LogQueries: readCfg.LogQueries,
		}); err != nil {
			return err
		}
		reader := a.server.ReaderConfig()
		readCfg.Username, readCfg.Password, readCfg.LimitsInProfile = reader.Username, reader.Password, true
		go a.server.Watch(ctx, 2*time.Second)
	}
	var err error
	if a.reads, err = clickhouse.Open(ctx, readCfg, a.log); err != nil {
		return err
	}
	a.reads.Observe(a.telemetry.statements)
	if a.control, err = clickhouse.Open(ctx, controlCfg, a.log); err != nil {
		return err
	}
	a.control.Observe(a.telemetry.statements)
	etl.RegisterFreshnessMetrics(a.telemetry.registry, ingestch.NewStore(a.control))
	return nil
}

// ready reports whether the API can answer: ClickHouse reachable and the
// schema migrated; when the managed server is down, why (restarting after
// it exited, and how often).
func (a *app) ready(ctx context.Context) error {
	if err := a.control.Ping(ctx); err != nil {
		if a.server != nil {
			if h := a.server.Health(); h != nil {
				return fmt.Errorf("%w: %w", fault.Unavailable("%s", h), err)
			}
		}
		return err
	}
	return checkSchema(ctx, a.control)
}

// replicas reports, on a cluster, which of its servers answer (readiness
// lists them); nil on one server.
func (a *app) replicas(ctx context.Context) []httpapi.ReplicaStatus {
	if a.chCfg.Cluster == "" {
		return nil
	}
	replicas, err := a.control.Replicas(ctx)
	if err != nil {
		return []httpapi.ReplicaStatus{{Addr: a.chCfg.Addr, Err: err}}
	}
	out := make([]httpapi.ReplicaStatus, len(replicas))
	for i, r := range replicas {
		out[i] = httpapi.ReplicaStatus{Shard: r.Shard, Replica: r.Replica, Addr: r.Addr, Err: r.Err}
	}
	return out
}

// runner is the process's ETL runner, loading on the admin pool and
// locking loads in ClickHouse on one server and in ZooKeeper on a cluster:
// one, so that its loads (the scheduler's, submissions) queue on its lock
// and tell the same listeners.
func (a *app) runner() *etl.Runner {
	if a.loads != nil {
		return a.loads
	}
	if a.coord != nil {
		a.loads = newRunner(a.db, coordination.LoadLock{Client: a.coord, Log: a.log}, a.log)
	} else {
		a.loads = newRunner(a.db, ingestch.LoadLock{DB: a.db, Log: a.log}, a.log)
	}
	a.loads.Instrument(a.telemetry.etl)
	return a.loads
}

// schedulerOptions: on a cluster, several `sinergi etl` elect one that
// runs the jobs.
func (a *app) schedulerOptions() []etl.SchedulerOption {
	if a.coord == nil {
		return nil
	}
	me := ingest.CurrentProcess()
	return []etl.SchedulerOption{etl.WithElector(a.coord.Elector("scheduler", []byte(me.String())))}
}

// submissions checks and submits registers through the runner, keeping
// the submitted files in the data directory; its records are written with
// the writer's pool.
func (a *app) submissions() *submission.Service {
	return submission.NewService(newRegisters(a.runner(), a.db), coopch.NewStore(a.db), submissionch.NewStore(a.db), submissionch.NewStore(a.db), a.accounts,
		filepath.Join(a.cfg.DataDir, "submissions"), submission.DefaultLimits, a.log)
}

// resolver wires the API's services to the read pool; with warm rollups
// on, the dashboards' questions are answered from memory when the rollups
// of the request's generation are loaded (keeper, nil when off: it loads
// at each generation the result cache is told of).
func (a *app) resolver() (*graph.Resolver, *warm.Keeper) {
	var (
		regionStore region.Store      = regionch.NewStore(a.reads)
		idmStore    idm.Store         = idmch.NewStore(a.reads)
		coopStore   cooperation.Store = coopch.NewStore(a.reads)
		keeper      *warm.Keeper
	)
	zone, _ := time.LoadLocation(a.cfg.TimeZone) // checked with the configuration
	if a.cfg.GraphQL.WarmRollups {
		planners := cooperation.NewService(nil, nil, nil)
		planners.SetTimeZone(zone)
		keeper = warm.NewKeeper(regionch.NewStore(a.reads), idmch.NewStore(a.reads), coopch.NewStore(a.reads), planners.Today, a.log)
		regionStore = warm.Regions{Store: regionStore, Keeper: keeper}
		idmStore = warm.IDM{Store: idmStore, Keeper: keeper}
		coopStore = warm.Cooperation{Store: coopStore, Keeper: keeper}
	}
	regions := region.NewService(regionStore)
	scores := idm.NewService(idmStore, regions)
	coop := cooperation.NewService(coopStore, regions, scores)
	coop.SetTimeZone(zone)
	return &graph.Resolver{
		Regions:     regions,
		IDM:         scores,
		Ingest:      ingest.NewService(ingestch.NewStore(a.reads)),
		Cooperation: coop,
		Published:   a.reads.LatestGeneration,
		Submissions: a.subs,
		Accounts:    a.accounts,
	}, keeper
}

// close releases the connections and this process's use of the managed
// server, which stops when no other sinergi process uses it.
func (a *app) close(ctx context.Context) {
	var errs []error
	for _, db := range []*clickhouse.DB{a.reads, a.control, a.db} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if a.coord != nil {
		a.coord.Close()
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if a.server != nil {
		errs = append(errs, a.server.Stop(stopCtx))
	}
	errs = append(errs, a.telemetry.shutdown(stopCtx)) // sends the spans still buffered
	if err := errors.Join(errs...); err != nil {
		a.log.Warn("shutdown", "err", err)
	}
}
