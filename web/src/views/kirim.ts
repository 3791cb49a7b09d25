// Kirim register: an office (an editor, within its kabupaten) checks its
// register — the validation of a load, nothing written — reads every
// refused row and warning with its sheet, line and reason, downloads its
// own workbook with a Keterangan column beside each refused row and each
// row with a warning, and
// submits it; the run then shows in the Data view.
import { APIError, gqlUpload, gql } from "../api";
import { dateTime, num } from "../format";
import { label, t } from "../i18n";
import { rejectFields, rejectsPerPage, showRejects, type Reject, type RejectPage } from "../rejects";
import { currentSession, roleName } from "../session";
import { download, h, Panel } from "../ui";

interface SubmittedFile {
  name: string;
  size: number;
  sha256: string;
}

interface Check {
  id: string;
  files: SubmittedFile[];
  rowsRead: number;
  agreements: number;
  outsideScope: number;
  rejectedCount: number;
  warningCount: number;
  annotatedWorkbookPath: string;
  rejects: RejectPage;
  warnings: RejectPage;
}

interface Submission {
  runId: string;
  submittedBy: string;
  submittedAt: string;
  files: SubmittedFile[];
  run: { status: string; rowsRead: number; rowsLoaded: number; rowsRejected: number; error: string | null } | null;
}

const checkFields = `id files { name size sha256 } rowsRead agreements outsideScope rejectedCount warningCount annotatedWorkbookPath
    rejects(first: ${rejectsPerPage}) { ${rejectFields} }
    warnings(first: ${rejectsPerPage}) { ${rejectFields} }`;

const checkMutation = `mutation CheckRegister($files: [Upload!]!) {
  checkRegister(files: $files) {
    ${checkFields}
  }
}`;

const submitMutation = `mutation SubmitRegister($files: [Upload!]!) {
  submitRegister(files: $files) {
    runId submittedBy submittedAt files { name size sha256 }
    run { status rowsRead rowsLoaded rowsRejected error }
  }
}`;

function pageQuery(list: "rejects" | "warnings") {
  return `query RegisterCheck${list === "rejects" ? "Rejects" : "Warnings"}($id: ID!, $after: String) {
  registerCheck(id: $id) {
    ${list}(first: ${rejectsPerPage}, after: $after) { ${rejectFields} }
  }
}`;
}

// What the office chose and what came back: kept while the console is
// open, so going to the Data view and back shows it again.
const state: { files: File[]; check: Check | null; submission: Submission | null; error: string } = {
  files: [],
  check: null,
  submission: null,
  error: "",
};

export async function kirim(main: HTMLElement) {
  const s = currentSession();
  main.append(
    h(
      "p",
      { class: "intro" },
      t("kirim-intro"),
      s?.user ? h("span", { class: "who" }, ` ${t("Anda masuk sebagai")} ${s.user.displayName} (${roleName(s.user.role)}${s.user.scopes.length ? ", " + s.user.scopes.join(", ") : ""}).`) : "",
    ),
  );
  const input = h("input", { type: "file", id: "f-berkas", name: "berkas", accept: ".xlsx,.csv", multiple: "" });
  const chosen = h("p", { class: "hint", id: "berkas-terpilih" });
  const checkButton = h("button", { type: "submit", class: "primary", "data-action": "periksa" }, t("Periksa"));
  const submitButton = h("button", { type: "button", "data-action": "kirim" }, t("Kirim"));
  const status = h("div", { class: "status", role: "status", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "toolbar upload no-print" },
    h("div", { class: "field" }, h("label", { for: "f-berkas" }, t("Register (satu workbook .xlsx, atau berkas .csv-nya)")), input),
    checkButton,
    submitButton,
  );
  const results = h("div", { class: "grid" });
  main.append(form, chosen, status, results);

  const showChosen = () => {
    chosen.textContent = state.files.length
      ? `${t("Berkas")}: ${state.files.map((f) => `${f.name} (${bytes(f.size)})`).join(", ")}`
      : t("Belum ada berkas dipilih.");
    checkButton.disabled = state.files.length === 0;
    // Submitting follows a check of the same files.
    submitButton.disabled = state.check === null || state.submission !== null;
  };
  const showError = () => {
    status.replaceChildren();
    if (state.error) status.append(h("p", { class: "error", role: "alert" }, state.error));
  };
  const busy = (text: string) => {
    checkButton.disabled = submitButton.disabled = input.disabled = true;
    status.replaceChildren(h("p", { class: "loading" }, text));
  };
  const done = () => {
    input.disabled = false;
    showChosen();
    showError();
  };

  input.addEventListener("change", () => {
    state.files = [...(input.files ?? [])];
    state.check = null;
    state.submission = null;
    state.error = chooseError(state.files);
    results.replaceChildren();
    done();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (state.files.length === 0) return;
    busy(t("Memeriksa…"));
    state.check = null;
    state.submission = null;
    results.replaceChildren();
    gqlUpload<{ checkRegister: Check }>({ query: checkMutation }, state.files)
      .then((d) => {
        state.check = d.checkRegister;
        state.error = "";
      })
      .catch((err) => (state.error = refusal(err)))
      .then(() => draw(results))
      .catch((err) => (state.error = refusal(err)))
      .finally(done);
  });
  submitButton.addEventListener("click", () => {
    if (!state.check) return;
    busy(t("Mengirim…"));
    gqlUpload<{ submitRegister: Submission }>({ query: submitMutation }, state.files)
      .then((d) => {
        state.submission = d.submitRegister;
        state.error = "";
      })
      .catch((err) => (state.error = refusal(err)))
      .then(() => draw(results))
      .catch((err) => (state.error = refusal(err)))
      .finally(done);
  });

  done();
  await draw(results);
}

async function draw(results: HTMLElement) {
  results.replaceChildren();
  if (state.submission) drawSubmission(results, state.submission);
  if (state.check) await drawCheck(results, state.check);
}

function drawSubmission(host: HTMLElement, sub: Submission) {
  const p = new Panel(host, { id: "hasil-kirim", title: t("Hasil pengiriman"), subtitle: `Run ${sub.runId}`, wide: true });
  p.setQuery({ query: `query SubmittedRun {\n  etlRuns(last: 30, dataset: "register") { id status rowsRead rowsLoaded rowsRejected error submission { submittedBy submittedAt files { name size sha256 } } }\n}` });
  const run = sub.run;
  const ok = run?.status === "SUCCEEDED";
  p.body.append(
    h(
      "p",
      { class: ok ? "outcome ok" : "outcome error", role: ok ? "status" : "alert" },
      ok
        ? `${t("Register dimuat")}: ${num(run!.rowsLoaded)} ${t("baris dimuat")}, ${num(run!.rowsRejected)} ${t("baris ditolak")} ${t("dari")} ${num(run!.rowsRead)} ${t("dibaca")}.`
        : `${t("Register tidak dimuat")}${run ? ` (${label("ETL_RUN_STATUS", run.status)})` : ""}: ${run?.error ?? "–"}. ${t("Tidak ada yang berubah.")}`,
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("Dikirim oleh")), h("dd", {}, sub.submittedBy),
      h("dt", {}, t("Waktu")), h("dd", {}, dateTime(sub.submittedAt)),
      h("dt", {}, t("Berkas")), h("dd", {}, sub.files.map((f) => `${f.name} (${bytes(f.size)}, SHA-256 ${f.sha256.slice(0, 12)}…)`).join("; ")),
    ),
    h("p", {}, h("a", { href: `#/data?run=${encodeURIComponent(sub.runId)}`, "data-link": "run" }, t("Lihat muatan ini di Data"))),
  );
}

async function drawCheck(host: HTMLElement, c: Check) {
  const p = new Panel(host, { id: "hasil-periksa", title: t("Hasil pemeriksaan"), subtitle: t("tidak ada yang ditulis"), wide: true });
  p.setQuery({ query: `query RegisterCheck($id: ID!) {\n  registerCheck(id: $id) {\n    ${checkFields}\n  }\n}`, variables: { id: c.id } });
  const facts = [
    { key: "rowsRead", label: t("Baris dibaca"), value: c.rowsRead },
    { key: "agreements", label: t("Kerja sama diterima validasi"), value: c.agreements },
    { key: "outsideScope", label: t("di luar wilayah Anda (ditolak)"), value: c.outsideScope },
    { key: "rejectedCount", label: t("Baris ditolak"), value: c.rejectedCount },
    { key: "warningCount", label: t("Peringatan"), value: c.warningCount },
  ];
  p.body.append(
    h("div", { class: "kpis" }, ...facts.map((f) => h("div", { class: "kpi", "data-fact": f.key }, h("h3", {}, f.label), h("p", { class: "kpi-main" }, num(f.value))))),
    h("p", { class: "hint" }, `${t("Berkas")}: ${c.files.map((f) => `${f.name} (${bytes(f.size)}, SHA-256 ${f.sha256.slice(0, 12)}…)`).join("; ")}`),
  );
  if (c.rejectedCount > 0 || c.warningCount > 0) {
    p.body.append(
      h(
        "p",
        { class: "notice" },
        t("keterangan-intro"),
        " ",
        keteranganButton(c.annotatedWorkbookPath),
      ),
    );
  }
  p.setData(
    [
      { key: "label", label: t("Ukuran") },
      { key: "value", label: t("Jumlah"), numeric: true },
    ],
    facts,
  );

  const rp = new Panel<Reject>(host, { id: "periksa-ditolak", title: t("Baris ditolak dan alasannya"), wide: true });
  const rq = pageQuery("rejects");
  rp.setQuery({ query: rq, variables: { id: c.id, after: null } });
  const wp = new Panel<Reject>(host, { id: "periksa-peringatan", title: t("Peringatan"), subtitle: t("dimuat, tetapi periksa"), wide: true });
  const wq = pageQuery("warnings");
  wp.setQuery({ query: wq, variables: { id: c.id, after: null } });
  await Promise.all([
    showRejects(rp, (after) => page(c.id, "rejects", after), t("Tidak ada baris yang ditolak."), c.rejects),
    showRejects(wp, (after) => page(c.id, "warnings", after), t("Tidak ada peringatan."), c.warnings),
  ]);
}

// keteranganButton downloads the annotated workbook with the console's
// credentials, and says why when the server refuses (the report expired,
// or was someone else's).
function keteranganButton(path: string): HTMLElement {
  const b = h("button", { type: "button", "data-link": "keterangan" }, t("Unduh workbook dengan Keterangan"));
  const msg = h("span", { class: "error", role: "alert" });
  b.addEventListener("click", () => {
    msg.textContent = "";
    b.disabled = true;
    fetch(path, { credentials: "same-origin" })
      .then(async (res) => {
        if (!res.ok) throw new APIError((await res.text()).trim() || `HTTP ${res.status}`, res.status);
        const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers.get("Content-Disposition") ?? "")?.[1];
        download(await res.blob(), name ? decodeURIComponent(name) : "keterangan.xlsx");
      })
      .catch((err) => (msg.textContent = ` ${t("Gagal mengunduh")}: ${String((err as Error)?.message ?? err)}`))
      .finally(() => (b.disabled = false));
  });
  return h("span", {}, b, msg);
}

async function page(id: string, list: "rejects" | "warnings", after: string | null): Promise<RejectPage> {
  const d = await gql<{ registerCheck: Record<string, RejectPage> | null }>({ query: pageQuery(list), variables: { id, after } });
  if (!d.registerCheck) throw new APIError(t("Hasil pemeriksaan ini sudah kedaluwarsa (disimpan satu jam): periksa lagi."));
  return d.registerCheck[list];
}

// chooseError says what is wrong with the files chosen before anything
// is sent (the server checks everything again).
function chooseError(files: File[]): string {
  const bad = files.filter((f) => !/\.(xlsx|csv)$/i.test(f.name));
  if (bad.length) return `${t("Bukan .xlsx atau .csv")}: ${bad.map((f) => f.name).join(", ")}`;
  const books = files.filter((f) => /\.xlsx$/i.test(f.name)).length;
  if (books > 1 || (books === 1 && files.length > 1)) return t("Kirim satu workbook .xlsx, atau berkas .csv dari satu register — bukan keduanya.");
  return "";
}

// refusal is the server's answer in words an office can act on.
function refusal(err: unknown): string {
  const e = err as APIError;
  const msg = String(e?.message ?? err);
  if (e instanceof APIError) {
    if (e.status === 413 || e.code === "REQUEST_TOO_LARGE") {
      return e.maxBytes > 0 ? `${t("Berkas terlalu besar")}: ${t("batasnya")} ${bytes(e.maxBytes)} ${t("untuk satu kiriman")}.` : `${t("Berkas terlalu besar")}.`;
    }
    if (e.status === 401) return `${t("Belum masuk")}: ${msg}`;
    if (e.status === 403) return `${t("Tidak diizinkan")}: ${msg}`;
    if (e.status === 429) return `${t("Terlalu banyak permintaan, coba lagi sebentar lagi")}: ${msg}`;
  }
  return `${t("Register ditolak")}: ${msg}`;
}

function bytes(n: number): string {
  if (n >= 1 << 20) return `${num(n / (1 << 20), n % (1 << 20) === 0 ? 0 : 1)} MB`;
  if (n >= 1 << 10) return `${num(n / (1 << 10), 0)} KB`;
  return `${num(n)} B`;
}
