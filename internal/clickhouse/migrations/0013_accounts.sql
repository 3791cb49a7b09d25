-- API keys, as a sequence of versions of one row per key (created, then
-- revoked). Only the SHA-256 of a key's secret is kept. Read with
-- argMax(..., version), like etl_runs.
CREATE TABLE IF NOT EXISTS api_keys{{onCluster}} (
    key_id      String,
    version     UInt64,
    name        String,
    role        Enum8('viewer' = 1, 'editor' = 2, 'admin' = 3),
    scopes      Array(String),
    secret_hash String,
    created_by  String,
    created_at  DateTime,
    expires_at  DateTime,
    revoked_at  DateTime
) ENGINE = {{engine "api_keys" "ReplacingMergeTree(version)"}}
ORDER BY key_id;

-- Who changed what: submissions, withdrawals, account and key changes.
-- Rows are only ever added.
CREATE TABLE IF NOT EXISTS audit_events{{onCluster}} (
    event_id UInt64,
    at       DateTime,
    actor    String,
    action   String,
    subject  String,
    detail   String
) ENGINE = {{engine "audit_events" "MergeTree()"}}
ORDER BY (at, event_id);
