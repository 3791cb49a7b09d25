// Sasaran: weak desa by the latest IDM without an active partner,
// filterable by kabupaten, kecamatan and status, weakest first, with the
// partners active nearby.
import { gql } from "../api";
import { date, num, rupiah, score, yearWITA } from "../format";
import { label, t } from "../i18n";
import { kabupaten, latestIDMYear, province } from "../state";
import { checkboxes, h, Panel, select, toolbar } from "../ui";

interface Target {
  village: { code: string; name: string };
  kecamatan: { name: string } | null;
  kabupaten: { name: string } | null;
  status: string;
  idm: number;
}

const weak = ["SANGAT_TERTINGGAL", "TERTINGGAL", "BERKEMBANG"];
const pageSize = 50;

export async function sasaran(main: HTMLElement, params: URLSearchParams) {
  const kab = params.get("kabupaten") ?? "";
  const kec = params.get("kecamatan") ?? "";
  const statuses = (params.get("status") ?? weak.join(",")).split(",").filter(Boolean);
  const page = Math.max(0, Number(params.get("halaman") ?? 0));
  const idmYear = latestIDMYear();
  const year = yearWITA();
  const go = (c: Record<string, string>) => {
    const next = new URLSearchParams({ kabupaten: kab, kecamatan: kec, status: statuses.join(","), ...c });
    if (!("halaman" in c)) next.delete("halaman");
    location.hash = "#/sasaran?" + next.toString();
  };
  let kecamatan: { code: string; name: string }[] = [];
  if (kab) {
    kecamatan = (await gql<{ regions: { code: string; name: string }[] }>({
      query: `query($kab: ID!) { regions(level: KECAMATAN, parentCode: $kab) { code name } }`,
      variables: { kab },
    })).regions;
  }
  main.append(
    toolbar(
      select(t("Kabupaten/kota"), [{ value: "", label: t("Semua kabupaten/kota") }, ...kabupaten.map((k) => ({ value: k.code, label: k.name }))], kab,
        (v) => go({ kabupaten: v, kecamatan: "" }), "kabupaten"),
      select(t("Kecamatan"), [{ value: "", label: t("Semua kecamatan") }, ...kecamatan.map((k) => ({ value: k.code, label: k.name }))], kec,
        (v) => go({ kecamatan: v }), "kecamatan"),
      checkboxes(t("Status"), weak.map((s) => ({ value: s, label: label("IDM_STATUS", s) })), statuses, (v) => go({ status: v.join(",") }), "status"),
    ),
  );
  const region = kec || kab || province;
  const grid = h("div", { class: "grid" });
  main.append(grid);
  const p = new Panel<Target>(grid, {
    id: "sasaran-desa",
    title: t("Desa lemah tanpa mitra aktif"),
    subtitle: `${t("Desa lemah: status IDM terbaru")} (${idmYear}) · ${t("tanpa kerja sama yang berlaku hari ini")}`,
    cooperation: true,
    wide: true,
  });
  // Cursor pagination: walk to the page asked for (50 a page).
  const q = {
    query: `query WeakVillagesWithoutPartner($region: ID, $statuses: [IdmStatus!], $idmYear: Int, $first: Int, $after: String) {
  villagesWithoutPartner(regionCode: $region, statuses: $statuses, idmYear: $idmYear, first: $first, after: $after) {
    totalCount
    nodes { village { code name } kecamatan { name } kabupaten { name } status idm }
    pageInfo { endCursor hasNextPage }
    idmYear activeDuring { from to }
  }
}`,
    variables: { region, statuses, idmYear, first: pageSize, after: null as string | null },
  };
  type Conn = {
    villagesWithoutPartner: {
      totalCount: number;
      nodes: Target[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
      idmYear: number;
      activeDuring: { from: string; to: string };
    };
  };
  let d = await gql<Conn>(q);
  for (let i = 0; i < page && d.villagesWithoutPartner.pageInfo.hasNextPage; i++) {
    q.variables.after = d.villagesWithoutPartner.pageInfo.endCursor;
    d = await gql<Conn>(q);
  }
  p.setQuery(q);
  const conn = d.villagesWithoutPartner;
  // The answer says which IDM year and which period it used: "today" is
  // the server's date in WITA.
  p.setSubtitle(
    `${t("Desa lemah: status IDM terbaru")} (${conn.idmYear}) · ${t("tanpa kerja sama yang berlaku")} ${conn.activeDuring.from === conn.activeDuring.to ? date(conn.activeDuring.from) : `${date(conn.activeDuring.from)}–${date(conn.activeDuring.to)}`}`,
  );
  const pages = Math.max(1, Math.ceil(conn.totalCount / pageSize));
  p.body.append(h("p", { class: "count" }, `${num(conn.totalCount)} ${t("desa")} · ${t("Halaman")} ${page + 1} ${t("dari")} ${pages}`));
  p.table(
    [
      { key: "code", label: "Kode", value: (r) => r.village.code },
      { key: "village", label: t("Desa"), value: (r) => r.village.name },
      { key: "kecamatan", label: t("Kecamatan"), value: (r) => r.kecamatan?.name ?? null },
      { key: "kabupaten", label: t("Kabupaten/kota"), value: (r) => r.kabupaten?.name ?? null },
      { key: "status", label: `${t("Status")} ${idmYear}`, value: (r) => label("IDM_STATUS", r.status) },
      { key: "idm", label: `IDM ${idmYear}`, numeric: true, format: (v) => score(v as number) },
    ],
    conn.nodes,
  );
  const prev = h("button", { type: "button" }, t("Sebelumnya"));
  const next = h("button", { type: "button" }, t("Berikutnya"));
  prev.disabled = page === 0;
  next.disabled = !conn.pageInfo.hasNextPage;
  prev.addEventListener("click", () => go({ halaman: String(page - 1) }));
  next.addEventListener("click", () => go({ halaman: String(page + 1) }));
  p.body.append(h("div", { class: "pager no-print" }, prev, next));

  // Partners active nearby: in force this year in the kecamatan (or the
  // kabupaten, or the province).
  const np = new Panel<{ name: string; type: string; activeAgreements: number; villagesCovered: number; committedValue: number }>(grid, {
    id: "mitra-sekitar",
    title: t("Mitra aktif di sekitar"),
    subtitle: `${kec ? kecamatan.find((k) => k.code === kec)?.name : kab ? kabupaten.find((k) => k.code === kab)?.name : t("Kalimantan Timur")} · ${year}`,
    cooperation: true,
    wide: true,
  });
  const nq = {
    query: `query PartnersNearby($region: ID!, $from: Date!, $to: Date!) {
  partners(filter: {regionCode: $region, activeDuring: {from: $from, to: $to}}, orderBy: AGREEMENTS_DESC, first: 15) {
    nodes { name type activeAgreements villagesCovered committedValue }
  }
}`,
    variables: { region, from: `${year}-01-01`, to: `${year}-12-31` },
  };
  np.setQuery(nq);
  const nd = await gql<{ partners: { nodes: { name: string; type: string; activeAgreements: number; villagesCovered: number; committedValue: number }[] } }>(nq);
  np.table(
    [
      { key: "name", label: t("Nama") },
      { key: "type", label: t("Jenis"), value: (r) => label("PARTY_TYPE", r.type) },
      { key: "activeAgreements", label: t("Kerja sama berlaku"), numeric: true, format: (v) => num(v as number) },
      { key: "villagesCovered", label: t("Desa tercakup"), numeric: true, format: (v) => num(v as number) },
      { key: "committedValue", label: t("Nilai komitmen"), numeric: true, format: (v) => rupiah(v as number) },
    ],
    nd.partners.nodes,
  );
}
