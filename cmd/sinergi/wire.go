package main

import (
	"log/slog"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/etl/idmfile"
	"github.com/sinergi-id/sinergi/etl/regionfile"
	"github.com/sinergi-id/sinergi/etl/register"
	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/cooperation/coopch"
	"github.com/sinergi-id/sinergi/internal/idm/idmch"
	"github.com/sinergi-id/sinergi/internal/ingest"
	"github.com/sinergi-id/sinergi/internal/ingest/ingestch"
	"github.com/sinergi-id/sinergi/internal/region/regionch"
	"github.com/sinergi-id/sinergi/internal/submission"
)

// datasetNames are the datasets newRunner wires, in load order; the
// configuration checks its jobs against them before anything connects.
var datasetNames = []string{etl.DatasetRegions, etl.DatasetIDM, etl.DatasetRegister, etl.DatasetSimulation}

// newRunner wires the ETL to the ClickHouse stores on db, its loads
// serialised by lock (in ClickHouse on one server, in ZooKeeper on a
// cluster): the only place the program chooses the datasets the ETL loads
// and the stores they load into.
func newRunner(db *clickhouse.DB, lock ingest.LoadLock, log *slog.Logger) *etl.Runner {
	regions, scores, runs, coop := regionch.NewStore(db), idmch.NewStore(db), ingestch.NewStore(db), coopch.NewStore(db).LogRebuilds(log)
	refresher := etl.NewRefresher(db, regionfile.Snapshot(regions), idmfile.Snapshot(scores), register.Snapshot(coop))
	datasets := []etl.Dataset{
		regionfile.New(regions),
		idmfile.New(scores, regions),
		// Submissions (internal/submission, through newRegisters) load
		// registers through the same dataset, which refuses an editor's
		// rows outside its scope.
		&register.Scoped{Dataset: register.New(coop, regions, runs, log), Regions: regions, Current: coop},
		register.NewSimulation(coop, regions, runs, log),
	}
	return etl.NewRunner(runs, datasets, refresher, lock, log)
}

// newRegisters is the register's format as submissions check, load and
// annotate it: loads go through runner (its register dataset is Scoped),
// the scope is read from the regions and agreements on db.
func newRegisters(runner *etl.Runner, db *clickhouse.DB) submission.Registers {
	return &register.Registers{Runner: runner, Regions: regionch.NewStore(db), Current: coopch.NewStore(db), Limits: register.SubmissionLimits}
}
