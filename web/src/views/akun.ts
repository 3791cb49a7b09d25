// Akun dan kunci (admins): the local accounts people sign in with and the
// API keys of notebooks, services and scripts — listed, made (a key's
// token shown once), disabled or revoked. Every change is in the audit
// history (Riwayat perubahan).
import { gql } from "../api";
import { dateTime } from "../format";
import { label, t } from "../i18n";
import { flash, h, Panel } from "../ui";

interface Account {
  name: string;
  displayName: string;
  role: string;
  scopes: string[];
  disabled: boolean;
  createdBy: string;
  createdAt: string;
}

interface ApiKey {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  status: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const accountFields = "name displayName role scopes disabled createdBy createdAt";
const keyFields = "id name role scopes status createdBy createdAt expiresAt revokedAt";

const listQuery = `query AccountsAndKeys {
  accounts { ${accountFields} }
  apiKeys { ${keyFields} }
}`;

// The token of the key made last: shown once, on the view drawn after.
let madeToken: { name: string; token: string } | null = null;

export async function akun(main: HTMLElement) {
  const d = await gql<{ accounts: Account[]; apiKeys: ApiKey[] }>({ query: listQuery });
  const grid = h("div", { class: "grid" });
  main.append(grid);

  if (madeToken) {
    const { name, token } = madeToken;
    madeToken = null;
    grid.append(
      h(
        "section",
        { class: "panel wide token-once", "data-panel": "kunci-baru", role: "status" },
        h("h2", {}, `${t("Kunci API baru")}: ${name}`),
        h("p", {}, t("Salin dan simpan sekarang: kunci ini tidak akan ditampilkan lagi (server hanya menyimpan hash-nya).")),
        h("pre", { id: "kunci-baru" }, token),
      ),
    );
  }

  // Accounts.
  const ap = new Panel<Account>(grid, { id: "akun", title: t("Akun"), subtitle: t("untuk masuk ke konsol"), wide: true });
  ap.setQuery({ query: `query Accounts {\n  accounts { ${accountFields} }\n}` });
  ap.table(
    [
      { key: "name", label: t("Nama pengguna") },
      { key: "displayName", label: t("Nama tampilan") },
      { key: "role", label: t("Peran"), value: (r) => label("ROLE", r.role) },
      { key: "scopes", label: t("Wilayah"), value: (r) => r.scopes.join(", ") || "–" },
      { key: "disabled", label: t("Status"), value: (r) => (r.disabled ? t("Nonaktif") : t("Aktif")) },
      { key: "createdAt", label: t("Dibuat"), format: (v, r) => `${dateTime(v as string)} · ${r.createdBy}` },
    ],
    d.accounts,
    {
      onRow: (r) => void act(gql({ query: `mutation SetAccountDisabled($name: String!, $disabled: Boolean!) { setAccountDisabled(name: $name, disabled: $disabled) { name disabled } }`, variables: { name: r.name, disabled: !r.disabled } }), `${r.name}: ${r.disabled ? t("diaktifkan") : t("dinonaktifkan")}`),
      rowLabel: (r) => (r.disabled ? t("Aktifkan") : t("Nonaktifkan")),
    },
  );
  ap.body.append(accountForm(), passwordForm(d.accounts));

  // API keys.
  const kp = new Panel<ApiKey>(grid, { id: "kunci-api", title: t("Kunci API"), subtitle: t("untuk notebook, layanan dan skrip (Authorization: Bearer …)"), wide: true });
  kp.setQuery({ query: `query ApiKeys {\n  apiKeys { ${keyFields} }\n}` });
  kp.table(
    [
      { key: "id", label: "ID" },
      { key: "name", label: t("Nama") },
      { key: "role", label: t("Peran"), value: (r) => label("ROLE", r.role) },
      { key: "scopes", label: t("Wilayah"), value: (r) => r.scopes.join(", ") || "–" },
      { key: "status", label: t("Status"), value: (r) => label("API_KEY_STATUS", r.status) },
      { key: "createdAt", label: t("Dibuat"), format: (v, r) => `${dateTime(v as string)} · ${r.createdBy}` },
      { key: "expiresAt", label: t("Berlaku sampai"), format: (v) => (v ? dateTime(v as string) : t("tanpa batas")) },
    ],
    d.apiKeys,
    {
      onRow: (r) => void act(gql({ query: `mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id status } }`, variables: { id: r.id } }), `${t("Kunci dicabut")}: ${r.name} (${r.id})`),
      rowLabel: () => t("Cabut"),
      canAct: (r) => r.status === "ACTIVE",
    },
  );
  kp.body.append(keyForm());
}

// act runs a change and draws the view again with what it did, or says
// why it was refused.
async function act(change: Promise<unknown>, done: string) {
  try {
    await change;
    flash(done);
  } catch (err) {
    flash(String((err as Error)?.message ?? err), "error");
  }
  redraw();
}

function redraw() {
  location.hash = `#/akun?${Date.now()}`;
}

const roles = ["VIEWER", "EDITOR", "ADMIN"];

function field(id: string, text: string, input: HTMLElement): HTMLElement {
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, text), input);
}

function roleSelect(name: string): HTMLSelectElement {
  const s = h("select", { name });
  for (const r of roles) s.append(h("option", { value: r }, label("ROLE", r)));
  return s;
}

function scopesOf(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

function accountForm(): HTMLElement {
  const name = h("input", { type: "text", name: "name", required: "", autocomplete: "off", spellcheck: "false" });
  const display = h("input", { type: "text", name: "displayName" });
  const role = roleSelect("role");
  const scopes = h("input", { type: "text", name: "scopes", placeholder: "64.02" });
  const password = h("input", { type: "password", name: "password", required: "", minlength: "12", autocomplete: "new-password" });
  const form = h(
    "form",
    { class: "toolbar admin-form", "data-form": "akun-baru" },
    h("h3", {}, t("Buat akun")),
    field("akun-nama", t("Nama pengguna"), name),
    field("akun-tampilan", t("Nama tampilan"), display),
    field("akun-peran", t("Peran"), role),
    field("akun-wilayah", t("Wilayah (editor)"), scopes),
    field("akun-sandi", t("Kata sandi (min. 12)"), password),
    h("button", { type: "submit", class: "primary" }, t("Buat akun")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const input = { name: name.value.trim(), displayName: display.value.trim() || null, role: role.value, scopes: scopesOf(scopes.value), password: password.value };
    void act(gql({ query: `mutation CreateAccount($input: CreateAccountInput!) { createAccount(input: $input) { name } }`, variables: { input } }), `${t("Akun dibuat")}: ${input.name}`);
  });
  return form;
}

function passwordForm(accounts: Account[]): HTMLElement {
  const who = h("select", { name: "account" });
  for (const a of accounts) who.append(h("option", { value: a.name }, `${a.name} (${a.displayName})`));
  const password = h("input", { type: "password", name: "password", required: "", minlength: "12", autocomplete: "new-password" });
  const form = h(
    "form",
    { class: "toolbar admin-form", "data-form": "ganti-sandi" },
    h("h3", {}, t("Ganti kata sandi")),
    field("sandi-akun", t("Akun"), who),
    field("sandi-baru", t("Kata sandi baru (min. 12)"), password),
    h("button", { type: "submit" }, t("Ganti kata sandi")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void act(
      gql({ query: `mutation SetAccountPassword($name: String!, $password: String!) { setAccountPassword(name: $name, password: $password) { name } }`, variables: { name: who.value, password: password.value } }),
      `${t("Kata sandi diganti, sesinya berakhir")}: ${who.value}`,
    );
  });
  if (accounts.length === 0) form.hidden = true;
  return form;
}

function keyForm(): HTMLElement {
  const name = h("input", { type: "text", name: "name", required: "", placeholder: "DPMD Kukar" });
  const role = roleSelect("role");
  const scopes = h("input", { type: "text", name: "scopes", placeholder: "64.02" });
  const expires = h("input", { type: "date", name: "expiresAt" });
  const form = h(
    "form",
    { class: "toolbar admin-form", "data-form": "kunci-baru" },
    h("h3", {}, t("Buat kunci API")),
    field("kunci-nama", t("Nama (milik siapa)"), name),
    field("kunci-peran", t("Peran"), role),
    field("kunci-wilayah", t("Wilayah (editor)"), scopes),
    field("kunci-sampai", t("Berlaku sampai (kosong: tanpa batas)"), expires),
    h("button", { type: "submit", class: "primary" }, t("Buat kunci API")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    // A date means the end of that day in WITA.
    const expiresAt = expires.value ? new Date(`${expires.value}T23:59:59+08:00`).toISOString() : null;
    const input = { name: name.value.trim(), role: role.value, scopes: scopesOf(scopes.value), expiresAt };
    const made = gql<{ createApiKey: { token: string; key: { name: string } } }>({
      query: `mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { token key { id name } } }`,
      variables: { input },
    }).then((d) => {
      madeToken = { name: d.createApiKey.key.name, token: d.createApiKey.token };
    });
    void act(made, `${t("Kunci API dibuat")}: ${input.name}`);
  });
  return form;
}
