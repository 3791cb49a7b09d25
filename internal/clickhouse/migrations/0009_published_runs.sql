-- (ALTERs of tables replicated whole carry no ON CLUSTER in a cluster:
-- ClickHouse replicates them from the one server that runs them.)

-- A run's rows count once a published generation includes the run: the
-- publish (one insert into snapshot_generations) names its runs, so that
-- nothing else — a status written before or after it — can commit a run.
ALTER TABLE snapshot_generations ADD COLUMN IF NOT EXISTS run_ids Array(UInt64);

-- The process that runs a load, so that a run left unfinished by a process
-- that is gone can be marked failed, and one of a live process is left be.
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS host String;
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS pid UInt32;
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS process_start String;
