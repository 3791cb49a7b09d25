// Refused rows and warnings, a page at a time through the API's cursors
// (no ceiling): a load's (etlRejects) or a register check's.
import { num } from "./format";
import { t } from "./i18n";
import { h, Panel, type Column } from "./ui";

export interface Reject {
  source: string;
  sheet: string | null;
  line: number;
  column: string | null; // the header of the column at fault; null: the whole row
  reason: string;
  record: string;
}

export interface RejectPage {
  totalCount: number;
  nodes: Reject[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const rejectFields = "totalCount nodes { source sheet line column reason record } pageInfo { hasNextPage endCursor }";

export const rejectsPerPage = 50;

// showRejects draws the rows of page (fetched after cursor) in the panel,
// with Sebelumnya/Berikutnya moving through the pages.
export async function showRejects(
  p: Panel<Reject>,
  fetchPage: (after: string | null) => Promise<RejectPage>,
  empty: string,
  first?: RejectPage,
) {
  const columns = rejectColumns();
  const cursors: (string | null)[] = [null]; // cursors[i]: the page i starts after it
  const draw = async (index: number, page?: RejectPage) => {
    const d = page ?? (await fetchPage(cursors[index]));
    p.body.replaceChildren();
    if (d.totalCount === 0) {
      p.setData(columns, []);
      p.body.append(h("p", { class: "empty" }, empty));
      return;
    }
    if (d.pageInfo.endCursor !== null) cursors[index + 1] = d.pageInfo.endCursor;
    const pages = Math.ceil(d.totalCount / rejectsPerPage);
    p.body.append(h("p", { class: "count" }, `${num(d.totalCount)} ${t("baris")} · ${t("Halaman")} ${index + 1} ${t("dari")} ${num(pages)}`));
    p.table(columns, d.nodes);
    const prev = h("button", { type: "button", "data-action": "prev" }, t("Sebelumnya"));
    const next = h("button", { type: "button", "data-action": "next" }, t("Berikutnya"));
    prev.disabled = index === 0;
    next.disabled = !d.pageInfo.hasNextPage;
    const go = (i: number) => {
      prev.disabled = next.disabled = true;
      draw(i).catch((err) => p.fail(err));
    };
    prev.addEventListener("click", () => go(index - 1));
    next.addEventListener("click", () => go(index + 1));
    p.body.append(h("div", { class: "pager no-print" }, prev, next));
  };
  await draw(0, first);
}

function rejectColumns(): Column<Reject>[] {
  return [
    { key: "source", label: t("Sumber"), format: (v) => shortSource(v as string), breakAnywhere: true },
    { key: "sheet", label: t("Sheet/tabel") },
    { key: "line", label: t("Baris"), numeric: true },
    { key: "column", label: t("Kolom") },
    { key: "reason", label: t("Alasan") },
    { key: "record", label: t("Rekaman") },
  ];
}

// shortSource shows the file names of a source, not the directories.
export function shortSource(s: string | null): string {
  if (!s) return "–";
  return s
    .split(", ")
    .map((p) => p.split("/").slice(-3).join("/"))
    .join(", ");
}
