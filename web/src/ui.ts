// Panels: every chart and table sits in one, with "Unduh" (CSV and XLSX of
// exactly the figures it shows) and "Lihat kueri" (the GraphQL query behind
// it, openable in /graphiql).
import writeXlsxFile from "write-excel-file/browser";
import { parse, Kind, type OperationDefinitionNode } from "graphql";
import { exportURL, graphiqlURL, type Query } from "./api";
import { lang, t } from "./i18n";
import { isSimulation } from "./state";

export type Raw = string | number | boolean | null | undefined;

export interface Column<R> {
  key: string;
  label: string;
  // value is the figure exported (and shown, through format); defaults to
  // row[key].
  value?: (row: R) => Raw;
  format?: (value: Raw, row: R) => string | Node;
  numeric?: boolean;
  // breakAnywhere lets long tokens (file paths, ids) wrap, so that the
  // table fits its panel.
  breakAnywhere?: boolean;
  // nowrap keeps a short value (a date and time) on one line.
  nowrap?: boolean;
  // name keeps a name of a few words (a strategic issue, a kabupaten) from
  // wrapping a word a line when the table has many columns.
  name?: boolean;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (string | Node | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

export interface PanelOptions {
  id: string; // stable: file names of downloads, test selectors
  title: string;
  subtitle?: string;
  // cooperation: the figures include the register, so the SIMULASI note
  // goes beside them while the simulation is loaded.
  cooperation?: boolean;
  wide?: boolean;
}

export class Panel<R = Record<string, unknown>> {
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  private subtitleEl: HTMLElement;
  private query?: Query;
  private columns: Column<R>[] = [];
  private rows: R[] = [];

  constructor(
    parent: HTMLElement,
    private opts: PanelOptions,
  ) {
    this.subtitleEl = h("p", { class: "subtitle" });
    this.setSubtitle(opts.subtitle);
    const csv = h("button", { type: "button", class: "action", "data-action": "csv" }, t("Unduh CSV"));
    const xlsx = h("button", { type: "button", class: "action", "data-action": "xlsx" }, t("Unduh XLSX"));
    const query = h("button", { type: "button", class: "action", "data-action": "query" }, t("Lihat kueri"));
    csv.addEventListener("click", () => this.downloadCSV());
    xlsx.addEventListener("click", () => void this.downloadXLSX());
    query.addEventListener("click", () => this.showQuery());
    this.body = h("div", { class: "panel-body" });
    this.el = h(
      "section",
      { class: "panel" + (opts.wide ? " wide" : ""), "data-panel": opts.id, "aria-labelledby": `${opts.id}-title` },
      h(
        "header",
        { class: "panel-head" },
        h("div", {}, h("h2", { id: `${opts.id}-title` }, opts.title), this.subtitleEl),
        h("div", { class: "panel-actions no-print" }, csv, xlsx, query),
      ),
      this.body,
    );
    parent.append(this.el);
  }

  setSubtitle(text?: string) {
    const parts = [text ?? ""];
    this.subtitleEl.textContent = parts.filter(Boolean).join(" · ");
    if (this.opts.cooperation && isSimulation()) {
      this.subtitleEl.append(" ", h("span", { class: "sim-tag" }, t("termasuk SIMULASI")));
    }
  }

  // setQuery names the query behind the panel; several become one
  // document of named operations (GraphiQL runs the one chosen).
  setQuery(...qs: Query[]) {
    const q: Query = {
      query: qs.map((x) => x.query.trim()).join("\n\n"),
      variables: Object.assign({}, ...qs.map((x) => x.variables ?? {})),
    };
    this.query = q;
    this.el.dataset.query = q.query;
  }

  // setData keeps the figures the panel shows, for the downloads.
  setData(columns: Column<R>[], rows: R[]) {
    this.columns = columns;
    this.rows = rows;
  }

  loading() {
    this.body.replaceChildren(h("p", { class: "loading" }, t("Memuat…")));
  }

  fail(err: unknown) {
    this.body.replaceChildren(h("p", { class: "error", role: "alert" }, `${t("Gagal memuat")}: ${String((err as Error)?.message ?? err)}`));
  }

  // table renders the rows (and keeps them for the downloads).
  table(columns: Column<R>[], rows: R[], opts: { onRow?: (r: R) => void; rowLabel?: (r: R) => string; canAct?: (r: R) => boolean; caption?: string } = {}) {
    this.setData(columns, rows);
    const el = renderTable(columns, rows, opts);
    this.body.append(el);
    return el;
  }

  // exported is the table the downloads write: labelled headers, figures.
  exported(): { header: string[]; rows: Raw[][] } {
    return {
      header: this.columns.map((c) => c.label),
      rows: this.rows.map((r) => this.columns.map((c) => cellValue(c, r))),
    };
  }

  private fileName(ext: string) {
    return `sinergi-${this.opts.id}.${ext}`;
  }

  downloadCSV() {
    const { header, rows } = this.exported();
    const csv = [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
    download(new Blob(["\ufeff" + csv], { type: "text/csv;charset=utf-8" }), this.fileName("csv"));
  }

  async downloadXLSX() {
    const { header, rows } = this.exported();
    const data = [
      header.map((v) => ({ value: v, fontWeight: "bold" as const })),
      ...rows.map((r) => r.map((v) => (v === null || v === undefined ? null : { value: v }))),
    ];
    const blob = await writeXlsxFile(data as never).toBlob();
    download(blob, this.fileName("xlsx"));
  }

  showQuery() {
    if (this.query) showQueryDialog(this.query);
  }
}

function cellValue<R>(c: Column<R>, r: R): Raw {
  return c.value ? c.value(r) : ((r as Record<string, unknown>)[c.key] as Raw);
}

function csvField(v: Raw): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function renderTable<R>(
  columns: Column<R>[],
  rows: R[],
  opts: { onRow?: (r: R) => void; rowLabel?: (r: R) => string; canAct?: (r: R) => boolean; caption?: string } = {},
): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, t("Tidak ada data"));
  const head = h("tr", {}, ...columns.map((c) => h("th", { scope: "col", class: c.numeric ? "num" : "" }, c.label)));
  if (opts.onRow) head.append(h("th", { scope: "col", class: "no-print" }, ""));
  const body = h("tbody");
  for (const r of rows) {
    const tr = h("tr");
    for (const c of columns) {
      const v = cellValue(c, r);
      const shown = c.format ? c.format(v, r) : v === null || v === undefined ? "–" : String(v);
      tr.append(h("td", { class: c.numeric ? "num" : c.breakAnywhere ? "break-anywhere" : c.nowrap ? "nowrap" : c.name ? "name" : "" }, shown));
    }
    if (opts.onRow && opts.canAct && !opts.canAct(r)) {
      tr.append(h("td", { class: "no-print" }));
    } else if (opts.onRow) {
      const b = h("button", { type: "button", class: "row-action" }, opts.rowLabel ? opts.rowLabel(r) : "›");
      b.addEventListener("click", () => opts.onRow!(r));
      tr.append(h("td", { class: "no-print" }, b));
    }
    body.append(tr);
  }
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, opts.caption ? h("caption", {}, opts.caption) : null, h("thead", {}, head), body),
  );
}

export function showQueryDialog(q: Query) {
  const dlg = document.getElementById("query-dialog") as HTMLDialogElement;
  const text = q.query.trim() + (q.variables && Object.keys(q.variables).length ? "\n\n# variables\n" + JSON.stringify(q.variables, null, 2) : "");
  document.getElementById("query-dialog-text")!.textContent = text;
  (document.getElementById("query-dialog-open") as HTMLAnchorElement).href = graphiqlURL(q);
  // Each list the query selects, as the API exports it.
  const exports = document.getElementById("query-dialog-exports")!;
  exports.replaceChildren();
  const lists = rootFields(q.query);
  if (lists.length > 0) {
    const ul = h("ul", { class: "exports" });
    for (const { operation, field } of lists) {
      ul.append(
        h(
          "li",
          {},
          `${field}: `,
          h("a", { href: exportURL(q, "csv", operation, field, lang()), "data-export": "csv" }, "CSV"),
          " · ",
          h("a", { href: exportURL(q, "xlsx", operation, field, lang()), "data-export": "xlsx" }, "XLSX"),
        ),
      );
    }
    exports.append(h("p", {}, t("Data API (untuk notebook dan Excel), per daftar:")), ul);
  }
  dlg.showModal();
}

// select builds a labelled <select>.
export function select(
  labelText: string,
  options: { value: string; label: string }[],
  value: string,
  onChange: (v: string) => void,
  name = "",
): HTMLElement {
  const id = "f-" + Math.random().toString(36).slice(2, 9);
  const s = h("select", { id, name });
  for (const o of options) {
    const opt = h("option", { value: o.value }, o.label);
    if (o.value === value) opt.selected = true;
    s.append(opt);
  }
  s.addEventListener("change", () => onChange(s.value));
  return h("div", { class: "field" }, h("label", { for: id }, labelText), s);
}

export function checkboxes(
  legend: string,
  options: { value: string; label: string }[],
  values: string[],
  onChange: (v: string[]) => void,
  name = "",
): HTMLElement {
  const fs = h("fieldset", { class: "field checks", "data-name": name }, h("legend", {}, legend));
  const boxes: HTMLInputElement[] = [];
  for (const o of options) {
    const id = "c-" + Math.random().toString(36).slice(2, 9);
    const cb = h("input", { type: "checkbox", id, value: o.value });
    cb.checked = values.includes(o.value);
    cb.addEventListener("change", () => onChange(boxes.filter((b) => b.checked).map((b) => b.value)));
    boxes.push(cb);
    fs.append(h("span", { class: "check" }, cb, h("label", { for: id }, o.label)));
  }
  return fs;
}

export function toolbar(...children: HTMLElement[]): HTMLElement {
  return h("div", { class: "toolbar no-print" }, ...children);
}

// rootFields lists the root fields (by alias) of each named operation.
function rootFields(query: string): { operation: string; field: string }[] {
  try {
    const doc = parse(query);
    return doc.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && !!d.name)
      .flatMap((op) =>
        op.selectionSet.selections
          .filter((s) => s.kind === Kind.FIELD)
          .map((s) => ({ operation: op.name!.value, field: (s as { alias?: { value: string }; name: { value: string } }).alias?.value ?? (s as { name: { value: string } }).name.value })),
      );
  } catch {
    return [];
  }
}

// askReason asks, in a modal dialog, to confirm an action that needs a
// reason kept in the history (withdrawing, restoring): the reason, or null
// when cancelled. act runs on confirmation; its error is shown in the
// dialog, which stays open to try again.
export function askReason(opts: { title: string; text: string; confirm: string; act: (reason: string) => Promise<void> }): Promise<boolean> {
  return new Promise((resolve) => {
    const reason = h("textarea", { id: "alasan", name: "alasan", rows: "3", required: "", maxlength: "1000" });
    const error = h("p", { class: "error", role: "alert" });
    const ok = h("button", { type: "submit", class: "primary danger", "data-action": "konfirmasi" }, opts.confirm);
    const cancel = h("button", { type: "button", "data-action": "batal" }, t("Batal"));
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", {}, opts.title),
      h("p", {}, opts.text),
      h("div", { class: "field" }, h("label", { for: "alasan" }, t("Alasan (wajib, disimpan dalam riwayat)")), reason),
      error,
      h("div", { class: "dialog-actions" }, cancel, ok),
    );
    const dlg = h("dialog", { id: "alasan-dialog", "aria-label": opts.title }, form);
    document.body.append(dlg);
    const close = (done: boolean) => {
      dlg.close();
      dlg.remove();
      resolve(done);
    };
    cancel.addEventListener("click", () => close(false));
    dlg.addEventListener("cancel", () => close(false));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const r = reason.value.trim();
      if (!r) {
        error.textContent = t("Tuliskan alasannya.");
        reason.focus();
        return;
      }
      ok.disabled = cancel.disabled = true;
      error.textContent = "";
      opts
        .act(r)
        .then(() => close(true))
        .catch((err) => {
          error.textContent = String((err as Error)?.message ?? err);
          ok.disabled = cancel.disabled = false;
        });
    });
    dlg.showModal();
    reason.focus();
  });
}

// flash keeps a message for the next view drawn (after an action that
// moves elsewhere); showFlash puts it under the view's title.
let flashed: { text: string; kind: "ok" | "error" } | null = null;

export function flash(text: string, kind: "ok" | "error" = "ok") {
  flashed = { text, kind };
}

export function showFlash(main: HTMLElement) {
  if (!flashed) return;
  const { text, kind } = flashed;
  flashed = null;
  main.querySelector("h1")?.after(h("p", { class: `notice ${kind}`, role: kind === "ok" ? "status" : "alert", "data-notice": kind }, text));
}
