-- Realised value and beneficiaries per agreement, desa and year (snapshot),
-- rolled up from coop_realisations at each refresh. Ordered by village so
-- that questions about a region read only its rows; about 8 times fewer
-- rows than the monthly table.
CREATE TABLE IF NOT EXISTS coop_realised_yearly{{onCluster}} (
    generation    UInt64,
    village_code  String,
    year          UInt16,
    agreement_id  String,
    value         Decimal(18, 2),
    beneficiaries UInt64
) ENGINE = {{engine "coop_realised_yearly" "MergeTree()"}}
PARTITION BY generation
ORDER BY (village_code, year, agreement_id);
