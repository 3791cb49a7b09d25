// Lintas wilayah: which pairs of kabupaten (or provinces) cooperate, how
// much: a chord-like circular graph, edges as wide as the agreements.
import { gql } from "../api";
import { chart } from "../chart";
import { num, rupiah, yearWITA } from "../format";
import { label, t } from "../i18n";
import { h, Panel, select, toolbar } from "../ui";
import { shortName } from "../state";
import { categorical } from "../chart";

interface Link {
  fromCode: string;
  from: { name: string } | null;
  toCode: string;
  to: { name: string } | null;
  agreements: number;
  committedValue: number;
}

export async function lintas(main: HTMLElement, params: URLSearchParams) {
  const level = params.get("tingkat") === "PROVINSI" ? "PROVINSI" : "KABUPATEN_KOTA";
  const year = Number(params.get("tahun") ?? yearWITA());
  const go = (c: Record<string, string>) => (location.hash = "#/lintas-wilayah?" + new URLSearchParams({ tingkat: level, tahun: String(year), ...c }).toString());
  const years = [yearWITA(), yearWITA() - 1, yearWITA() - 2, yearWITA() - 3];
  main.append(
    toolbar(
      select(t("Tingkat"), [{ value: "KABUPATEN_KOTA", label: label("REGION_LEVEL", "KABUPATEN_KOTA") }, { value: "PROVINSI", label: label("REGION_LEVEL", "PROVINSI") }], level, (v) => go({ tingkat: v }), "tingkat"),
      select(t("Tahun"), years.map((y) => ({ value: String(y), label: String(y) })), String(year), (v) => go({ tahun: v }), "tahun"),
    ),
  );
  const grid = h("div", { class: "grid" });
  main.append(grid);
  const p = new Panel<Link>(grid, {
    id: "lintas-wilayah",
    title: t("Hubungan kerja sama lintas wilayah"),
    subtitle: `${t("kerja sama berlaku dalam tahun")} ${year}`,
    cooperation: true,
    wide: true,
  });
  const q = {
    query: `query CrossRegionLinks($level: RegionLevel!, $year: Int!) {
  crossRegionLinks(level: $level, year: $year) { fromCode from { name } toCode to { name } agreements committedValue }
}`,
    variables: { level, year },
  };
  p.setQuery(q);
  const d = await gql<{ crossRegionLinks: Link[] }>(q);
  const links = d.crossRegionLinks;
  const name = (code: string, r: { name: string } | null) => r?.name ?? code;
  const nodes = new Map<string, { name: string; total: number }>();
  for (const l of links) {
    for (const [c, r] of [[l.fromCode, l.from], [l.toCode, l.to]] as const) {
      const n = nodes.get(c) ?? { name: name(c, r), total: 0 };
      n.total += l.agreements;
      nodes.set(c, n);
    }
  }
  const max = Math.max(1, ...links.map((l) => l.agreements));
  const box = h("div", { class: "chart tall" });
  p.body.append(box);
  chart(
    box,
    {
      tooltip: {
        formatter: (x: { dataType: string; data: { source?: string; target?: string; value: number; name?: string } }) =>
          x.dataType === "edge"
            ? `${nodes.get(x.data.source!)?.name} – ${nodes.get(x.data.target!)?.name}: ${num(x.data.value)} ${t("kerja sama")}`
            : `${x.data.name}: ${num(x.data.value)} ${t("kerja sama")}`,
      },
      series: [
        {
          type: "graph",
          layout: "circular",
          circular: { rotateLabel: false },
          left: "22%",
          right: "22%",
          top: 40,
          bottom: 40,
          roam: false,
          label: { show: true, position: "right", formatter: "{b}" },
          lineStyle: { color: "source", curveness: 0.3, opacity: 0.6 },
          data: [...nodes.entries()].map(([code, n], i) => ({ id: code, name: shortName(n.name), value: n.total, symbolSize: 8 + 24 * Math.sqrt(n.total / max / 4), itemStyle: { color: categorical[i % categorical.length] } })),
          links: links.map((l) => ({ source: l.fromCode, target: l.toCode, value: l.agreements, lineStyle: { width: 1 + 9 * (l.agreements / max) } })),
        },
      ],
    },
    t("Hubungan kerja sama lintas wilayah"),
  );
  p.table(
    [
      { key: "fromCode", label: `${t("Dari")} (kode)` },
      { key: "from", label: t("Dari"), value: (r) => name(r.fromCode, r.from) },
      { key: "toCode", label: `${t("Ke")} (kode)` },
      { key: "to", label: t("Ke"), value: (r) => name(r.toCode, r.to) },
      { key: "agreements", label: t("Kerja sama"), numeric: true, format: (v) => num(v as number) },
      { key: "committedValue", label: t("Nilai komitmen"), numeric: true, format: (v) => rupiah(v as number) },
    ],
    links,
  );
}
