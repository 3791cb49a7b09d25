-- The cooperation register as loaded, tagged with its run. The newest
-- committed run that mentions an agreement wins for the agreement, its
-- parties and its realisations together.
CREATE TABLE IF NOT EXISTS coop_agreement_rows{{onCluster}} (
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
    -- computed at load from the agreement's parties and realisations
    region_codes     Array(String),
    village_keys     Array(String),
    party_types      Array(String),
    partner_keys     Array(String),
    partner_sectors  Array(String),
    source           String
) ENGINE = {{engine "coop_agreement_rows" "MergeTree()"}}
ORDER BY (agreement_id, run_id);

CREATE TABLE IF NOT EXISTS coop_party_rows{{onCluster}} (
    run_id       UInt64,
    agreement_id String,
    party_type   String,
    name         String,
    partner_key  String,
    region_code  String,
    sector       String,
    role         String,
    body_id      String
) ENGINE = {{engine "coop_party_rows" "MergeTree()"}}
ORDER BY (agreement_id, run_id);

-- Sharded in a cluster, by agreement (internal/clickhouse/cluster.go).
CREATE TABLE IF NOT EXISTS {{table "coop_realisation_rows"}}{{onCluster}} (
    run_id        UInt64,
    agreement_id  String,
    village_code  String,
    month         Date,
    value         Decimal(18, 2),
    beneficiaries UInt32,
    outputs       String
) ENGINE = {{engine "coop_realisation_rows" "MergeTree()"}}
PARTITION BY toYear(month)
ORDER BY (agreement_id, run_id, month);
{{distributed "coop_realisation_rows"}}

CREATE TABLE IF NOT EXISTS coop_body_rows{{onCluster}} (
    run_id           UInt64,
    body_id          String,
    name             String,
    region_code      String,
    established_on   Nullable(Date),
    legal_basis      String,
    joint_enterprise String,
    members          Array(String)
) ENGINE = {{engine "coop_body_rows" "MergeTree()"}}
ORDER BY (body_id, run_id);

-- Snapshots (see snapshot_generations). The current version of each
-- agreement with what queries filter and group on.
CREATE TABLE IF NOT EXISTS coop_agreements{{onCluster}} (
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
    -- regions the agreement touches through its parties and realisations
    region_codes     Array(String),
    -- villages covered: desa codes, and "<region>:<name>" for desa persiapan
    village_keys     Array(String),
    party_types      Array(String),
    partner_keys     Array(String),
    partner_sectors  Array(String)
) ENGINE = {{engine "coop_agreements" "MergeTree()"}}
PARTITION BY generation
ORDER BY agreement_id;

CREATE TABLE IF NOT EXISTS coop_parties{{onCluster}} (
    generation   UInt64,
    agreement_id String,
    party_type   String,
    name         String,
    partner_key  String,
    region_code  String,
    sector       String,
    role         String,
    body_id      String
) ENGINE = {{engine "coop_parties" "MergeTree()"}}
PARTITION BY generation
ORDER BY (agreement_id, party_type, name);

-- Sharded in a cluster, by agreement, as the rows it is built from.
CREATE TABLE IF NOT EXISTS {{table "coop_realisations"}}{{onCluster}} (
    generation    UInt64,
    agreement_id  String,
    village_code  String,
    month         Date,
    value         Decimal(18, 2),
    beneficiaries UInt32,
    outputs       String
) ENGINE = {{engine "coop_realisations" "MergeTree()"}}
PARTITION BY generation
ORDER BY (agreement_id, month, village_code);
{{distributed "coop_realisations"}}

CREATE TABLE IF NOT EXISTS coop_bodies{{onCluster}} (
    generation       UInt64,
    body_id          String,
    name             String,
    region_code      String,
    established_on   Nullable(Date),
    legal_basis      String,
    joint_enterprise String,
    members          Array(String)
) ENGINE = {{engine "coop_bodies" "MergeTree()"}}
PARTITION BY generation
ORDER BY body_id;
