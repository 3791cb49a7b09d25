// Kerja sama: the agreements with filters (issue, status, kabupaten,
// partner, period), those expiring soon, and one agreement's detail:
// parties, villages, BKAD, realisations over time.
import { gql } from "../api";
import { chart } from "../chart";
import { date, num, rupiah } from "../format";
import { label, labelValues, t } from "../i18n";
import { kabupaten } from "../state";
import { covers, may } from "../session";
import { askReason, flash, h, Panel, select, toolbar } from "../ui";

interface Agreement {
  id: string;
  title: string;
  status: string;
  signedOn: string | null;
  endsOn: string | null;
  committedValue: number | null;
  issues: string[];
}

const listFields = "id title status signedOn endsOn committedValue issues";

export async function kerjasama(main: HTMLElement, params: URLSearchParams) {
  const f = {
    isu: params.get("isu") ?? "",
    status: params.get("status") ?? "",
    kabupaten: params.get("kabupaten") ?? "",
    mitra: params.get("mitra") ?? "",
    dari: params.get("dari") ?? "",
    sampai: params.get("sampai") ?? "",
    id: params.get("id") ?? "",
    bulan: params.get("bulan") ?? "6",
  };
  const go = (c: Partial<typeof f>) => {
    const next = new URLSearchParams(Object.entries({ ...f, ...c }).filter(([, v]) => v !== ""));
    location.hash = "#/kerja-sama?" + next.toString();
  };
  const partner = h("input", { type: "search", id: "f-mitra", value: f.mitra, name: "mitra" });
  const from = h("input", { type: "date", id: "f-dari", value: f.dari, name: "dari" });
  const to = h("input", { type: "date", id: "f-sampai", value: f.sampai, name: "sampai" });
  const apply = h("button", { type: "submit", class: "primary" }, t("Terapkan"));
  const form = h(
    "form",
    { class: "toolbar no-print" },
    select(t("Isu strategis"), [{ value: "", label: t("Semua") }, ...labelValues("STRATEGIC_ISSUE").map((v) => ({ value: v, label: label("STRATEGIC_ISSUE", v) }))], f.isu, (v) => go({ isu: v, id: "" }), "isu"),
    select(t("Status"), [{ value: "", label: t("Semua") }, ...labelValues("AGREEMENT_STATUS").map((v) => ({ value: v, label: label("AGREEMENT_STATUS", v) }))], f.status, (v) => go({ status: v, id: "" }), "status"),
    select(t("Kabupaten/kota"), [{ value: "", label: t("Semua kabupaten/kota") }, ...kabupaten.map((k) => ({ value: k.code, label: k.name }))], f.kabupaten, (v) => go({ kabupaten: v, id: "" }), "kabupaten"),
    h("div", { class: "field" }, h("label", { for: "f-mitra" }, t("Mitra (nama)")), partner),
    h("div", { class: "field" }, h("label", { for: "f-dari" }, t("Periode berlaku dari")), from),
    h("div", { class: "field" }, h("label", { for: "f-sampai" }, t("sampai")), to),
    apply,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    go({ mitra: partner.value.trim(), dari: from.value, sampai: to.value, id: "" });
  });
  main.append(form);

  const filter: Record<string, unknown> = {};
  if (f.isu) filter.issues = [f.isu];
  if (f.status) filter.statuses = [f.status];
  if (f.kabupaten) filter.regionCode = f.kabupaten;
  if (f.mitra) filter.partner = f.mitra;
  if (f.dari || f.sampai) filter.activeDuring = { from: f.dari || "1970-01-01", to: f.sampai || "2100-12-31" };

  const grid = h("div", { class: "grid" });
  main.append(grid);
  const detailHost = h("div", { class: "wide-slot" });

  const p = new Panel<Agreement>(grid, { id: "daftar-kerja-sama", title: t("Daftar kerja sama"), cooperation: true, wide: true });
  const q = {
    query: `query Agreements($filter: AgreementFilter, $first: Int) {
  agreements(filter: $filter, first: $first, orderBy: SIGNED_DESC) {
    totalCount
    nodes { ${listFields} }
  }
}`,
    variables: { filter, first: 100 },
  };
  p.setQuery(q);
  const d = await gql<{ agreements: { totalCount: number; nodes: Agreement[] } }>(q);
  p.setSubtitle(`${num(d.agreements.totalCount)} ${t("kerja sama")}${d.agreements.totalCount > 100 ? " · " + t("menampilkan 100 terbaru") : ""}`);
  const columns = [
    { key: "id", label: "ID" },
    { key: "title", label: t("Judul") },
    { key: "status", label: t("Status"), value: (r: Agreement) => label("AGREEMENT_STATUS", r.status) },
    { key: "issues", label: t("Isu strategis"), value: (r: Agreement) => r.issues.map((i) => label("STRATEGIC_ISSUE", i)).join("; ") },
    { key: "signedOn", label: t("Ditandatangani"), format: (v: unknown) => date(v as string) },
    { key: "endsOn", label: t("Berakhir"), format: (v: unknown) => date(v as string) },
    { key: "committedValue", label: t("Nilai komitmen"), numeric: true, format: (v: unknown) => rupiah(v as number) },
  ];
  p.table(columns, d.agreements.nodes, { onRow: (r) => go({ id: r.id }), rowLabel: () => t("Rincian") });
  grid.append(detailHost);

  // Expiring soon.
  const months = Number(f.bulan) || 6;
  const ep = new Panel<Agreement>(grid, { id: "segera-berakhir", title: `${t("Segera berakhir")} (${t("dalam")} ${months} ${t("bulan")})`, cooperation: true, wide: true });
  ep.body.append(
    toolbar(select(t("bulan"), [3, 6, 12].map((m) => ({ value: String(m), label: `${m} ${t("bulan")}` })), String(months), (v) => go({ bulan: v }), "bulan")),
  );
  const eq = {
    query: `query ExpiringAgreements($months: Int!, $filter: AgreementFilter) {
  expiringAgreements(withinMonths: $months, filter: $filter, first: 100) { nodes { ${listFields} } }
}`,
    variables: { months, filter: f.kabupaten ? { regionCode: f.kabupaten } : {} },
  };
  ep.setQuery(eq);
  const ed = await gql<{ expiringAgreements: { nodes: Agreement[] } }>(eq);
  ep.table(columns, ed.expiringAgreements.nodes, { onRow: (r) => go({ id: r.id }), rowLabel: () => t("Rincian") });

  if (f.id) await detail(detailHost, f.id);
}

interface Detail extends Agreement {
  documentNumbers: string[];
  documentType: string;
  signedPlace: string | null;
  startsOn: string | null;
  fields: string[];
  fundingSource: string | null;
  sourceReference: string | null;
  realisedValue: number;
  beneficiaries: number;
  simulated: boolean;
  parties: { type: string; name: string; sector: string | null; role: string | null; region: { name: string } | null }[];
  villages: { code: string; name: string }[];
  kabupaten: { code: string; name: string }[];
  realisations: { month: string; value: number; beneficiaries: number; village: { name: string } | null }[];
}

async function detail(host: HTMLElement, id: string) {
  const p = new Panel<{ month: string; value: number; beneficiaries: number }>(host, { id: "rincian-kerja-sama", title: `${t("Rincian")}: ${id}`, cooperation: true, wide: true });
  const q = {
    query: `query Agreement($id: ID!) {
  agreement(id: $id) {
    ${listFields} simulated documentNumbers documentType signedPlace startsOn fields fundingSource sourceReference
    realisedValue beneficiaries
    parties { type name sector role region { name } }
    villages { code name }
    kabupaten { code name }
    realisations { month value beneficiaries village { name } }
  }
}`,
    variables: { id },
  };
  p.setQuery(q);
  const d = await gql<{ agreement: Detail | null }>(q);
  const a = d.agreement;
  if (!a) {
    p.body.append(h("p", { class: "empty" }, t("Tidak ada kerja sama yang dipilih.")));
    return;
  }
  p.body.append(
    h("h3", {}, a.title, a.simulated ? h("span", { class: "sim-tag" }, " SIMULASI") : ""),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("Status")), h("dd", {}, label("AGREEMENT_STATUS", a.status)),
      h("dt", {}, t("Jenis")), h("dd", {}, label("DOCUMENT_TYPE", a.documentType) + (a.documentNumbers.length ? ` · ${a.documentNumbers.join("; ")}` : "")),
      h("dt", {}, t("Ditandatangani")), h("dd", {}, `${date(a.signedOn)}${a.signedPlace ? ", " + a.signedPlace : ""}`),
      h("dt", {}, t("Berakhir")), h("dd", {}, date(a.endsOn)),
      h("dt", {}, t("Isu strategis")), h("dd", {}, a.issues.map((i) => label("STRATEGIC_ISSUE", i)).join(", ") || "–"),
      h("dt", {}, t("Nilai komitmen")), h("dd", {}, rupiah(a.committedValue)),
      h("dt", {}, t("Nilai realisasi")), h("dd", {}, rupiah(a.realisedValue)),
      h("dt", {}, t("Kabupaten/kota")), h("dd", {}, a.kabupaten.map((k) => k.name).join(", ") || "–"),
      h("dt", {}, t("Sumber")), h("dd", {}, a.sourceReference ?? "–"),
    ),
  );
  // Editors withdraw the agreements that touch their regions; admins any.
  if (may("editor") && covers(a.kabupaten.map((k) => k.code))) {
    const withdraw = h("button", { type: "button", class: "danger", "data-action": "tarik" }, t("Tarik kerja sama ini"));
    withdraw.addEventListener("click", () => void withdrawAgreement(a));
    p.body.append(h("div", { class: "toolbar no-print" }, withdraw, h("span", { class: "hint" }, t("tarik-hint"))));
  }
  p.body.append(h("h3", {}, t("Pihak")));
  const parties = h("div");
  p.body.append(parties);
  parties.append(
    tableOf(
      [t("Jenis"), t("Nama"), t("Sektor"), t("Peran"), t("Wilayah")],
      a.parties.map((x) => [label("PARTY_TYPE", x.type), x.name, label("SECTOR", x.sector), x.role ?? "–", x.region?.name ?? "–"]),
    ),
  );
  p.body.append(h("h3", {}, `${t("Desa yang tercakup")} (${num(a.villages.length)})`), h("p", {}, a.villages.map((v) => v.name).join(", ") || "–"));

  // Realisations over time, by month.
  const byMonth = new Map<string, { value: number; beneficiaries: number }>();
  for (const r of a.realisations) {
    const m = byMonth.get(r.month) ?? { value: 0, beneficiaries: 0 };
    m.value += r.value;
    m.beneficiaries += r.beneficiaries;
    byMonth.set(r.month, m);
  }
  const rows = [...byMonth.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([month, m]) => ({ month, ...m }));
  p.body.append(h("h3", {}, t("Realisasi per bulan")));
  if (rows.length) {
    const box = h("div", { class: "chart small" });
    p.body.append(box);
    chart(
      box,
      {
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", valueFormatter: (v: number) => rupiah(v) },
        xAxis: { type: "category", data: rows.map((r) => r.month) },
        yAxis: { type: "value", axisLabel: { formatter: (v: number) => rupiah(v) } },
        series: [{ type: "line", name: t("Nilai realisasi"), data: rows.map((r) => r.value), symbolSize: 6 }],
      },
      t("Realisasi per bulan"),
    );
  }
  p.table(
    [
      { key: "month", label: t("Bulan") },
      { key: "value", label: t("Nilai realisasi"), numeric: true, format: (v) => rupiah(v as number) },
      { key: "beneficiaries", label: t("Penerima manfaat"), numeric: true, format: (v) => num(v as number) },
    ],
    rows,
  );
  p.el.scrollIntoView({ block: "start" });
}

const withdrawMutation = `mutation WithdrawAgreement($id: ID!, $reason: String!) {
  withdrawAgreement(id: $id, reason: $reason) { agreementId withdrawn by at reason }
}`;

// withdrawAgreement asks why and for confirmation, withdraws the agreement
// (the figures are published again before the answer), then shows the list
// without it.
async function withdrawAgreement(a: Detail) {
  const done = await askReason({
    title: `${t("Tarik kerja sama")} ${a.id}?`,
    text: `"${a.title}" ${t("tarik-confirm")}`,
    confirm: t("Tarik"),
    act: async (reason) => {
      await gql({ query: withdrawMutation, variables: { id: a.id, reason } });
    },
  });
  if (!done) return;
  flash(`${t("Kerja sama ditarik")}: ${a.id}. ${t("Angka-angka sudah diterbitkan ulang tanpanya.")}`);
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  params.delete("id");
  location.hash = "#/kerja-sama?" + params.toString();
}

function tableOf(header: string[], rows: string[][]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, h("thead", {}, h("tr", {}, ...header.map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c)))))),
  );
}
