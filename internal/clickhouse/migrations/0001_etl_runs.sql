-- Every ETL run, as a sequence of versions of one row: running, then
-- loaded, then succeeded or failed. Read with argMax(..., version).
CREATE TABLE IF NOT EXISTS etl_runs{{onCluster}} (
    run_id        UInt64,
    version       UInt64,
    dataset       String,
    source        String,
    fingerprint   String,
    status        Enum8('running' = 1, 'loaded' = 2, 'succeeded' = 3, 'failed' = 4),
    started_at    DateTime,
    finished_at   DateTime,
    rows_read     UInt64,
    rows_loaded   UInt64,
    rows_rejected UInt64,
    error         String
) ENGINE = {{engine "etl_runs" "ReplacingMergeTree(version)"}}
ORDER BY run_id;

-- Rows an ETL run refused, with where they came from and why.
CREATE TABLE IF NOT EXISTS etl_rejects{{onCluster}} (
    run_id      UInt64,
    dataset     String,
    source      String,
    sheet       String,
    line        UInt64,
    reason      String,
    record      String,
    rejected_at DateTime
) ENGINE = {{engine "etl_rejects" "MergeTree()"}}
PARTITION BY toYYYYMM(rejected_at)
ORDER BY (dataset, run_id, line);

-- The generation of each snapshot table that queries read. A refresh builds
-- new generations beside the old ones and publishes them with one insert.
CREATE TABLE IF NOT EXISTS snapshot_generations{{onCluster}} (
    snapshot     String,
    generation   UInt64,
    run_id       UInt64,
    published_at DateTime
) ENGINE = {{engine "snapshot_generations" "MergeTree()"}}
ORDER BY (snapshot, generation);
