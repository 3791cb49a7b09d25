// Ringkasan: the province at a glance — the four strategic issues, the IDM
// status mix by year, villages that moved up or down, data freshness.
import { gql } from "../api";
import { chart, idmStatusColours, idmStatuses } from "../chart";
import { num, rupiah, pct, dateAndTime, score, yearWITA } from "../format";
import { label, labelValues, t } from "../i18n";
import { idmYears, kabupaten, province, shortName } from "../state";
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
  await Promise.all([byKabupatenAndIssue(grid), signedByYear(grid), impact(grid)]);
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
      // A narrow panel: the date and the time each on one line (not a
      // word a line), the exported value stays the instant.
      {
        key: "lastSuccessAt",
        label: t("Terakhir berhasil"),
        format: (v) => {
          if (!v) return "–";
          const [day, time] = dateAndTime(v as string);
          return h("span", { class: "when" }, h("span", { class: "nowrap" }, day), " ", h("span", { class: "nowrap" }, time));
        },
      },
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

interface KabIssue {
  kabupatenKota: string;
  regionName: string | null;
  issue: string;
  agreements: number;
  villagesCovered: number;
  committedValue: number;
  realisedValue: number;
}

// Planner question 1: per kabupaten and issue, agreements in force,
// villages covered, committed and realised value — this year and last.
async function byKabupatenAndIssue(grid: HTMLElement) {
  const year = yearWITA();
  const p = new Panel<Record<string, string | number>>(grid, {
    id: "kabupaten-isu-tahun",
    title: t("Per kabupaten dan isu: tahun ini dan tahun lalu"),
    subtitle: `${t("kerja sama berlaku dalam tahun")} ${year} ${t("dan")} ${year - 1}`,
    cooperation: true,
    wide: true,
  });
  const stats = (alias: string, y: number) => `  ${alias}: cooperationStats(
    dimensions: [KABUPATEN_KOTA, ISSUE]
    measures: [AGREEMENTS, VILLAGES_COVERED, COMMITTED_VALUE, REALISED_VALUE]
    filter: {regionCode: $region, activeDuring: {from: "${y}-01-01", to: "${y}-12-31"}}
  ) { rows { kabupatenKota regionName issue agreements villagesCovered committedValue realisedValue } }`;
  const q = {
    query: `query PerKabupatenAndIssue($region: ID!) {\n${stats("thisYear", year)}\n${stats("lastYear", year - 1)}\n}`,
    variables: { region: province },
  };
  p.setQuery(q);
  const d = await gql<{ thisYear: { rows: KabIssue[] }; lastYear: { rows: KabIssue[] } }>(q);
  const issues = labelValues("STRATEGIC_ISSUE");
  const find = (rows: KabIssue[], kab: string, issue: string) => rows.find((r) => r.kabupatenKota === kab && r.issue === issue);
  const rows: Record<string, string | number>[] = [];
  for (const k of kabupaten) {
    for (const issue of issues) {
      const a = find(d.thisYear.rows, k.code, issue);
      const b = find(d.lastYear.rows, k.code, issue);
      if (!a && !b) continue;
      rows.push({
        code: k.code,
        kabupaten: k.name,
        issue: label("STRATEGIC_ISSUE", issue),
        agreements: a?.agreements ?? 0,
        agreementsLast: b?.agreements ?? 0,
        villages: a?.villagesCovered ?? 0,
        villagesLast: b?.villagesCovered ?? 0,
        committed: a?.committedValue ?? 0,
        committedLast: b?.committedValue ?? 0,
        realised: a?.realisedValue ?? 0,
        realisedLast: b?.realisedValue ?? 0,
      });
    }
  }
  const n = (v: unknown) => num(v as number);
  const rp = (v: unknown) => rupiah(v as number);
  p.table(
    [
      { key: "code", label: "Kode" },
      { key: "kabupaten", label: t("Kabupaten/kota"), name: true },
      { key: "issue", label: t("Isu strategis"), name: true },
      { key: "agreements", label: `${t("Kerja sama")} ${year}`, numeric: true, format: n },
      { key: "agreementsLast", label: `${t("Kerja sama")} ${year - 1}`, numeric: true, format: n },
      { key: "villages", label: `${t("Desa tercakup")} ${year}`, numeric: true, format: n },
      { key: "villagesLast", label: `${t("Desa tercakup")} ${year - 1}`, numeric: true, format: n },
      { key: "committed", label: `${t("Nilai komitmen")} ${year}`, numeric: true, format: rp },
      { key: "committedLast", label: `${t("Nilai komitmen")} ${year - 1}`, numeric: true, format: rp },
      { key: "realised", label: `${t("Nilai realisasi")} ${year}`, numeric: true, format: rp },
      { key: "realisedLast", label: `${t("Nilai realisasi")} ${year - 1}`, numeric: true, format: rp },
    ],
    rows,
  );
}

// Planner question 10: agreements signed per year, by issue.
async function signedByYear(grid: HTMLElement) {
  const p = new Panel<Record<string, string | number>>(grid, {
    id: "ditandatangani-per-tahun",
    title: t("Kerja sama ditandatangani per tahun dan isu"),
    cooperation: true,
    wide: true,
  });
  const q = {
    query: `query SignedByYearAndIssue($region: ID!) {
  cooperationStats(dimensions: [PERIOD, ISSUE], measures: [AGREEMENTS], timeGrain: YEAR, filter: {regionCode: $region}) {
    rows { period issue agreements }
  }
}`,
    variables: { region: province },
  };
  p.setQuery(q);
  const d = await gql<{ cooperationStats: { rows: { period: string; issue: string; agreements: number }[] } }>(q);
  const issues = labelValues("STRATEGIC_ISSUE");
  const rows = d.cooperationStats.rows.filter((r) => issues.includes(r.issue) && /^\d{4}$/.test(r.period));
  const years = [...new Set(rows.map((r) => r.period))].sort();
  const box = h("div", { class: "chart" });
  p.body.append(box);
  chart(
    box,
    {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 16, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: years },
      yAxis: { type: "value" },
      series: issues.map((i) => ({
        type: "line",
        name: label("STRATEGIC_ISSUE", i),
        symbolSize: 6,
        data: years.map((y) => rows.find((r) => r.period === y && r.issue === i)?.agreements ?? 0),
      })),
    },
    t("Kerja sama ditandatangani per tahun dan isu"),
  );
  // One row per year, one column per issue.
  p.table(
    [
      { key: "period", label: t("Tahun") },
      ...issues.map((i) => ({ key: i, label: label("STRATEGIC_ISSUE", i), numeric: true, format: (v: unknown) => num(v as number) })),
    ],
    years.map((y) => ({ period: y, ...Object.fromEntries(issues.map((i) => [i, rows.find((r) => r.period === y && r.issue === i)?.agreements ?? 0])) })),
  );
}

interface ImpactGroup {
  desa: number;
  meanIdmFrom: number | null;
  meanIdmTo: number | null;
  meanChange: number | null;
  movedUp: number;
  unchanged: number;
  movedDown: number;
}

// Planner question 9: do desa with cooperation improve their IDM more than
// those without? Per kabupaten, with the counts behind each mean.
async function impact(grid: HTMLElement) {
  const p = new Panel<Record<string, string | number | null>>(grid, {
    id: "dampak-idm",
    title: t("Perubahan IDM: desa dengan dan tanpa kerja sama"),
    cooperation: true,
    wide: true,
  });
  if (idmYears.length < 2) {
    p.body.append(h("p", { class: "empty" }, t("Tidak ada data")));
    return;
  }
  const [from, to] = idmYears.slice(-2);
  p.setSubtitle(`IDM ${from} → ${to} · ${t("bukan ukuran sebab-akibat")}`);
  const regions = [{ code: province, name: t("Kalimantan Timur") }, ...kabupaten];
  const fields = regions
    .map((r, i) => `  r${i}: cooperationImpact(regionCode: "${r.code}", fromYear: $from, toYear: $to) {
    withCooperation { desa meanIdmFrom meanIdmTo meanChange movedUp unchanged movedDown }
    withoutCooperation { desa meanIdmFrom meanIdmTo meanChange movedUp unchanged movedDown }
  }`)
    .join("\n");
  const q = { query: `query CooperationImpact($from: Int!, $to: Int!) {\n${fields}\n}`, variables: { from, to } };
  p.setQuery(q);
  const d = await gql<Record<string, { withCooperation: ImpactGroup; withoutCooperation: ImpactGroup }>>(q);
  const rows: Record<string, string | number | null>[] = [];
  regions.forEach((r, i) => {
    const x = d[`r${i}`];
    if (!x || x.withCooperation.desa + x.withoutCooperation.desa === 0) return;
    for (const [group, g] of [
      [t("dengan kerja sama"), x.withCooperation],
      [t("tanpa kerja sama"), x.withoutCooperation],
    ] as const) {
      rows.push({ code: r.code, region: r.name, group, desa: g.desa, from: g.meanIdmFrom, to: g.meanIdmTo, change: g.meanChange,
        up: g.movedUp, same: g.unchanged, down: g.movedDown });
    }
  });
  const box = h("div", { class: "chart" });
  p.body.append(box);
  const names = regions.filter((_, i) => d[`r${i}`] && d[`r${i}`].withCooperation.desa + d[`r${i}`].withoutCooperation.desa > 0);
  chart(
    box,
    {
      tooltip: { trigger: "axis", valueFormatter: (v: number) => score(v) },
      legend: { bottom: 0 },
      grid: { left: 16, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: names.map((r) => shortName(r.name)), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", axisLabel: { formatter: (v: number) => score(v) } },
      series: [t("dengan kerja sama"), t("tanpa kerja sama")].map((group) => ({
        type: "bar",
        name: group,
        data: names.map((r) => rows.find((x) => x.code === r.code && x.group === group)?.change ?? null),
      })),
    },
    t("Perubahan IDM: desa dengan dan tanpa kerja sama"),
  );
  const sc = (v: unknown) => score(v as number);
  const n = (v: unknown) => num(v as number);
  p.table(
    [
      { key: "code", label: "Kode" },
      { key: "region", label: t("Wilayah") },
      { key: "group", label: t("Kelompok") },
      { key: "desa", label: t("Jumlah desa"), numeric: true, format: n },
      { key: "from", label: `${t("Rata-rata IDM")} ${from}`, numeric: true, format: sc },
      { key: "to", label: `${t("Rata-rata IDM")} ${to}`, numeric: true, format: sc },
      { key: "change", label: t("Perubahan rata-rata IDM"), numeric: true, format: sc },
      { key: "up", label: t("Desa naik status"), numeric: true, format: n },
      { key: "same", label: t("Desa tetap"), numeric: true, format: n },
      { key: "down", label: t("Desa turun status"), numeric: true, format: n },
    ],
    rows,
  );
}
