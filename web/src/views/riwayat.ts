// Riwayat (admins): the audit history — keys and accounts made, changed
// or revoked, sign-ins and sign-outs, registers submitted, agreements
// withdrawn and restored — newest first, a page at a time; and the
// agreements withdrawn now (withdrawnAgreements), each with Pulihkan.
import { gql } from "../api";
import { dateTime, num } from "../format";
import { t } from "../i18n";
import { askReason, flash, h, Panel } from "../ui";

interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string;
}

interface Withdrawal {
  agreementId: string;
  at: string;
  by: string;
  reason: string;
}

const perPage = 50;
// The withdrawn agreements listed at most (the API's own bound).
const withdrawnListed = 1000;

const withdrawnQuery = `query WithdrawnAgreements($first: Int) {
  withdrawnAgreements(first: $first) { agreementId withdrawn by at reason }
}`;

const eventsQuery = `query AuditEvents($first: Int, $before: ID) {
  auditEvents(first: $first, before: $before) { id at actor action subject detail }
}`;

const restoreMutation = `mutation RestoreAgreement($id: ID!, $reason: String!) {
  restoreAgreement(id: $id, reason: $reason) { agreementId withdrawn by at reason }
}`;

export async function riwayat(main: HTMLElement) {
  const grid = h("div", { class: "grid" });
  main.append(grid);

  // Withdrawn now, each with Pulihkan.
  const wp = new Panel<Withdrawal>(grid, { id: "kerja-sama-ditarik", title: t("Kerja sama yang ditarik"), subtitle: t("dapat dipulihkan"), wide: true });
  const wq = { query: withdrawnQuery, variables: { first: withdrawnListed } };
  wp.setQuery(wq);
  const withdrawn = (await gql<{ withdrawnAgreements: Withdrawal[] }>(wq)).withdrawnAgreements;
  if (withdrawn.length === 0) {
    wp.setData([], []);
    wp.body.append(h("p", { class: "empty" }, t("Tidak ada kerja sama yang ditarik.")));
  } else {
    if (withdrawn.length === withdrawnListed) wp.setSubtitle(`${t("dapat dipulihkan")} · ${num(withdrawnListed)} ${t("terbaru")}`);
    wp.table(
      [
        { key: "agreementId", label: t("Kerja sama") },
        { key: "at", label: t("Ditarik"), format: (v) => dateTime(v as string), nowrap: true },
        { key: "by", label: t("Oleh") },
        { key: "reason", label: t("Alasan") },
      ],
      withdrawn,
      { onRow: (r) => void restore(r.agreementId), rowLabel: () => t("Pulihkan") },
    );
  }

  const ep = new Panel<AuditEvent>(grid, { id: "riwayat-perubahan", title: t("Riwayat perubahan"), subtitle: t("terbaru dahulu"), wide: true });
  const cursors: (string | null)[] = [null];
  const draw = async (index: number) => {
    const q = { query: eventsQuery, variables: { first: perPage, before: cursors[index] } };
    ep.setQuery(q);
    const events = (await gql<{ auditEvents: AuditEvent[] }>(q)).auditEvents;
    ep.body.replaceChildren();
    if (events.length === 0) {
      ep.setData([], []);
      ep.body.append(h("p", { class: "empty" }, t("Belum ada perubahan.")));
      return;
    }
    cursors[index + 1] = events[events.length - 1].id;
    ep.body.append(h("p", { class: "count" }, `${t("Halaman")} ${index + 1}`));
    ep.table(
      [
        { key: "at", label: t("Waktu"), format: (v) => dateTime(v as string), nowrap: true },
        { key: "actor", label: t("Oleh") },
        { key: "action", label: t("Tindakan"), value: (r) => actionName(r.action) },
        { key: "subject", label: t("Atas") },
        { key: "detail", label: t("Rincian") },
      ],
      events,
    );
    const prev = h("button", { type: "button", "data-action": "prev" }, t("Sebelumnya"));
    const next = h("button", { type: "button", "data-action": "next" }, t("Berikutnya"));
    prev.disabled = index === 0;
    next.disabled = events.length < perPage;
    const go = (i: number) => {
      prev.disabled = next.disabled = true;
      draw(i).catch((err) => ep.fail(err));
    };
    prev.addEventListener("click", () => go(index - 1));
    next.addEventListener("click", () => go(index + 1));
    ep.body.append(h("div", { class: "pager no-print" }, prev, next));
  };
  await draw(0);
}

async function restore(id: string) {
  const done = await askReason({
    title: `${t("Pulihkan kerja sama")} ${id}?`,
    text: t("pulihkan-confirm"),
    confirm: t("Pulihkan"),
    act: async (reason) => {
      await gql({ query: restoreMutation, variables: { id, reason } });
    },
  });
  if (!done) return;
  flash(`${t("Kerja sama dipulihkan")}: ${id}.`);
  location.hash = "#/riwayat?" + Date.now(); // drawn again, without it
}

function actionName(action: string): string {
  const names: Record<string, string> = {
    "key.create": t("kunci API dibuat"),
    "key.revoke": t("kunci API dicabut"),
    "register.submit": t("register dikirim"),
    "agreement.withdraw": t("kerja sama ditarik"),
    "agreement.restore": t("kerja sama dipulihkan"),
    "user.create": t("akun dibuat"),
    "user.disable": t("akun dinonaktifkan"),
    "user.enable": t("akun diaktifkan"),
    "user.password": t("kata sandi diganti"),
    "session.start": t("masuk"),
    "session.end": t("keluar"),
  };
  return names[action] ?? action;
}
