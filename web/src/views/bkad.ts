// BKAD: inter-village cooperation bodies — members, kabupaten, joint
// enterprises, inactive bodies.
import { gql } from "../api";
import { date, num } from "../format";
import { t } from "../i18n";
import { kabupaten, province } from "../state";
import { checkboxes, h, Panel, select, toolbar } from "../ui";

interface Body {
  id: string;
  name: string;
  kabupaten: { name: string } | null;
  region: { name: string } | null;
  establishedOn: string | null;
  members: { name: string }[];
  jointEnterprise: string | null;
  agreements: number;
  activeAgreements: number;
  active: boolean;
}

export async function bkad(main: HTMLElement, params: URLSearchParams) {
  const kab = params.get("kabupaten") ?? "";
  const inactive = params.get("tidakAktif") === "1";
  const go = (c: Record<string, string>) =>
    (location.hash = "#/bkad?" + new URLSearchParams({ kabupaten: kab, tidakAktif: inactive ? "1" : "0", ...c }).toString());
  main.append(
    toolbar(
      select(t("Kabupaten/kota"), [{ value: "", label: t("Semua kabupaten/kota") }, ...kabupaten.map((k) => ({ value: k.code, label: k.name }))], kab, (v) => go({ kabupaten: v }), "kabupaten"),
      checkboxes("", [{ value: "1", label: t("Hanya yang tidak aktif") }], inactive ? ["1"] : [], (v) => go({ tidakAktif: v.length ? "1" : "0" }), "tidakAktif"),
    ),
  );
  const grid = h("div", { class: "grid" });
  main.append(grid);
  const p = new Panel<Body>(grid, { id: "bkad", title: t("Badan Kerja Sama Antar-Desa"), cooperation: true, wide: true });
  const q = {
    query: `query InterVillageBodies($filter: BodyFilter) {
  interVillageBodies(filter: $filter) {
    id name kabupaten { name } region { name } establishedOn members { name } jointEnterprise agreements activeAgreements active
  }
}`,
    variables: { filter: { regionCode: kab || province, inactiveOnly: inactive } },
  };
  p.setQuery(q);
  const d = await gql<{ interVillageBodies: Body[] }>(q);
  const active = d.interVillageBodies.filter((b) => b.active).length;
  p.setSubtitle(`${num(d.interVillageBodies.length)} BKAD · ${num(active)} ${t("Aktif").toLowerCase()}`);
  p.table(
    [
      { key: "id", label: "ID" },
      { key: "name", label: t("Nama") },
      { key: "kabupaten", label: t("Kabupaten/kota"), value: (r) => r.kabupaten?.name ?? null },
      { key: "region", label: t("Kecamatan"), value: (r) => r.region?.name ?? null },
      { key: "establishedOn", label: "Berdiri", format: (v) => date(v as string) },
      { key: "members", label: t("Anggota"), numeric: true, value: (r) => r.members.length },
      { key: "memberNames", label: `${t("Anggota")} (${t("Nama").toLowerCase()})`, value: (r) => r.members.map((m) => m.name).join("; ") },
      { key: "jointEnterprise", label: t("BUMDesa Bersama") },
      { key: "agreements", label: t("Kerja sama"), numeric: true, format: (v) => num(v as number) },
      { key: "activeAgreements", label: t("Kerja sama berlaku"), numeric: true, format: (v) => num(v as number) },
      { key: "active", label: t("Aktif"), value: (r) => (r.active ? t("Ya") : t("Tidak")) },
    ],
    d.interVillageBodies,
  );
}
