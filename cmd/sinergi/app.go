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
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
)

// app is the wired program: the ClickHouse connection (and the managed
// server, when sinergi runs its own) and the stores on it.
type app struct {
	cfg    Config
	log    *slog.Logger
	server *clickhouse.LocalServer // nil with an external ClickHouse
	db     *clickhouse.DB

	regions *regionch.Store
	scores  *idmch.Store
	runs    *ingestch.Store
}

// schemaPolicy says what opening does about migrations.
type schemaPolicy int

const (
	schemaMigrate schemaPolicy = iota // apply pending migrations
	schemaRequire                     // refuse to start on an old schema
)

// openApp connects to the configured ClickHouse, or starts (or reuses) the
// managed one in the data directory, installing ClickHouse if needed.
func openApp(ctx context.Context, cfg Config, log *slog.Logger, policy schemaPolicy) (*app, error) {
	a := &app{cfg: cfg, log: log}
	chCfg := clickhouse.Config{
		Addr: cfg.ClickHouse.Addr, Database: cfg.ClickHouse.Database,
		Username: cfg.ClickHouse.Username, Password: cfg.ClickHouse.Password,
		QueryTimeout: cfg.ClickHouse.QueryTimeout, MaxResultRows: cfg.ClickHouse.MaxResultRows,
		LogQueries: cfg.ClickHouse.LogQueries,
	}
	if chCfg.Addr == "" {
		if _, err := clickhouse.EnsureInstalled(ctx, log); err != nil {
			return nil, err
		}
		srv, err := clickhouse.StartLocal(ctx, filepath.Clean(cfg.DataDir), log)
		if err != nil {
			return nil, fmt.Errorf("managed ClickHouse: %w", err)
		}
		a.server = srv
		chCfg.Addr = srv.Addr()
	}
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
	a.db = db
	switch policy {
	case schemaMigrate:
		err = migrate(ctx, db, log)
	case schemaRequire:
		err = checkSchema(ctx, db)
	}
	if err != nil {
		a.close(ctx)
		return nil, err
	}
	a.regions, a.scores, a.runs = regionch.NewStore(db), idmch.NewStore(db), ingestch.NewStore(db)
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
func migrate(ctx context.Context, db *clickhouse.DB, log *slog.Logger) error {
	if err := db.Migrate(ctx, log); err != nil {
		return err
	}
	start := time.Now()
	rebuilt, err := etl.NewClickHouseRunner(db, log).RebuildStale(ctx)
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
	return nil
}

// ready reports whether the API can answer: ClickHouse reachable and the
// schema migrated.
func (a *app) ready(ctx context.Context) error {
	if err := a.db.Ping(ctx); err != nil {
		return err
	}
	return checkSchema(ctx, a.db)
}

func (a *app) runner() *etl.Runner {
	return etl.NewClickHouseRunner(a.db, a.log)
}

func (a *app) resolver() *graph.Resolver {
	regions := region.NewService(a.regions)
	scores := idm.NewService(a.scores, regions)
	return &graph.Resolver{
		Regions:     regions,
		IDM:         scores,
		Ingest:      ingest.NewService(a.runs),
		Cooperation: cooperation.NewService(coopch.NewStore(a.db), regions, scores),
	}
}

// close releases the connection and stops the managed server if this
// process started it.
func (a *app) close(ctx context.Context) {
	var errs []error
	if a.db != nil {
		errs = append(errs, a.db.Close())
	}
	if a.server != nil && a.server.Owned() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		a.log.Info("stopping managed ClickHouse")
		errs = append(errs, a.server.Stop(stopCtx))
	}
	if err := errors.Join(errs...); err != nil {
		a.log.Warn("shutdown", "err", err)
	}
}
