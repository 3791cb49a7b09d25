-- Runs whose rows no longer count although they loaded: the simulated
-- register, withdrawn when a real register is loaded or on request. A run
-- listed here reads as status 'withdrawn' and no snapshot includes its rows.
CREATE TABLE IF NOT EXISTS etl_withdrawn_runs{{onCluster}} (
    run_id       UInt64,
    dataset      String,
    reason       String,
    withdrawn_at DateTime
) ENGINE = {{engine "etl_withdrawn_runs" "MergeTree()"}}
ORDER BY run_id;
