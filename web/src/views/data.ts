// Data: datasets and their freshness, the last loads with their rejects
// (paged, with the reasons), so a data steward sees what was refused.
import { gql } from "../api";
import { dateTime, num } from "../format";
import { label, t } from "../i18n";
import { h, Panel } from "../ui";
import { datasetName } from "./ringkasan";

interface Fresh {
  dataset: string;
  lastSuccessAt: string | null;
  lastRunId: string | null;
  source: string | null;
  rowsLoaded: number;
  rowsRejected: number;
}

interface Run {
  id: string;
  dataset: string;
  source: string;
  status: string;
  startedAt: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  error: string | null;
}

interface Reject {
  source: string;
  sheet: string | null;
  line: number;
  reason: string;
  record: string;
}

const rejectPage = 50;

export async function data(main: HTMLElement, params: URLSearchParams) {
  const runId = params.get("run") ?? "";
  const page = Math.max(0, Number(params.get("halaman") ?? 0));
  const grid = h("div", { class: "grid" });
  main.append(grid);

  const fp = new Panel<Fresh>(grid, { id: "dataset", title: t("Kesegaran data"), wide: true });
  const fq = { query: `query DataFreshness {\n  dataFreshness { dataset lastSuccessAt lastRunId source rowsLoaded rowsRejected }\n}` };
  fp.setQuery(fq);
  const fd = await gql<{ dataFreshness: Fresh[] }>(fq);
  fp.table(
    [
      { key: "dataset", label: t("Dataset"), value: (r) => datasetName(r.dataset) },
      { key: "lastSuccessAt", label: t("Terakhir berhasil"), format: (v) => dateTime(v as string) },
      { key: "rowsLoaded", label: t("Baris dimuat"), numeric: true, format: (v) => num(v as number) },
      { key: "rowsRejected", label: t("Baris ditolak"), numeric: true, format: (v) => num(v as number) },
      { key: "source", label: t("Sumber"), format: (v) => shortSource(v as string) },
    ],
    fd.dataFreshness,
  );

  const rp = new Panel<Run>(grid, { id: "riwayat-muat", title: t("Riwayat muat (ETL)"), wide: true });
  const rq = { query: `query EtlRuns {\n  etlRuns(last: 30) { id dataset source status startedAt rowsRead rowsLoaded rowsRejected error }\n}` };
  rp.setQuery(rq);
  const rd = await gql<{ etlRuns: Run[] }>(rq);
  rp.table(
    [
      { key: "id", label: "Run" },
      { key: "dataset", label: t("Dataset"), value: (r) => datasetName(r.dataset) },
      { key: "status", label: t("Status"), value: (r) => label("ETL_RUN_STATUS", r.status) },
      { key: "startedAt", label: t("Mulai"), format: (v) => dateTime(v as string) },
      { key: "rowsRead", label: t("Dibaca"), numeric: true, format: (v) => num(v as number) },
      { key: "rowsLoaded", label: t("Dimuat"), numeric: true, format: (v) => num(v as number) },
      { key: "rowsRejected", label: t("Ditolak"), numeric: true, format: (v) => num(v as number) },
      { key: "error", label: t("Kesalahan") },
      { key: "source", label: t("Sumber"), format: (v) => shortSource(v as string) },
    ],
    rd.etlRuns,
    { onRow: (r) => (location.hash = `#/data?run=${r.id}`), rowLabel: (r) => `${t("Lihat penolakan")} (${num(r.rowsRejected)})` },
  );

  const jp = new Panel<Reject>(grid, { id: runId ? `penolakan-${runId}` : "penolakan", title: t("Baris ditolak dan alasannya"), subtitle: runId ? `Run ${runId}` : "", wide: true });
  const jq = {
    query: `query EtlRejects($run: ID!) {\n  etlRejects(runId: $run, first: 1000) { nodes { source sheet line reason record } }\n}`,
    variables: { run: runId || (rd.etlRuns.find((r) => r.rowsRejected > 0)?.id ?? "") },
  };
  jp.setQuery(jq);
  if (!runId) {
    jp.body.append(h("p", { class: "empty" }, t("Pilih muatan dengan baris ditolak.")));
    return;
  }
  const jd = await gql<{ etlRejects: { nodes: Reject[] } }>(jq);
  const all = jd.etlRejects.nodes;
  if (all.length === 0) {
    jp.body.append(h("p", { class: "empty" }, t("Tidak ada baris yang ditolak.")));
    return;
  }
  const pages = Math.ceil(all.length / rejectPage);
  const shown = all.slice(page * rejectPage, (page + 1) * rejectPage);
  jp.body.append(h("p", { class: "count" }, `${num(all.length)} · ${t("Halaman")} ${page + 1} ${t("dari")} ${pages}`));
  jp.table(
    [
      { key: "source", label: t("Sumber"), format: (v) => shortSource(v as string) },
      { key: "sheet", label: "Sheet" },
      { key: "line", label: t("Baris"), numeric: true },
      { key: "reason", label: t("Alasan") },
      { key: "record", label: t("Rekaman") },
    ],
    shown,
  );
  const prev = h("button", { type: "button" }, t("Sebelumnya"));
  const next = h("button", { type: "button" }, t("Berikutnya"));
  prev.disabled = page === 0;
  next.disabled = page + 1 >= pages;
  prev.addEventListener("click", () => (location.hash = `#/data?run=${runId}&halaman=${page - 1}`));
  next.addEventListener("click", () => (location.hash = `#/data?run=${runId}&halaman=${page + 1}`));
  jp.body.append(h("div", { class: "pager no-print" }, prev, next));
}

// shortSource shows the file names of a source, not the directories.
function shortSource(s: string | null): string {
  if (!s) return "–";
  return s
    .split(", ")
    .map((p) => p.split("/").slice(-3).join("/"))
    .join(", ");
}
