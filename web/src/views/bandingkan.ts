// Bandingkan: kabupaten side by side — scorecards and bar charts, with a
// print layout an office can turn into PDF from the browser.
import { gql } from "../api";
import { chart, idmStatuses } from "../chart";
import { num, pct, rupiah, score, yearWITA } from "../format";
import { label, t } from "../i18n";
import { kabupaten, latestIDMYear, shortName } from "../state";
import { checkboxes, h, Panel, select, toolbar } from "../ui";

interface Card {
  region: { code: string; name: string };
  year: number;
  desaCount: number;
  agreements: number;
  agreementsPer100Desa: number;
  desaCovered: number;
  desaCoveredShare: number;
  committedValue: number;
  valuePerDesa: number;
  realisedValue: number;
  byIssue: { issue: string; agreements: number }[];
  idm: { scored: number; meanIdm: number | null; byStatus: { status: string; count: number; share: number | null }[]; movedUp: number | null; movedDown: number | null } | null;
}

const defaultCodes = ["64.02", "64.01", "64.08"]; // Kukar, Paser, Kutai Timur

export async function bandingkan(main: HTMLElement, params: URLSearchParams) {
  const codes = (params.get("kode") ?? defaultCodes.join(",")).split(",").filter(Boolean);
  const year = params.has("tahun") ? Number(params.get("tahun")) : await latestRealisedYear();
  const idmYear = latestIDMYear();
  const go = (c: string[], y: number) => (location.hash = `#/bandingkan?kode=${c.join(",")}&tahun=${y}`);
  const years = [yearWITA(), yearWITA() - 1, yearWITA() - 2, yearWITA() - 3];
  if (!years.includes(year)) years.push(year);
  const printButton = h("button", { type: "button", class: "primary" }, t("Cetak"));
  printButton.addEventListener("click", () => window.print());
  main.append(
    toolbar(
      checkboxes(t("Pilih kabupaten/kota"), kabupaten.map((k) => ({ value: k.code, label: k.name })), codes, (c) => go(c, year), "kabupaten"),
      select(t("Kerja sama tahun"), years.map((y) => ({ value: String(y), label: String(y) })), String(year), (v) => go(codes, Number(v)), "tahun"),
      printButton,
    ),
  );
  if (codes.length === 0) {
    main.append(h("p", { class: "empty" }, t("Pilih kabupaten/kota")));
    return;
  }
  const q = {
    query: `query Scorecards($codes: [ID!]!, $year: Int!, $idmYear: Int!) {
  cooperation: compareRegions(codes: $codes, year: $year) {
    region { code name } year desaCount agreements agreementsPer100Desa desaCovered desaCoveredShare
    committedValue valuePerDesa realisedValue byIssue { issue agreements }
  }
  idm: compareRegions(codes: $codes, year: $idmYear) {
    region { code } idm { scored meanIdm byStatus { status count share } movedUp movedDown }
  }
}`,
    variables: { codes, year, idmYear },
  };
  const d = await gql<{ cooperation: Card[]; idm: Pick<Card, "region" | "idm">[] }>(q);
  const cards = d.cooperation.map((c) => ({ ...c, idm: d.idm.find((x) => x.region.code === c.region.code)?.idm ?? null }));

  const grid = h("div", { class: "grid" });
  main.append(grid);
  type Line = { measure: string } & Record<string, string | number | null>;
  const p = new Panel<Line>(grid, {
    id: "kartu-skor",
    title: t("Kartu skor"),
    subtitle: `${t("kerja sama berlaku dalam tahun")} ${year} · IDM ${idmYear}`,
    cooperation: true,
    wide: true,
  });
  p.setQuery(q);
  // The scorecards: one column per region.
  const lines: { measure: string; get: (c: Card) => number | null; show: (v: number | null) => string }[] = [
    { measure: t("Jumlah desa"), get: (c) => c.desaCount, show: (v) => num(v) },
    { measure: `${t("Kerja sama")} ${year}`, get: (c) => c.agreements, show: (v) => num(v) },
    { measure: t("Kerja sama per 100 desa"), get: (c) => c.agreementsPer100Desa, show: (v) => num(v, 2) },
    { measure: t("Desa tercakup"), get: (c) => c.desaCovered, show: (v) => num(v) },
    { measure: t("Porsi desa tercakup"), get: (c) => c.desaCoveredShare, show: (v) => pct(v) },
    { measure: t("Nilai komitmen"), get: (c) => c.committedValue, show: (v) => rupiah(v) },
    { measure: t("Nilai per desa"), get: (c) => c.valuePerDesa, show: (v) => rupiah(v) },
    { measure: `${t("Nilai realisasi")} ${year}`, get: (c) => c.realisedValue, show: (v) => rupiah(v) },
    ...["INTER_VILLAGE_BODY", "THIRD_PARTY", "CROSS_KABUPATEN", "ENERGY_MINERAL"].map((issue) => ({
      measure: `${t("Kerja sama")}: ${label("STRATEGIC_ISSUE", issue)}`,
      get: (c: Card) => c.byIssue.find((b) => b.issue === issue)?.agreements ?? 0,
      show: (v: number | null) => num(v),
    })),
    { measure: `${t("Rata-rata IDM")} ${idmYear}`, get: (c) => c.idm?.meanIdm ?? null, show: (v) => score(v) },
    ...idmStatuses.map((s) => ({
      measure: `${label("IDM_STATUS", s)} ${idmYear}`,
      get: (c: Card) => c.idm?.byStatus.find((b) => b.status === s)?.count ?? null,
      show: (v: number | null) => num(v),
    })),
    { measure: `${t("Desa naik status")} ${idmYear - 1}→${idmYear}`, get: (c) => c.idm?.movedUp ?? null, show: (v) => num(v) },
    { measure: `${t("Desa turun status")} ${idmYear - 1}→${idmYear}`, get: (c) => c.idm?.movedDown ?? null, show: (v) => num(v) },
  ];
  const rows: Line[] = lines.map((l) => ({ measure: l.measure, ...Object.fromEntries(cards.map((c) => [c.region.code, l.get(c)])) }));
  p.table(
    [
      { key: "measure", label: t("Ukuran") },
      ...cards.map((c) => ({
        key: c.region.code,
        label: c.region.name,
        numeric: true,
        format: (v: unknown, r: Line) => lines.find((l) => l.measure === r.measure)!.show(v as number | null),
      })),
    ],
    rows,
  );

  // Bar charts of the rates that compare regions of different sizes.
  const bars: { id: string; title: string; get: (c: Card) => number | null; show: (v: number) => string; coop: boolean }[] = [
    { id: "per-100-desa", title: t("Kerja sama per 100 desa"), get: (c) => c.agreementsPer100Desa, show: (v) => num(v, 2), coop: true },
    { id: "porsi-tercakup", title: t("Porsi desa tercakup"), get: (c) => c.desaCoveredShare, show: (v) => pct(v), coop: true },
    { id: "nilai-per-desa", title: t("Nilai per desa"), get: (c) => c.valuePerDesa, show: (v) => rupiah(v), coop: true },
    { id: "rata-rata-idm", title: `${t("Rata-rata IDM")} ${idmYear}`, get: (c) => c.idm?.meanIdm ?? null, show: (v) => score(v), coop: false },
  ];
  for (const b of bars) {
    const bp = new Panel<{ code: string; name: string; value: number | null }>(grid, {
      id: `bandingkan-${b.id}`,
      title: b.title,
      subtitle: b.coop ? `${t("kerja sama berlaku dalam tahun")} ${year}` : `IDM ${idmYear}`,
      cooperation: b.coop,
    });
    bp.setQuery(q);
    const data = cards.map((c) => ({ code: c.region.code, name: c.region.name, value: b.get(c) }));
    const box = h("div", { class: "chart small" });
    bp.body.append(box);
    chart(
      box,
      {
        // Room for the names made explicit: ECharts 6 estimates containLabel short
        // and cut the first letters of the longest name.
        grid: { left: 160, right: 96, top: 8, bottom: 8 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v: number) => b.show(v) },
        // Each bar carries its value: in a third of the page the value axis's
        // own numbers only crowd into each other.
        xAxis: { type: "value", axisLabel: { show: false } },
        yAxis: { type: "category", data: data.map((x) => shortName(x.name)), inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
        series: [{ type: "bar", data: data.map((x) => x.value), label: { show: true, position: "right", formatter: (p: { value: number }) => b.show(p.value) } }],
      },
      b.title,
    );
    bp.setData(
      [
        { key: "code", label: "Kode" },
        { key: "name", label: t("Kabupaten/kota") },
        { key: "value", label: b.title, numeric: true },
      ],
      data,
    );
  }
}

// latestRealisedYear is the year the scorecards open on: the latest year,
// up to this one, with realisations in the register (so that "Nilai
// realisasi" is not an empty year's Rp 0), this year when there are none.
async function latestRealisedYear(): Promise<number> {
  const d = await gql<{ cooperationStats: { rows: { period: string; realisedValue: number | null }[] } }>({
    query: `query RealisedYears {
  cooperationStats(dimensions: [PERIOD], measures: [REALISED_VALUE], timeGrain: YEAR, fillPeriods: false) { rows { period realisedValue } }
}`,
  });
  const now = yearWITA();
  const realised = d.cooperationStats.rows
    .filter((r) => (r.realisedValue ?? 0) > 0)
    .map((r) => Number.parseInt(r.period, 10))
    .filter((y) => Number.isInteger(y) && y <= now);
  return realised.length ? Math.max(...realised) : now;
}
