// Numbers and dates as Indonesian planners read them: Rp 4,15 miliar;
// 12,5 %; dates in WITA (Asia/Makassar). English uses the same units.
import { lang } from "./i18n";

const locale = () => (lang() === "en" ? "en-GB" : "id-ID");

export function num(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

// idm shows a score to 4 decimals, as Kemendesa publishes them.
export function score(v: number | null | undefined): string {
  return num(v, 4);
}

// pct shows a share (0..1) as a percentage with one decimal: 12,5 %.
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  return num(v * 100, 1) + " %";
}

const moneyUnits: [number, string, string][] = [
  [1e12, "triliun", "trillion"],
  [1e9, "miliar", "billion"],
  [1e6, "juta", "million"],
];

// rupiah shows money short: Rp 4,15 miliar; below a million in full.
export function rupiah(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  const abs = Math.abs(v);
  for (const [size, id, en] of moneyUnits) {
    if (abs >= size) {
      return `Rp ${num(v / size, 2)} ${lang() === "en" ? en : id}`;
    }
  }
  return "Rp " + num(v, 0);
}

const wita = "Asia/Makassar";

// dateTime shows an instant in WITA.
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return (
    new Intl.DateTimeFormat(locale(), { timeZone: wita, dateStyle: "medium", timeStyle: "short" }).format(d) + " WITA"
  );
}

// dateAndTime shows an instant in WITA as its date and its time apart
// ("6 Des 2026", "12.51 WITA"), for a narrow column to put them on two
// lines rather than break them anywhere.
export function dateAndTime(iso: string): [string, string] {
  const d = new Date(iso);
  return [
    new Intl.DateTimeFormat(locale(), { timeZone: wita, dateStyle: "medium" }).format(d),
    new Intl.DateTimeFormat(locale(), { timeZone: wita, timeStyle: "short" }).format(d) + " WITA",
  ];
}

// date shows a calendar date (YYYY-MM-DD) as it is, in words.
export function date(ymd: string | null | undefined): string {
  if (!ymd) return "–";
  const [y, m, d] = ymd.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", dateStyle: "medium" }).format(Date.UTC(y, m - 1, d));
}

// todayWITA is the planners' date: YYYY-MM-DD in WITA.
export function todayWITA(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: wita }).format(new Date());
}

export function yearWITA(): number {
  return Number(todayWITA().slice(0, 4));
}
