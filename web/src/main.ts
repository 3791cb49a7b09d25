import "./style.css";
import { t, lang, setLang, loadLabels } from "./i18n";
import { loadState, isSimulation } from "./state";
import { disposeCharts } from "./chart";
import { APIError, onUnauthenticated } from "./api";
import { currentSession, loadSession, may, mustSignIn, roleName, signInSupported, signOut, type Role } from "./session";
import { h, showFlash } from "./ui";
import { ringkasan } from "./views/ringkasan";
import { peta } from "./views/peta";
import { bandingkan } from "./views/bandingkan";
import { sasaran } from "./views/sasaran";
import { kerjasama } from "./views/kerjasama";
import { mitra } from "./views/mitra";
import { bkad } from "./views/bkad";
import { lintas } from "./views/lintas";
import { data } from "./views/data";
import { kirim } from "./views/kirim";
import { riwayat } from "./views/riwayat";
import { akun } from "./views/akun";
import { masuk } from "./views/masuk";

type View = (main: HTMLElement, params: URLSearchParams) => Promise<void> | void;

// need: the role a view is for (the server enforces it anyway); hidden:
// reached by its address, not from the menu.
const views: { path: string; title: string; view: View; need?: Role; hidden?: boolean }[] = [
  { path: "ringkasan", title: "Ringkasan", view: ringkasan },
  { path: "peta", title: "Peta", view: peta },
  { path: "bandingkan", title: "Bandingkan", view: bandingkan },
  { path: "sasaran", title: "Sasaran", view: sasaran },
  { path: "kerja-sama", title: "Kerja sama", view: kerjasama },
  { path: "mitra", title: "Mitra", view: mitra },
  { path: "bkad", title: "BKAD", view: bkad },
  { path: "lintas-wilayah", title: "Lintas wilayah", view: lintas },
  { path: "data", title: "Data", view: data },
  { path: "kirim-register", title: "Kirim register", view: kirim, need: "editor" },
  { path: "riwayat", title: "Riwayat perubahan", view: riwayat, need: "admin" },
  { path: "akun", title: "Akun dan kunci", view: akun, need: "admin" },
  { path: "masuk", title: "Masuk", view: masuk, hidden: true },
];

function route(): { path: string; params: URLSearchParams } {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { path: path || "ringkasan", params: new URLSearchParams(query ?? "") };
}

function renderNav(active: string) {
  const nav = document.getElementById("nav")!;
  if (mustSignIn()) {
    nav.replaceChildren();
    return;
  }
  nav.replaceChildren(
    h(
      "ul",
      {},
      ...views.filter((v) => !v.hidden && (!v.need || may(v.need))).map((v) =>
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

async function render(reason?: string) {
  const { path, params } = route();
  if (mustSignIn() && path !== "masuk") {
    showSignIn();
    return;
  }
  if (reason) params.set("reason", reason);
  const v = views.find((x) => x.path === path) ?? views[0];
  renderNav(v.path);
  document.title = `${t(v.title)} — sinergi`;
  disposeCharts();
  const main = document.getElementById("main")!;
  main.replaceChildren(h("h1", {}, t(v.title)));
  showFlash(main);
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

// renderUser shows who is signed in (name, role, scope) and Keluar, or
// Masuk when the server has sign-in and nobody is.
function renderUser() {
  const box = document.getElementById("user")!;
  box.replaceChildren();
  const s = currentSession();
  if (!s) return;
  if (s.signedIn && s.user) {
    const out = h("button", { type: "button", id: "keluar" }, t("Keluar"));
    out.addEventListener("click", () => {
      out.disabled = true;
      signOut()
        .catch(() => undefined)
        .finally(() => location.replace(location.pathname + location.search));
    });
    const scope = s.user.role === "editor" ? ` · ${s.user.scopes.join(", ")}` : "";
    box.append(h("span", { id: "siapa", title: s.user.name }, `${s.user.displayName} · ${roleName(s.user.role)}${scope}`), out);
  } else if (!mustSignIn()) {
    // Anonymous reading is on: signing in is offered, not required.
    box.append(h("a", { href: "#/masuk", id: "masuk-link" }, t("Masuk")));
  }
}

// showSignIn replaces the console with the sign-in screen: nothing is
// read before someone signs in.
function showSignIn(reason?: string) {
  document.getElementById("nav")!.replaceChildren();
  if (route().path !== "masuk") {
    sessionStorage.setItem("sinergi-after-signin", location.hash);
    history.replaceState(null, "", location.pathname + location.search + "#/masuk");
  }
  void render(reason);
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
    await loadSession();
  } catch (err) {
    document.getElementById("main")!.replaceChildren(
      h("p", { class: "error", role: "alert" }, `${t("Gagal memuat")}: ${String((err as Error)?.message ?? err)}`),
    );
    return;
  }
  renderUser();
  window.addEventListener("hashchange", () => void render());
  onUnauthenticated(() => {
    if (!signInSupported()) return;
    // The session ended (signed out elsewhere, expired, account disabled):
    // ask the server again, then sign in.
    loadSession()
      .catch(() => undefined)
      .finally(() => {
        renderUser();
        showSignIn(t("Sesi berakhir atau belum masuk: silakan masuk."));
      });
  });
  if (mustSignIn()) {
    showSignIn();
    return;
  }
  try {
    await Promise.all([loadLabels(), loadState()]);
  } catch (err) {
    if (err instanceof APIError && err.status === 401 && signInSupported()) return; // the sign-in screen is shown

    document.getElementById("main")!.replaceChildren(
      h("p", { class: "error", role: "alert" }, `${t("Gagal memuat")}: ${String((err as Error)?.message ?? err)}`),
    );
    return;
  }
  renderBanner();
  await render();
}

void start();
