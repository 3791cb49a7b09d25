// Mitra: the most active partners, where and in which fields; which
// partner types dominate each issue.
import { gql } from "../api";
import { chart } from "../chart";
import { num, rupiah } from "../format";
import { label, labelValues, t } from "../i18n";
import { kabupaten, province, shortName } from "../state";
import { h, Panel, select, toolbar } from "../ui";

interface Partner {
  name: string;
  type: string;
  sector: string | null;
  agreements: number;
  activeAgreements: number;
  villagesCovered: number;
  kabupaten: { name: string }[];
  issues: string[];
  fields: string[];
  committedValue: number;
}

export async function mitra(main: HTMLElement, params: URLSearchParams) {
  const kab = params.get("kabupaten") ?? "";
  const order = params.get("urut") ?? "AGREEMENTS_DESC";
  const go = (c: Record<string, string>) => (location.hash = "#/mitra?" + new URLSearchParams({ kabupaten: kab, urut: order, ...c }).toString());
  const orders = [
    { value: "AGREEMENTS_DESC", label: t("Kerja sama") },
    { value: "COMMITTED_VALUE_DESC", label: t("Nilai komitmen") },
    { value: "VILLAGES_DESC", label: t("Desa tercakup") },
    { value: "NAME_ASC", label: t("Nama") },
  ];
  main.append(
    toolbar(
      select(t("Kabupaten/kota"), [{ value: "", label: t("Semua kabupaten/kota") }, ...kabupaten.map((k) => ({ value: k.code, label: k.name }))], kab, (v) => go({ kabupaten: v }), "kabupaten"),
      select(t("Urutkan"), orders, order, (v) => go({ urut: v }), "urut"),
    ),
  );
  const grid = h("div", { class: "grid" });
  main.append(grid);
  const p = new Panel<Partner>(grid, { id: "mitra-paling-aktif", title: t("Mitra paling aktif"), cooperation: true, wide: true });
  const q = {
    query: `query Partners($region: ID!, $order: PartnerOrder) {
  partners(filter: {regionCode: $region}, orderBy: $order, first: 50) {
    nodes { name type sector agreements activeAgreements villagesCovered kabupaten { name } issues fields committedValue }
  }
}`,
    variables: { region: kab || province, order },
  };
  p.setQuery(q);
  const d = await gql<{ partners: { nodes: Partner[] } }>(q);
  const partners = d.partners.nodes;
  const top = partners.slice(0, 10);
  const box = h("div", { class: "chart" });
  p.body.append(box);
  chart(
    box,
    {
      grid: { left: 16, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: top.map((x) => x.name), inverse: true, axisLabel: { width: 300, overflow: "truncate" } },
      series: [{ type: "bar", name: t("Kerja sama"), data: top.map((x) => x.agreements), label: { show: true, position: "right" } }],
    },
    t("Mitra paling aktif"),
  );
  p.table(
    [
      { key: "name", label: t("Nama") },
      { key: "type", label: t("Jenis"), value: (r) => label("PARTY_TYPE", r.type) },
      { key: "sector", label: t("Sektor"), value: (r) => (r.sector ? label("SECTOR", r.sector) : null) },
      { key: "agreements", label: t("Kerja sama"), numeric: true, format: (v) => num(v as number) },
      { key: "activeAgreements", label: t("Kerja sama berlaku"), numeric: true, format: (v) => num(v as number) },
      { key: "villagesCovered", label: t("Desa tercakup"), numeric: true, format: (v) => num(v as number) },
      { key: "kabupaten", label: t("Kabupaten/kota"), value: (r) => r.kabupaten.map((k) => shortName(k.name)).join("; "), format: (v) => brief(v) },
      { key: "issues", label: t("Isu strategis"), value: (r) => r.issues.map((i) => label("STRATEGIC_ISSUE", i)).join("; "), format: (v) => brief(v) },
      { key: "fields", label: t("Bidang"), value: (r) => r.fields.map((i) => label("FIELD_OF_WORK", i)).join("; "), format: (v) => brief(v) },
      { key: "committedValue", label: t("Nilai komitmen"), numeric: true, format: (v) => rupiah(v as number) },
    ],
    partners,
  );

  await energy(grid, kab || province);

  // Partner types per issue.
  const tp = new Panel<{ issue: string; partyType: string; agreements: number; partners: number }>(grid, {
    id: "jenis-mitra-per-isu",
    title: t("Jenis mitra per isu"),
    cooperation: true,
    wide: true,
  });
  const tq = {
    query: `query PartnerTypesPerIssue($filter: AgreementFilter) {
  cooperationStats(dimensions: [ISSUE, PARTY_TYPE], measures: [AGREEMENTS, PARTNERS], filter: $filter) {
    rows { issue partyType agreements partners }
  }
}`,
    variables: { filter: { regionCode: kab || province } },
  };
  tp.setQuery(tq);
  const td = await gql<{ cooperationStats: { rows: { issue: string; partyType: string; agreements: number; partners: number }[] } }>(tq);
  const partnerTypes = new Set(labelValues("PARTY_TYPE").filter((x) => !["DESA", "DESA_PERSIAPAN", "BKAD", "BUMDESA"].includes(x)));
  const rows = td.cooperationStats.rows.filter((r) => partnerTypes.has(r.partyType) && r.issue !== "NONE");
  const issues = labelValues("STRATEGIC_ISSUE");
  const types = [...partnerTypes].filter((pt) => rows.some((r) => r.partyType === pt));
  const cbox = h("div", { class: "chart" });
  tp.body.append(cbox);
  chart(
    cbox,
    {
      grid: { left: 8, right: 16, top: 16, bottom: 64, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, type: "scroll" },
      xAxis: { type: "category", data: issues.map((i) => label("STRATEGIC_ISSUE", i)), axisLabel: { interval: 0, width: 140, overflow: "break" } },
      yAxis: { type: "value", name: t("Mitra aktif") },
      series: types.map((pt) => ({
        type: "bar",
        stack: "types",
        name: label("PARTY_TYPE", pt),
        data: issues.map((i) => rows.find((r) => r.issue === i && r.partyType === pt)?.partners ?? 0),
      })),
    },
    t("Jenis mitra per isu"),
  );
  tp.table(
    [
      { key: "issue", label: t("Isu strategis"), value: (r) => label("STRATEGIC_ISSUE", r.issue) },
      { key: "partyType", label: t("Jenis"), value: (r) => label("PARTY_TYPE", r.partyType) },
      { key: "partners", label: t("Mitra aktif"), numeric: true, format: (v) => num(v as number) },
      { key: "agreements", label: t("Kerja sama"), numeric: true, format: (v) => num(v as number) },
    ],
    rows,
  );
}

// brief shows the first three items of a list (the download has them all).
function brief(v: unknown): string {
  const items = String(v ?? "").split("; ").filter(Boolean);
  if (items.length === 0) return "–";
  return items.length <= 3 ? items.join(", ") : `${items.slice(0, 3).join(", ")} (+${items.length - 3})`;
}

// Planner question 7: energy and mineral agreements per kabupaten, by the
// partner's sector, with the villages involved.
export async function energy(grid: HTMLElement, region: string) {
  const p = new Panel<{ kabupatenKota: string; regionName: string | null; partnerSector: string; agreements: number; activeAgreements: number; villagesCovered: number }>(grid, {
    id: "energi-mineral",
    title: t("Energi dan mineral per kabupaten"),
    cooperation: true,
    wide: true,
  });
  const q = {
    query: `query EnergyMineralByKabupaten($region: ID!) {
  cooperationStats(dimensions: [KABUPATEN_KOTA, PARTNER_SECTOR], measures: [AGREEMENTS, ACTIVE_AGREEMENTS, VILLAGES_COVERED],
                   filter: {regionCode: $region, issues: [ENERGY_MINERAL]}) {
    rows { kabupatenKota regionName partnerSector agreements activeAgreements villagesCovered }
  }
}`,
    variables: { region },
  };
  p.setQuery(q);
  const d = await gql<{ cooperationStats: { rows: { kabupatenKota: string; regionName: string | null; partnerSector: string; agreements: number; activeAgreements: number; villagesCovered: number }[] } }>(q);
  const rows = d.cooperationStats.rows.filter((r) => r.kabupatenKota !== "" && r.partnerSector !== "NONE");
  p.table(
    [
      { key: "kabupatenKota", label: "Kode" },
      { key: "regionName", label: t("Kabupaten/kota") },
      { key: "partnerSector", label: t("Sektor"), value: (r) => label("SECTOR", r.partnerSector) },
      { key: "agreements", label: t("Kerja sama"), numeric: true, format: (v) => num(v as number) },
      { key: "activeAgreements", label: t("Kerja sama berlaku"), numeric: true, format: (v) => num(v as number) },
      { key: "villagesCovered", label: t("Desa tercakup"), numeric: true, format: (v) => num(v as number) },
    ],
    rows,
  );
}
