// Data: datasets and their freshness, the last loads with their rejects
// (paged, with the reasons), so a data steward sees what was refused.
import { gql } from "../api";
import { dateTime, num } from "../format";
import { label, t } from "../i18n";
import { rejectFields, rejectsPerPage, shortSource, showRejects, type Reject, type RejectPage } from "../rejects";
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
  submission: { submittedBy: string } | null;
}

export async function data(main: HTMLElement, params: URLSearchParams) {
  const runId = params.get("run") ?? "";
  const grid = h("div", { class: "grid" });
  main.append(grid);

  const fp = new Panel<Fresh>(grid, { id: "dataset", title: t("Kesegaran data"), wide: true });
  const fq = { query: `query DataFreshness {\n  dataFreshness { dataset lastSuccessAt lastRunId source rowsLoaded rowsRejected }\n}` };
  fp.setQuery(fq);
  const fd = await gql<{ dataFreshness: Fresh[] }>(fq);
  fp.table(
    [
      { key: "dataset", label: t("Dataset"), value: (r) => datasetName(r.dataset) },
      { key: "lastSuccessAt", label: t("Terakhir berhasil"), format: (v) => dateTime(v as string), nowrap: true },
      { key: "rowsLoaded", label: t("Baris dimuat"), numeric: true, format: (v) => num(v as number) },
      { key: "rowsRejected", label: t("Baris ditolak"), numeric: true, format: (v) => num(v as number) },
      { key: "source", label: t("Sumber"), format: (v) => shortSource(v as string), breakAnywhere: true },
    ],
    fd.dataFreshness,
  );

  const rp = new Panel<Run>(grid, { id: "riwayat-muat", title: t("Riwayat muat (ETL)"), wide: true });
  const rq = { query: `query EtlRuns {\n  etlRuns(last: 30) { id dataset source status startedAt rowsRead rowsLoaded rowsRejected error submission { submittedBy } }\n}` };
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
      { key: "submittedBy", label: t("Dikirim oleh"), value: (r) => r.submission?.submittedBy ?? null },
      { key: "source", label: t("Sumber"), format: (v) => shortSource(v as string), breakAnywhere: true },
    ],
    rd.etlRuns,
    { onRow: (r) => (location.hash = `#/data?run=${r.id}`), rowLabel: (r) => `${t("Lihat penolakan")} (${num(r.rowsRejected)})` },
  );

  const jp = new Panel<Reject>(grid, { id: runId ? `penolakan-${runId}` : "penolakan", title: t("Baris ditolak dan alasannya"), subtitle: runId ? `Run ${runId}` : "", wide: true });
  const jq = {
    query: `query EtlRejects($run: ID!, $after: String) {\n  etlRejects(runId: $run, first: ${rejectsPerPage}, after: $after) { ${rejectFields} }\n}`,
    variables: { run: runId || (rd.etlRuns.find((r) => r.rowsRejected > 0)?.id ?? ""), after: null },
  };
  jp.setQuery(jq);
  if (!runId) {
    jp.body.append(h("p", { class: "empty" }, t("Pilih muatan dengan baris ditolak.")));
    return;
  }
  await showRejects(
    jp,
    async (after) => (await gql<{ etlRejects: RejectPage }>({ ...jq, variables: { run: runId, after } })).etlRejects,
    t("Tidak ada baris yang ditolak."),
  );
}
