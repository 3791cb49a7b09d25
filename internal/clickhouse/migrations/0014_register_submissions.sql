-- Registers that offices submitted through the API: who, when, which
-- files (name, size, SHA-256, in order) and the run that loaded them.
CREATE TABLE IF NOT EXISTS register_submissions{{onCluster}} (
    run_id       UInt64,
    submitted_at DateTime,
    actor        String,
    file_names   Array(String),
    file_sizes   Array(UInt64),
    file_sha256  Array(String),
    status       String,
    error        String
) ENGINE = {{engine "register_submissions" "ReplacingMergeTree()"}}
ORDER BY run_id;
