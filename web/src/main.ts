import "./style.css";
import { t, lang, setLang, loadLabels } from "./i18n";
import { loadState, isSimulation } from "./state";
import { disposeCharts } from "./chart";
import { h } from "./ui";
import { ringkasan } from "./views/ringkasan";
import { peta } from "./views/peta";
import { bandingkan } from "./views/bandingkan";
import { sasaran } from "./views/sasaran";
import { kerjasama } from "./views/kerjasama";
import { mitra } from "./views/mitra";
import { bkad } from "./views/bkad";
import { lintas } from "./views/lintas";
import { data } from "./views/data";

type View = (main: HTMLElement, params: URLSearchParams) => Promise<void> | void;

const views: { path: string; title: string; view: View }[] = [
  { path: "ringkasan", title: "Ringkasan", view: ringkasan },
  { path: "peta", title: "Peta", view: peta },
  { path: "bandingkan", title: "Bandingkan", view: bandingkan },
  { path: "sasaran", title: "Sasaran", view: sasaran },
  { path: "kerja-sama", title: "Kerja sama", view: kerjasama },
  { path: "mitra", title: "Mitra", view: mitra },
  { path: "bkad", title: "BKAD", view: bkad },
  { path: "lintas-wilayah", title: "Lintas wilayah", view: lintas },
  { path: "data", title: "Data", view: data },
];

function route(): { path: string; params: URLSearchParams } {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { path: path || "ringkasan", params: new URLSearchParams(query ?? "") };
}

function renderNav(active: string) {
  const nav = document.getElementById("nav")!;
  nav.replaceChildren(
    h(
      "ul",
      {},
      ...views.map((v) =>
        h(
          "li",
          {},
          h("a", { href: `#/${v.path}`, ...(v.path === active ? { "aria-current": "page" } : {}) }, t(v.title)),
        ),
      ),
    ),
  );
}

function renderBanner() {
  const b = document.getElementById("banner")!;
  b.replaceChildren();
  b.classList.toggle("sim", isSimulation());
  if (isSimulation()) b.append(h("strong", {}, t("SIMULASI")), " ", t("simulasi-banner").replace(/^SIMULASI — |^SIMULATION — /, "— "));
}

let rendering = 0;

async function render() {
  const { path, params } = route();
  const v = views.find((x) => x.path === path) ?? views[0];
  renderNav(v.path);
  document.title = `${t(v.title)} — sinergi`;
  disposeCharts();
  const main = document.getElementById("main")!;
  main.replaceChildren(h("h1", {}, t(v.title)));
  main.dataset.view = v.path;
  delete main.dataset.ready;
  const me = ++rendering;
  try {
    await v.view(main, params);
  } catch (err) {
    main.append(h("p", { class: "error", role: "alert" }, `${t("Gagal memuat")}: ${String((err as Error)?.message ?? err)}`));
  }
  // data-ready tells a reader (and the browser tests) the view is drawn.
  if (me === rendering) main.dataset.ready = "1";
}

async function start() {
  document.documentElement.lang = lang();
  const langSelect = document.getElementById("lang") as HTMLSelectElement;
  langSelect.value = lang();
  langSelect.addEventListener("change", () => {
    setLang(langSelect.value === "en" ? "en" : "id");
    const u = new URL(location.href);
    u.searchParams.delete("lang");
    location.replace(u.toString());
  });
  document.getElementById("app-subtitle")!.textContent = t("Konsol Perencanaan Kerja Sama Desa · Kalimantan Timur");
  const dlg = document.getElementById("query-dialog") as HTMLDialogElement;
  document.getElementById("query-dialog-close")!.addEventListener("click", () => dlg.close());
  document.getElementById("query-dialog-title")!.textContent = t("Kueri GraphQL");
  document.getElementById("query-dialog-open")!.textContent = t("Buka di GraphiQL");
  document.getElementById("query-dialog-close")!.textContent = t("Tutup");
  try {
    await Promise.all([loadLabels(), loadState()]);
  } catch (err) {
    document.getElementById("main")!.replaceChildren(
      h("p", { class: "error", role: "alert" }, `${t("Gagal memuat")}: ${String((err as Error)?.message ?? err)}`),
    );
    return;
  }
  renderBanner();
  window.addEventListener("hashchange", () => void render());
  await render();
}

void start();
