// Peta: a choropleth of the kabupaten/kota, drilling down to kecamatan:
// mean IDM, share of a status, cooperation coverage, agreements per 100
// desa. Legend (visual map), tooltip with the figures, click (or the
// table's button) to drill down, breadcrumb back.
import { gql } from "../api";
import { chart, echarts, ensureMap, idmStatuses, sequential, type GeoJSON } from "../chart";
import { num, pct, score, yearWITA } from "../format";
import { label, t } from "../i18n";
import { kabupaten, latestIDMYear, province, shortName } from "../state";
import { h, Panel, select, toolbar, type Column } from "../ui";

interface Row {
  code: string;
  name: string;
  desa: number;
  meanIdm: number | null;
  shares: Record<string, number | null>;
  agreements: number;
  agreementsPer100Desa: number;
  desaCovered: number;
  desaCoveredShare: number;
}

type Measure = "meanIdm" | "coverage" | "per100" | `share:${string}`;

export async function peta(main: HTMLElement, params: URLSearchParams) {
  const parent = params.get("wilayah") ?? province;
  const measure = (params.get("ukuran") ?? "meanIdm") as Measure;
  const year = Number(params.get("tahun") ?? yearWITA());
  const idmYear = latestIDMYear();
  const level = parent === province ? "KABUPATEN_KOTA" : "KECAMATAN";
  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams({ wilayah: parent, ukuran: measure, tahun: String(year), ...changes });
    location.hash = "#/peta?" + next.toString();
  };

  const parentName = parent === province ? t("Kalimantan Timur") : (kabupaten.find((k) => k.code === parent)?.name ?? parent);
  const crumbs = h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" });
  const crumbList = h("ol");
  if (parent === province) {
    crumbList.append(h("li", { "aria-current": "page" }, t("Kalimantan Timur")));
  } else {
    crumbList.append(h("li", {}, h("a", { href: `#/peta?wilayah=${province}&ukuran=${measure}&tahun=${year}` }, t("Kalimantan Timur"))));
    crumbList.append(h("li", { "aria-current": "page" }, parentName));
  }
  crumbs.append(crumbList);

  const measures = [
    { value: "meanIdm", label: `${t("Rata-rata IDM")} ${idmYear}` },
    { value: "coverage", label: t("Cakupan kerja sama (desa)") },
    { value: "per100", label: t("Kerja sama per 100 desa") },
    ...idmStatuses.map((s) => ({ value: `share:${s}`, label: `${t("Porsi desa berstatus")} ${label("IDM_STATUS", s)} (${idmYear})` })),
  ];
  const years = [yearWITA(), yearWITA() - 1, yearWITA() - 2, yearWITA() - 3];
  main.append(
    crumbs,
    toolbar(
      select(t("Ukuran"), measures, measure, (v) => go({ ukuran: v }), "ukuran"),
      select(t("Kerja sama tahun"), years.map((y) => ({ value: String(y), label: String(y) })), String(year), (v) => go({ tahun: v }), "tahun"),
    ),
  );
  const grid = h("div", { class: "grid map-grid" });
  main.append(grid);
  const measureLabel = measures.find((m) => m.value === measure)?.label ?? measure;
  const p = new Panel<Row>(grid, {
    id: parent === province ? "peta-kabupaten" : `peta-kecamatan-${parent}`,
    title: `${t("Peta")}: ${parentName}`,
    subtitle: `${measureLabel} · IDM ${idmYear} · ${t("kerja sama berlaku dalam tahun")} ${year}`,
    cooperation: measure === "coverage" || measure === "per100",
    wide: true,
  });
  p.loading();

  const q = {
    query: `query MapFigures($parent: ID!, $level: RegionLevel!, $idmYear: Int!) {
  regions(level: $level, parentCode: $parent) { code name }
  idmDistribution(year: $idmYear, level: $level, parentCode: $parent) {
    region { code } total meanIdm byStatus { status share }
  }
}`,
    variables: { parent, level, idmYear },
  };
  const d = await gql<{
    regions: { code: string; name: string }[];
    idmDistribution: { region: { code: string }; total: number; meanIdm: number | null; byStatus: { status: string; share: number | null }[] }[];
  }>(q);
  const codes = d.regions.map((r) => r.code);
  const cq = {
    query: `query MapCooperation($codes: [ID!]!, $year: Int!) {
  compareRegions(codes: $codes, year: $year) {
    region { code } desaCount agreements agreementsPer100Desa desaCovered desaCoveredShare
  }
}`,
    variables: { codes, year },
  };
  const c = await gql<{
    compareRegions: { region: { code: string }; desaCount: number; agreements: number; agreementsPer100Desa: number; desaCovered: number; desaCoveredShare: number }[];
  }>(cq);
  p.setQuery(q, cq);

  const rows: Row[] = d.regions.map((r) => {
    const idm = d.idmDistribution.find((x) => x.region.code === r.code);
    const coop = c.compareRegions.find((x) => x.region.code === r.code);
    return {
      code: r.code,
      name: r.name,
      desa: coop?.desaCount ?? idm?.total ?? 0,
      meanIdm: idm?.meanIdm ?? null,
      shares: Object.fromEntries((idm?.byStatus ?? []).map((s) => [s.status, s.share])),
      agreements: coop?.agreements ?? 0,
      agreementsPer100Desa: coop?.agreementsPer100Desa ?? 0,
      desaCovered: coop?.desaCovered ?? 0,
      desaCoveredShare: coop?.desaCoveredShare ?? 0,
    };
  });
  const value = (r: Row): number | null => {
    if (r.desa === 0) return null; // a kota has no desa: no IDM, no coverage
    if (measure === "meanIdm") return r.meanIdm;
    if (measure === "coverage") return r.desaCoveredShare;
    if (measure === "per100") return r.agreementsPer100Desa;
    return r.shares[measure.slice("share:".length)] ?? null;
  };
  const show = (v: number | null) => (v === null ? "–" : measure === "meanIdm" ? score(v) : measure === "per100" ? num(v, 2) : pct(v));

  // The map.
  const mapName = parent === province ? "kaltim-kabkota" : `kaltim-kecamatan-${parent}`;
  let geo: GeoJSON;
  if (parent === province) {
    geo = await ensureMap(mapName, "/data/kaltim/kaltim_kabkota_boundaries.geojson");
  } else {
    const all = await fetchGeo("/data/kaltim/kaltim_kecamatan_boundaries.geojson");
    geo = { ...all, features: all.features.filter((f) => f.properties.kode.startsWith(parent + ".")) };
    echarts.registerMap(mapName, geo as never);
  }
  const values = rows.map(value).filter((v): v is number => v !== null);
  const box = h("div", { class: "chart map" });
  p.body.replaceChildren(
    h("p", { class: "hint no-print" }, parent === province ? t("Klik wilayah di peta (atau tombol di tabel) untuk melihat kecamatannya.") : ""),
    box,
  );
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const ch = chart(
    box,
    {
      tooltip: {
        trigger: "item",
        formatter: (info: { name: string }) => {
          const r = byCode.get(info.name);
          if (!r) return info.name;
          return [
            `<strong>${escapeHTML(r.name)}</strong>`,
            `${t("Jumlah desa")}: ${num(r.desa)}`,
            `${t("Rata-rata IDM")} ${idmYear}: ${score(r.meanIdm)}`,
            ...idmStatuses.map((s) => `${label("IDM_STATUS", s)}: ${pct(r.shares[s] ?? null)}`),
            `${t("Kerja sama")} ${year}: ${num(r.agreements)}`,
            `${t("Kerja sama per 100 desa")}: ${num(r.agreementsPer100Desa, 2)}`,
            `${t("Porsi desa tercakup")}: ${pct(r.desaCoveredShare)}`,
          ].join("<br>");
        },
      },
      visualMap: {
        type: "continuous",
        min: values.length ? Math.min(...values) : 0,
        max: values.length ? Math.max(...values) : 1,
        text: [show(values.length ? Math.max(...values) : 1), show(values.length ? Math.min(...values) : 0)],
        calculable: false,
        inRange: { color: sequential },
        left: 8,
        bottom: 8,
        formatter: (v: number) => show(v),
      },
      series: [
        {
          type: "map",
          map: mapName,
          nameProperty: "kode",
          roam: false,
          selectedMode: false,
          layoutCenter: ["50%", "50%"],
          layoutSize: "96%",
          label: {
            show: true,
            fontSize: parent === province ? 11 : 9,
            color: "#111",
            textBorderColor: "#fff",
            textBorderWidth: 2.5,
            formatter: (p: { name: string }) => shortName(byCode.get(p.name)?.name ?? ""),
            // Long names over two lines (Kab. Penajam / Paser Utara).
            width: parent === province ? 80 : 72,
            overflow: "break",
            lineHeight: parent === province ? 13 : 11,
          },
          // A kota (no desa, drawn grey) narrower than its name — Bontang,
          // Samarinda, Balikpapan — has it beside its shape, to the east (the
          // coast), where it covers neither the shape nor its neighbours'
          // names; a name that still overlaps another is hidden (the tooltip
          // and the table have it).
          labelLayout: (l: { dataIndex?: number; rect: { x: number; y: number; width: number; height: number }; labelRect: { width: number } }) =>
            l.dataIndex !== undefined && l.rect.width < l.labelRect.width * 0.6 && rows[l.dataIndex]?.desa === 0
              ? { x: l.rect.x + l.rect.width + 12, y: l.rect.y + l.rect.height / 2, align: "left", verticalAlign: "middle", hideOverlap: true }
              : { hideOverlap: true },
          emphasis: { label: { show: true, formatter: (p: { name: string }) => byCode.get(p.name)?.name ?? "" } },
          itemStyle: { borderColor: "#555", borderWidth: 0.6, areaColor: "#e0e0e0" },
          data: rows.map((r) => ({ name: r.code, value: value(r) ?? undefined })),
        },
      ],
    },
    `${t("Peta")} ${parentName}: ${measureLabel}`,
  );
  if (parent === province) {
    ch.on("click", (e: { name?: string }) => {
      if (e.name && byCode.has(e.name) && byCode.get(e.name)!.desa > 0) go({ wilayah: e.name });
    });
    // A marker on each kabupaten that can be drilled into, at its centroid:
    // keyboard users tab to it (Enter drills down); the mouse clicks
    // through it to the map.
    const layer = h("div", { class: "hotspots" });
    box.append(layer);
    const place = () => {
      if (ch.isDisposed()) {
        window.removeEventListener("resize", place);
        return;
      }
      layer.replaceChildren();
      for (const f of geo.features) {
        const r = byCode.get(f.properties.kode);
        if (!r || r.desa === 0) continue;
        const props = f.properties as unknown as { centroid_lng: number; centroid_lat: number };
        const at = ch.convertToPixel({ seriesIndex: 0 }, [props.centroid_lng, props.centroid_lat]) as number[] | undefined;
        if (!at) continue;
        const [x, y] = at;
        const b = h("button", { type: "button", class: "hotspot", "data-code": r.code, "aria-label": `${t("Lihat kecamatan")}: ${r.name}` });
        b.style.left = `${x}px`;
        b.style.top = `${y}px`;
        b.addEventListener("click", () => go({ wilayah: r.code }));
        layer.append(b);
      }
    };
    place();
    window.addEventListener("resize", place);
  }
  const columns: Column<Row>[] = [
    { key: "code", label: "Kode" },
    { key: "name", label: parent === province ? t("Kabupaten/kota") : t("Kecamatan") },
    { key: "desa", label: t("Jumlah desa"), numeric: true, format: (v) => num(v as number) },
    { key: "meanIdm", label: `${t("Rata-rata IDM")} ${idmYear}`, numeric: true, format: (v) => score(v as number) },
    ...idmStatuses.map((s) => ({
      key: `share_${s}`,
      label: `${label("IDM_STATUS", s)} ${idmYear}`,
      numeric: true,
      value: (r: Row) => r.shares[s] ?? null,
      format: (v: unknown) => pct(v as number),
    })),
    { key: "agreements", label: `${t("Kerja sama")} ${year}`, numeric: true, format: (v) => num(v as number) },
    { key: "agreementsPer100Desa", label: t("Kerja sama per 100 desa"), numeric: true, format: (v) => num(v as number, 2) },
    { key: "desaCovered", label: t("Desa tercakup"), numeric: true, format: (v) => num(v as number) },
    { key: "desaCoveredShare", label: t("Porsi desa tercakup"), numeric: true, format: (v) => pct(v as number) },
  ];
  p.table(
    columns,
    rows,
    parent === province
      ? { onRow: (r) => (r.desa > 0 ? go({ wilayah: r.code }) : undefined), rowLabel: (r) => (r.desa > 0 ? `${t("Lihat kecamatan")}: ${r.name}` : "–") }
      : {},
  );
}

const geoCache = new Map<string, GeoJSON>();
async function fetchGeo(url: string): Promise<GeoJSON> {
  if (!geoCache.has(url)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    geoCache.set(url, (await res.json()) as GeoJSON);
  }
  return geoCache.get(url)!;
}

function escapeHTML(s: string) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
