-- 0001_etl_runs.sql
CREATE TABLE IF NOT EXISTS etl_runs (
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
) ENGINE = ReplacingMergeTree(version)
ORDER BY run_id;
-- 0001_etl_runs.sql
CREATE TABLE IF NOT EXISTS etl_rejects (
    run_id      UInt64,
    dataset     String,
    source      String,
    sheet       String,
    line        UInt64,
    reason      String,
    record      String,
    rejected_at DateTime
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(rejected_at)
ORDER BY (dataset, run_id, line);
-- 0001_etl_runs.sql
CREATE TABLE IF NOT EXISTS snapshot_generations (
    snapshot     String,
    generation   UInt64,
    run_id       UInt64,
    published_at DateTime
) ENGINE = MergeTree()
ORDER BY (snapshot, generation);
-- 0002_regions.sql
CREATE TABLE IF NOT EXISTS region_rows (
    run_id      UInt64,
    code        String,
    level       Enum8('provinsi' = 1, 'kabupaten_kota' = 2, 'kecamatan' = 3, 'desa_kelurahan' = 4),
    kind        String,
    parent_code String,
    name        String,
    source      String
) ENGINE = MergeTree()
ORDER BY (code, run_id);
-- 0002_regions.sql
CREATE TABLE IF NOT EXISTS regions_current (
    generation      UInt64,
    code            String,
    level           Enum8('provinsi' = 1, 'kabupaten_kota' = 2, 'kecamatan' = 3, 'desa_kelurahan' = 4),
    kind            String,
    parent_code     String,
    name            String,
    desa_count      UInt32,
    kelurahan_count UInt32
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (level, parent_code, code);
-- 0003_idm.sql
CREATE TABLE IF NOT EXISTS idm_rows (
    run_id       UInt64,
    index_name   String,
    year         UInt16,
    village_code String,
    iks          Float64,
    ike          Float64,
    ikl          Float64,
    idm          Float64,
    status       Enum8('SANGAT_TERTINGGAL' = 1, 'TERTINGGAL' = 2, 'BERKEMBANG' = 3, 'MAJU' = 4, 'MANDIRI' = 5),
    source       String
) ENGINE = MergeTree()
PARTITION BY year
ORDER BY (index_name, year, village_code, run_id);
-- 0003_idm.sql
CREATE TABLE IF NOT EXISTS idm_current (
    generation   UInt64,
    index_name   String,
    year         UInt16,
    village_code String,
    iks          Float64,
    ike          Float64,
    ikl          Float64,
    idm          Float64,
    status       Enum8('SANGAT_TERTINGGAL' = 1, 'TERTINGGAL' = 2, 'BERKEMBANG' = 3, 'MAJU' = 4, 'MANDIRI' = 5)
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (index_name, year, village_code);
-- 0003_idm.sql
CREATE TABLE IF NOT EXISTS idm_region_stats (
    generation        UInt64,
    index_name        String,
    year              UInt16,
    level             Enum8('provinsi' = 1, 'kabupaten_kota' = 2, 'kecamatan' = 3, 'desa_kelurahan' = 4),
    region_code       String,
    parent_code       String,
    total             UInt32,
    mandiri           UInt32,
    maju              UInt32,
    berkembang        UInt32,
    tertinggal        UInt32,
    sangat_tertinggal UInt32,
    sum_idm           Float64,
    sum_iks           Float64,
    sum_ike           Float64,
    sum_ikl           Float64
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (index_name, year, level, parent_code, region_code);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_agreement_rows (
    run_id           UInt64,
    agreement_id     String,
    document_numbers Array(String),
    title            String,
    document_type    String,
    signed_on        Nullable(Date),
    signed_place     String,
    starts_on        Nullable(Date),
    ends_on          Nullable(Date),
    status           String,
    declared_issues  Array(String),
    derived_issues   Array(String),
    fields           Array(String),
    committed_value  Nullable(Decimal(18, 2)),
    funding_source   String,
    source_reference String,
    region_codes     Array(String),
    village_keys     Array(String),
    party_types      Array(String),
    partner_keys     Array(String),
    partner_sectors  Array(String),
    source           String
) ENGINE = MergeTree()
ORDER BY (agreement_id, run_id);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_party_rows (
    run_id       UInt64,
    agreement_id String,
    party_type   String,
    name         String,
    partner_key  String,
    region_code  String,
    sector       String,
    role         String,
    body_id      String
) ENGINE = MergeTree()
ORDER BY (agreement_id, run_id);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_realisation_rows (
    run_id        UInt64,
    agreement_id  String,
    village_code  String,
    month         Date,
    value         Decimal(18, 2),
    beneficiaries UInt32,
    outputs       String
) ENGINE = MergeTree()
PARTITION BY toYear(month)
ORDER BY (agreement_id, run_id, month);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_body_rows (
    run_id           UInt64,
    body_id          String,
    name             String,
    region_code      String,
    established_on   Nullable(Date),
    legal_basis      String,
    joint_enterprise String,
    members          Array(String)
) ENGINE = MergeTree()
ORDER BY (body_id, run_id);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_agreements (
    generation       UInt64,
    agreement_id     String,
    run_id           UInt64,
    document_numbers Array(String),
    title            String,
    document_type    String,
    signed_on        Nullable(Date),
    signed_place     String,
    starts_on        Nullable(Date),
    ends_on          Nullable(Date),
    status           String,
    declared_issues  Array(String),
    derived_issues   Array(String),
    issues           Array(String),
    fields           Array(String),
    committed_value  Nullable(Decimal(18, 2)),
    funding_source   String,
    source_reference String,
    region_codes     Array(String),
    village_keys     Array(String),
    party_types      Array(String),
    partner_keys     Array(String),
    partner_sectors  Array(String)
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY agreement_id;
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_parties (
    generation   UInt64,
    agreement_id String,
    party_type   String,
    name         String,
    partner_key  String,
    region_code  String,
    sector       String,
    role         String,
    body_id      String
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (agreement_id, party_type, name);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_realisations (
    generation    UInt64,
    agreement_id  String,
    village_code  String,
    month         Date,
    value         Decimal(18, 2),
    beneficiaries UInt32,
    outputs       String
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (agreement_id, month, village_code);
-- 0004_cooperation.sql
CREATE TABLE IF NOT EXISTS coop_bodies (
    generation       UInt64,
    body_id          String,
    name             String,
    region_code      String,
    established_on   Nullable(Date),
    legal_basis      String,
    joint_enterprise String,
    members          Array(String)
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY body_id;
-- 0005_realisation_lines.sql
ALTER TABLE coop_realisation_rows ADD COLUMN IF NOT EXISTS line UInt32;
-- 0005_realisation_lines.sql
CREATE TABLE IF NOT EXISTS coop_realisation_dropped (
    run_id       UInt64,
    agreement_id String,
    line         UInt32,
    refused      UInt8
) ENGINE = MergeTree()
ORDER BY (run_id, line);
-- 0005_realisation_lines.sql
CREATE TABLE IF NOT EXISTS coop_realisation_copied_agreements (
    run_id       UInt64,
    agreement_id String
) ENGINE = MergeTree()
ORDER BY (run_id, agreement_id);
-- 0006_realised_yearly.sql
CREATE TABLE IF NOT EXISTS coop_realised_yearly (
    generation    UInt64,
    village_code  String,
    year          UInt16,
    agreement_id  String,
    value         Decimal(18, 2),
    beneficiaries UInt64
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (village_code, year, agreement_id);
-- 0007_cooperation_rollups.sql
CREATE TABLE IF NOT EXISTS coop_agreements_current (
    generation       UInt64,
    agreement_id     String,
    run_id           UInt64,
    document_numbers Array(String),
    title            String,
    document_type    String,
    signed_on        Nullable(Date),
    signed_place     String,
    starts_on        Nullable(Date),
    ends_on          Nullable(Date),
    status           String,
    declared_issues  Array(String),
    derived_issues   Array(String),
    issues           Array(String),
    fields           Array(String),
    committed_value  Nullable(Decimal(18, 2)),
    funding_source   String,
    source_reference String,
    region_codes     Array(String),
    village_keys     Array(String),
    party_types      Array(String),
    partner_keys     Array(String),
    partner_sectors  Array(String)
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY agreement_id
SETTINGS index_granularity = 1024;
-- 0007_cooperation_rollups.sql
DROP TABLE IF EXISTS coop_agreements;
-- 0007_cooperation_rollups.sql
CREATE TABLE IF NOT EXISTS coop_agreements_by_region (
    generation      UInt64,
    region_code     String,
    agreement_id    String,
    status          String,
    signed_on       Nullable(Date),
    starts_on       Nullable(Date),
    ends_on         Nullable(Date),
    issues          Array(String),
    fields          Array(String),
    committed_value Nullable(Decimal(18, 2)),
    village_keys    Array(String),
    party_types     Array(String),
    partner_keys    Array(String),
    partner_sectors Array(String)
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (region_code, agreement_id);
-- 0007_cooperation_rollups.sql
CREATE TABLE IF NOT EXISTS coop_agreement_cube (
    generation UInt64,
    level      UInt8,
    region_code String,
    issue      String,
    period     String,
    agreements UInt64,
    desa       UInt64,
    persiapan  UInt64,
    partners   UInt64,
    committed  Decimal(38, 2)
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (level, region_code, issue, period);
-- 0007_cooperation_rollups.sql
CREATE TABLE IF NOT EXISTS coop_realised_cube (
    generation    UInt64,
    level         UInt8,
    region_code   String,
    issue         String,
    year          UInt16,
    value         Decimal(38, 2),
    beneficiaries UInt64
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (level, region_code, issue, year);
-- 0007_cooperation_rollups.sql
CREATE TABLE IF NOT EXISTS coop_active_changes (
    generation UInt64,
    issue      String,
    day        Date,
    change     Int64
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (issue, day);
-- 0008_realised_totals.sql
DROP TABLE IF EXISTS coop_realised_cube;
-- 0008_realised_totals.sql
CREATE TABLE IF NOT EXISTS coop_realised_totals (
    generation    UInt64,
    level         UInt8,
    region_code   String,
    issue         String,
    year          UInt16,
    in_force      UInt8,
    value         Decimal(38, 2),
    beneficiaries UInt64
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY (level, region_code, issue, year, in_force);
-- 0009_published_runs.sql
ALTER TABLE snapshot_generations ADD COLUMN IF NOT EXISTS run_ids Array(UInt64);
-- 0009_published_runs.sql
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS host String;
-- 0009_published_runs.sql
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS pid UInt32;
-- 0009_published_runs.sql
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS process_start String;
-- 0010_withdrawn_runs.sql
CREATE TABLE IF NOT EXISTS etl_withdrawn_runs (
    run_id       UInt64,
    dataset      String,
    reason       String,
    withdrawn_at DateTime
) ENGINE = MergeTree()
ORDER BY run_id;
-- 0011_runs_without_realisations.sql
CREATE TABLE IF NOT EXISTS coop_runs_without_realisations (
    run_id UInt64
) ENGINE = MergeTree()
ORDER BY run_id;
-- 0012_reject_warnings.sql
ALTER TABLE etl_rejects ADD COLUMN IF NOT EXISTS warning UInt8 DEFAULT 0;
-- 0013_accounts.sql
CREATE TABLE IF NOT EXISTS api_keys (
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
) ENGINE = ReplacingMergeTree(version)
ORDER BY key_id;
-- 0013_accounts.sql
CREATE TABLE IF NOT EXISTS audit_events (
    event_id UInt64,
    at       DateTime,
    actor    String,
    action   String,
    subject  String,
    detail   String
) ENGINE = MergeTree()
ORDER BY (at, event_id);
-- 0014_register_submissions.sql
CREATE TABLE IF NOT EXISTS register_submissions (
    run_id       UInt64,
    submitted_at DateTime,
    actor        String,
    file_names   Array(String),
    file_sizes   Array(UInt64),
    file_sha256  Array(String),
    status       String,
    error        String
) ENGINE = ReplacingMergeTree()
ORDER BY run_id;
-- 0015_agreement_withdrawals.sql
CREATE TABLE IF NOT EXISTS coop_agreement_withdrawals (
    agreement_id String,
    version      UInt64,
    withdrawn    UInt8,
    actor        String,
    at           DateTime,
    reason       String
) ENGINE = MergeTree()
ORDER BY (agreement_id, version);
-- 0016_users_sessions.sql
CREATE TABLE IF NOT EXISTS users (
    name          String,
    version       UInt64,
    display_name  String,
    role          Enum8('viewer' = 1, 'editor' = 2, 'admin' = 3),
    scopes        Array(String),
    password_hash String,
    disabled      UInt8,
    epoch         UInt32,
    created_by    String,
    created_at    DateTime,
    updated_at    DateTime
) ENGINE = ReplacingMergeTree(version)
ORDER BY name;
-- 0016_users_sessions.sql
CREATE TABLE IF NOT EXISTS user_sessions (
    session_id   String,
    version      UInt64,
    kind         String,
    user_name    String,
    display_name String,
    role         Enum8('viewer' = 1, 'editor' = 2, 'admin' = 3),
    scopes       Array(String),
    epoch        UInt32,
    csrf_token   String,
    created_at   DateTime,
    expires_at   DateTime,
    ended_at     DateTime
) ENGINE = ReplacingMergeTree(version)
ORDER BY session_id;
-- 0017_reject_columns.sql
ALTER TABLE etl_rejects ADD COLUMN IF NOT EXISTS column_name Nullable(String);
-- 0018_delta_generations.sql
ALTER TABLE snapshot_generations ADD COLUMN IF NOT EXISTS base_generation UInt64;
-- 0018_delta_generations.sql
CREATE TABLE IF NOT EXISTS coop_changed_agreements (
    generation   UInt64,
    agreement_id String
) ENGINE = MergeTree()
PARTITION BY generation
ORDER BY agreement_id;
