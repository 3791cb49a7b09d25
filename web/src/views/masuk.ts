// Masuk: the sign-in screen — a local account's name and password, or the
// province's identity provider (OpenID Connect) when the server has one.
import { t } from "../i18n";
import { currentSession, signIn, SignInError } from "../session";
import { h } from "../ui";

export function masuk(main: HTMLElement, params: URLSearchParams) {
  const s = currentSession();
  if (!s) {
    main.append(h("p", { class: "empty" }, t("Server ini tidak memakai akun: tidak perlu masuk.")));
    return;
  }
  if (s.signedIn && s.user) {
    main.append(h("p", {}, `${t("Anda sudah masuk sebagai")} ${s.user.displayName}.`), h("p", {}, h("a", { href: "#/ringkasan" }, t("Ke Ringkasan"))));
    return;
  }
  const reason = params.get("reason");
  const user = h("input", { type: "text", id: "f-username", name: "username", autocomplete: "username", required: "", autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { type: "password", id: "f-password", name: "password", autocomplete: "current-password", required: "" });
  const submit = h("button", { type: "submit", class: "primary", "data-action": "masuk" }, t("Masuk"));
  const error = h("p", { class: "error", role: "alert", id: "masuk-error" });
  const form = h(
    "form",
    { class: "signin", "aria-labelledby": "masuk-title" },
    h("h2", { id: "masuk-title" }, t("Masuk ke konsol")),
    !s.anonymousRead ? h("p", { class: "hint" }, t("Server ini hanya bisa dibaca setelah masuk.")) : null,
    reason ? h("p", { class: "notice" }, reason) : null,
    h("div", { class: "field" }, h("label", { for: "f-username" }, t("Nama pengguna")), user),
    h("div", { class: "field" }, h("label", { for: "f-password" }, t("Kata sandi")), password),
    error,
    h("div", { class: "signin-actions" }, submit),
  );
  if (s.oidc) {
    form.append(h("p", { class: "or" }, t("atau")), h("a", { href: "/auth/oidc/login", class: "button", "data-action": "oidc" }, t("Masuk dengan akun Pemprov (OpenID Connect)")));
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = "";
    signIn(user.value.trim(), password.value)
      .then(() => {
        const back = sessionStorage.getItem("sinergi-after-signin");
        sessionStorage.removeItem("sinergi-after-signin");
        location.hash = back && back !== "#/masuk" ? back : "#/ringkasan";
        location.reload();
      })
      .catch((err) => {
        submit.disabled = false;
        password.value = "";
        error.textContent = signInMessage(err);
        password.focus();
      });
  });
  main.append(form);
  user.focus();
}

function signInMessage(err: unknown): string {
  if (err instanceof SignInError) {
    if (err.status === 401) return `${t("Nama pengguna atau kata sandi salah.")} (${err.message})`;
    if (err.status === 429) {
      const wait = err.retryAfter > 0 ? ` ${t("Coba lagi dalam")} ${err.retryAfter} ${t("detik")}.` : "";
      return `${t("Terlalu banyak percobaan masuk.")}${wait}`;
    }
    if (err.status === 403) return `${t("Formulir ini kedaluwarsa: muat ulang halaman, lalu coba lagi.")} (${err.message})`;
  }
  return `${t("Gagal masuk")}: ${String((err as Error)?.message ?? err)}`;
}
