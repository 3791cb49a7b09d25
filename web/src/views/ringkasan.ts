// Ringkasan: the province at a glance — the four strategic issues, the IDM
// status mix by year, villages that moved up or down, data freshness.
import { gql } from "../api";
import { chart, idmStatusColours, idmStatuses } from "../chart";
import { num, rupiah, pct, dateTime } from "../format";
import { label, t } from "../i18n";
import { idmYears, province } from "../state";
import { h, Panel } from "../ui";

interface Issue {
  issue: string;
  agreements: number;
  activeAgreements: number;
  villagesCovered: number;
  partners: number;
  committedValue: number;
  realisedValue: number;
}

export async function ringkasan(main: HTMLElement) {
  const grid = h("div", { class: "grid" });
  main.append(grid);
  await Promise.all([issues(grid), statusMix(grid), transitions(grid), freshness(grid)]);
}

async function issues(grid: HTMLElement) {
  const p = new Panel<Issue>(grid, { id: "isu-strategis", title: t("Empat isu strategis"), cooperation: true, wide: true });
  const q = {
    query: `query StrategicIssues {
  strategicIssues { issue agreements activeAgreements villagesCovered partners committedValue realisedValue }
}`,
  };
  p.setQuery(q);
  const d = await gql<{ strategicIssues: Issue[] }>(q);
  const rows = d.strategicIssues;
  const kpis = h("div", { class: "kpis" });
  for (const r of rows) {
    kpis.append(
      h(
        "div",
        { class: "kpi" },
        h("h3", {}, label("STRATEGIC_ISSUE", r.issue)),
        h("p", { class: "kpi-main" }, num(r.activeAgreements), " ", h("span", {}, t("Kerja sama berlaku").toLowerCase())),
        h("p", {}, `${num(r.villagesCovered)} ${t("desa")} · ${rupiah(r.committedValue)} · ${t("Nilai realisasi").toLowerCase()} ${rupiah(r.realisedValue)}`),
      ),
    );
  }
  p.body.append(kpis);
  p.setSubtitle(t("berlaku hari ini: status aktif, sudah mulai, belum berakhir"));
  p.table(
    [
      { key: "issue", label: t("Isu strategis"), value: (r) => label("STRATEGIC_ISSUE", r.issue) },
      { key: "agreements", label: t("Kerja sama"), numeric: true, format: (v) => num(v as number) },
      { key: "activeAgreements", label: t("Kerja sama berlaku"), numeric: true, format: (v) => num(v as number) },
      { key: "villagesCovered", label: t("Desa tercakup"), numeric: true, format: (v) => num(v as number) },
      { key: "partners", label: t("Mitra aktif"), numeric: true, format: (v) => num(v as number) },
      { key: "committedValue", label: t("Nilai komitmen"), numeric: true, format: (v) => rupiah(v as number) },
      { key: "realisedValue", label: t("Nilai realisasi"), numeric: true, format: (v) => rupiah(v as number) },
    ],
    rows,
  );
}

interface Mix {
  region: { code: string };
  year: number;
  total: number;
  byStatus: { status: string; count: number; share: number | null }[];
}

async function statusMix(grid: HTMLElement) {
  const p = new Panel<{ year: number; status: string; count: number; share: number | null }>(grid, {
    id: "status-idm-per-tahun",
    title: t("Sebaran status IDM per tahun"),
    subtitle: `Kalimantan Timur · IDM ${idmYears.join(", ")}`,
  });
  // One aliased idmDistribution per year.
  const fields = idmYears
    .map((y) => `  y${y}: idmDistribution(year: ${y}, level: PROVINSI) { region { code } year total byStatus { status count share } }`)
    .join("\n");
  const q = { query: `query IdmStatusMixByYear {\n${fields}\n}` };
  p.setQuery(q);
  const d = await gql<Record<string, Mix[]>>(q);
  const mixes = idmYears.map((y) => d[`y${y}`].find((m) => m.region.code === province)).filter((m): m is Mix => !!m);
  const rows = mixes.flatMap((m) => m.byStatus.map((s) => ({ year: m.year, status: s.status, count: s.count, share: s.share })));
  const box = h("div", { class: "chart" });
  p.body.append(box);
  chart(
    box,
    {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: mixes.map((m) => String(m.year)) },
      yAxis: { type: "value", name: t("desa") },
      series: idmStatuses.map((s) => ({
        name: label("IDM_STATUS", s),
        type: "bar",
        stack: "status",
        itemStyle: { color: idmStatusColours[s] },
        data: mixes.map((m) => m.byStatus.find((b) => b.status === s)?.count ?? 0),
      })),
    },
    t("Sebaran status IDM per tahun"),
  );
  p.table(
    [
      { key: "year", label: t("Tahun") },
      { key: "status", label: t("Status"), value: (r) => label("IDM_STATUS", r.status) },
      { key: "count", label: t("Jumlah desa"), numeric: true, format: (v) => num(v as number) },
      { key: "share", label: t("Porsi"), numeric: true, format: (v) => pct(v as number) },
    ],
    rows,
  );
}

async function transitions(grid: HTMLElement) {
  const p = new Panel<{ change: string; count: number }>(grid, { id: "perubahan-status-idm", title: t("Perubahan status IDM") });
  if (idmYears.length < 2) {
    p.body.append(h("p", { class: "empty" }, t("Tidak ada data")));
    return;
  }
  const [from, to] = idmYears.slice(-2);
  const q = {
    query: `query IdmTransitions($from: Int!, $to: Int!, $region: ID) {
  idmTransitions(fromYear: $from, toYear: $to, regionCode: $region) { from to count }
}`,
    variables: { from, to, region: province },
  };
  p.setQuery(q);
  p.setSubtitle(`Kalimantan Timur · ${from} → ${to}`);
  const d = await gql<{ idmTransitions: { from: string; to: string; count: number }[] }>(q);
  const rank = (s: string) => idmStatuses.indexOf(s);
  let up = 0,
    down = 0,
    same = 0;
  for (const tr of d.idmTransitions) {
    if (rank(tr.to) < rank(tr.from)) up += tr.count;
    else if (rank(tr.to) > rank(tr.from)) down += tr.count;
    else same += tr.count;
  }
  const rows = [
    { change: t("Desa naik status"), count: up },
    { change: t("Desa tetap"), count: same },
    { change: t("Desa turun status"), count: down },
  ];
  p.body.append(
    h(
      "div",
      { class: "kpis" },
      ...rows.map((r) => h("div", { class: "kpi" }, h("h3", {}, r.change), h("p", { class: "kpi-main" }, num(r.count)))),
    ),
  );
  p.table(
    [
      { key: "change", label: t("Status") },
      { key: "count", label: t("Jumlah desa"), numeric: true, format: (v) => num(v as number) },
    ],
    rows,
  );
}

interface Fresh {
  dataset: string;
  lastSuccessAt: string | null;
  rowsLoaded: number;
  rowsRejected: number;
}

async function freshness(grid: HTMLElement) {
  const p = new Panel<Fresh>(grid, { id: "kesegaran-data", title: t("Kesegaran data") });
  const q = { query: `query DataFreshness {\n  dataFreshness { dataset lastSuccessAt rowsLoaded rowsRejected }\n}` };
  p.setQuery(q);
  const d = await gql<{ dataFreshness: Fresh[] }>(q);
  p.table(
    [
      { key: "dataset", label: t("Dataset"), format: (v) => datasetName(String(v)) },
      { key: "lastSuccessAt", label: t("Terakhir berhasil"), format: (v) => dateTime(v as string) },
      { key: "rowsLoaded", label: t("Baris dimuat"), numeric: true, format: (v) => num(v as number) },
      { key: "rowsRejected", label: t("Baris ditolak"), numeric: true, format: (v) => num(v as number) },
    ],
    d.dataFreshness,
  );
}

export function datasetName(d: string): string {
  const names: Record<string, [string, string]> = {
    regions: ["Wilayah (Kemendagri)", "Regions (Kemendagri)"],
    idm: ["IDM (Kemendesa)", "IDM (Kemendesa)"],
    register: ["Register kerja sama", "Cooperation register"],
    simulation: ["Register SIMULASI", "SIMULATION register"],
  };
  const n = names[d];
  if (!n) return d;
  return document.documentElement.lang === "en" ? n[1] : n[0];
}
