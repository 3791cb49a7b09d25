// The console speaks Bahasa Indonesia, or English. Enum values (IDM
// status, strategic issue, party type, …) are named by the API's labels.
import { gql } from "./api";

export type Lang = "id" | "en";

// lang is the console's language: ?lang=en or ?lang=id in the address
// (a link can name it), else the choice kept from the language menu.
export function lang(): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "en" || asked === "id") return asked;
  return localStorage.getItem("sinergi-lang") === "en" ? "en" : "id";
}

export function setLang(l: Lang) {
  localStorage.setItem("sinergi-lang", l);
}

const en: Record<string, string> = {
  "Ringkasan": "Overview",
  "Peta": "Map",
  "Bandingkan": "Compare",
  "Sasaran": "Targets",
  "Kerja sama": "Agreements",
  "Mitra": "Partners",
  "BKAD": "BKAD",
  "Lintas wilayah": "Cross-region",
  "Data": "Data",
  "Unduh CSV": "Download CSV",
  "Unduh XLSX": "Download XLSX",
  "Lihat kueri": "Show query",
  "Tutup": "Close",
  "Buka di GraphiQL": "Open in GraphiQL",
  "Kueri GraphQL": "GraphQL query",
  "Memuat…": "Loading…",
  "Gagal memuat": "Could not load",
  "Tidak ada data": "No data",
  "Konsol Perencanaan Kerja Sama Desa · Kalimantan Timur": "Village Cooperation Planning Console · East Kalimantan",
  "SIMULASI": "SIMULATION",
  "termasuk SIMULASI": "includes SIMULATION",
  "Kabupaten/kota": "Regency/city",
  "Kecamatan": "District",
  "Desa": "Village",
  "Tahun": "Year",
  "Semua": "All",
  "Status": "Status",
  "Isu strategis": "Strategic issue",
  "Kerja sama berlaku": "Agreements in force",
  "Desa tercakup": "Villages covered",
  "Nilai komitmen": "Committed value",
  "Nilai realisasi": "Realised value",
  "Mitra aktif": "Partners",
  "Rata-rata IDM": "Mean IDM",
  "Jumlah desa": "Villages",
  "Desa naik status": "Villages moved up",
  "Desa turun status": "Villages moved down",
  "Desa tetap": "Villages unchanged",
  "Kesegaran data": "Data freshness",
  "Dataset": "Dataset",
  "Terakhir berhasil": "Last success",
  "Baris dimuat": "Rows loaded",
  "Baris ditolak": "Rows rejected",
  "Sumber": "Source",
  "Sebaran status IDM per tahun": "IDM status mix by year",
  "Empat isu strategis": "The four strategic issues",
  "Perubahan status IDM": "IDM status changes",
  "Ukuran": "Measure",
  "Cakupan kerja sama (desa)": "Cooperation coverage (villages)",
  "Kerja sama per 100 desa": "Agreements per 100 villages",
  "Porsi desa berstatus": "Share of villages with status",
  "Klik wilayah di peta (atau tombol di tabel) untuk melihat kecamatannya.":
    "Click a region on the map (or its button in the table) to see its districts.",
  "Lihat kecamatan": "Show districts",
  "Pilih kabupaten/kota": "Choose regencies/cities",
  "Cetak": "Print",
  "Kartu skor": "Scorecards",
  "Desa lemah tanpa mitra aktif": "Weak villages without an active partner",
  "Mitra aktif di sekitar": "Partners active nearby",
  "Berikutnya": "Next",
  "Sebelumnya": "Previous",
  "Halaman": "Page",
  "dari": "of",
  "Daftar kerja sama": "Agreements",
  "Segera berakhir": "Expiring soon",
  "dalam": "within",
  "bulan": "months",
  "Judul": "Title",
  "Ditandatangani": "Signed",
  "Berakhir": "Ends",
  "Mitra (nama)": "Partner (name)",
  "Periode berlaku dari": "In force from",
  "sampai": "to",
  "Terapkan": "Apply",
  "Rincian": "Details",
  "Pihak": "Parties",
  "Desa yang tercakup": "Villages covered",
  "Realisasi per bulan": "Realisations by month",
  "Jenis": "Type",
  "Sektor": "Sector",
  "Peran": "Role",
  "Nama": "Name",
  "Anggota": "Members",
  "BUMDesa Bersama": "Joint BUMDesa",
  "Aktif": "Active",
  "Ya": "Yes",
  "Tidak": "No",
  "Hanya yang tidak aktif": "Inactive only",
  "Badan Kerja Sama Antar-Desa": "Inter-village cooperation bodies",
  "Mitra paling aktif": "Most active partners",
  "Jenis mitra per isu": "Partner types per issue",
  "Urutkan": "Sort",
  "Tingkat": "Level",
  "Provinsi": "Province",
  "Hubungan kerja sama lintas wilayah": "Cross-region cooperation links",
  "Dari": "From",
  "Ke": "To",
  "Riwayat muat (ETL)": "Load history (ETL)",
  "Baris ditolak dan alasannya": "Rejected rows and why",
  "Baris": "Line",
  "Alasan": "Reason",
  "Kolom": "Column",
  "Rekaman": "Record",
  "Lihat penolakan": "Show rejects",
  "Mulai": "Started",
  "Dibaca": "Read",
  "Dimuat": "Loaded",
  "Ditolak": "Rejected",
  "Kesalahan": "Error",
  "Tidak ada baris yang ditolak.": "No rows were rejected.",
  "Pilih muatan dengan baris ditolak.": "Choose a load with rejected rows.",
  "Nilai per desa": "Value per village",
  "Porsi desa tercakup": "Share of villages covered",
  "IDM tahun": "IDM year",
  "Kerja sama tahun": "Cooperation year",
  "kerja sama berlaku dalam tahun": "agreements in force during",
  "Wilayah": "Region",
  "Penerima manfaat": "Beneficiaries",
  "Bulan": "Month",
  "Nilai": "Value",
  "Jumlah": "Count",
  "Porsi": "Share",
  "Cari": "Search",
  "Semua kabupaten/kota": "All regencies/cities",
  "Semua kecamatan": "All districts",
  "Kalimantan Timur": "East Kalimantan",
  "desa": "villages",
  "kerja sama": "agreements",
  "Desa lemah: status IDM terbaru": "Weak villages: latest IDM status",
  "Tidak ada kerja sama yang dipilih.": "No agreement selected.",
  "Pilih kerja sama di tabel untuk melihat rinciannya.": "Choose an agreement in the table to see its details.",
  "tanpa batas": "no limit",
  "Bidang": "Fields",
  "Data API (untuk notebook dan Excel), per daftar:": "API data (for notebooks and Excel), per list:",
  "Per kabupaten dan isu: tahun ini dan tahun lalu": "Per regency and issue: this year and last",
  "dan": "and",
  "Kerja sama ditandatangani per tahun dan isu": "Agreements signed per year and issue",
  "Perubahan IDM: desa dengan dan tanpa kerja sama": "IDM change: villages with and without cooperation",
  "bukan ukuran sebab-akibat": "not a causal effect",
  "dengan kerja sama": "with cooperation",
  "tanpa kerja sama": "without cooperation",
  "Kelompok": "Group",
  "Perubahan rata-rata IDM": "Mean IDM change",
  "Energi dan mineral per kabupaten": "Energy and mineral per regency",
  "tanpa kerja sama yang berlaku dalam tahun": "without an agreement in force during",
  "tanpa kerja sama yang berlaku hari ini": "without an agreement in force today",
  "tanpa kerja sama yang berlaku": "without an agreement in force on",
  "menampilkan 100 terbaru": "showing the latest 100",
  "berlaku hari ini: status aktif, sudah mulai, belum berakhir": "in force today: status active, started, not ended",
  "Kirim register": "Submit register",
  "Riwayat perubahan": "Change history",
  "Masuk": "Sign in",
  "Keluar": "Sign out",
  "pembaca": "viewer",
  "penyunting": "editor",
  "admin": "admin",
  "Sesi berakhir atau belum masuk: silakan masuk.": "Your session ended or you are not signed in: please sign in.",
  "Server ini tidak memakai akun: tidak perlu masuk.": "This server has no accounts: there is nothing to sign in to.",
  "Anda sudah masuk sebagai": "You are signed in as",
  "Ke Ringkasan": "To the overview",
  "Masuk ke konsol": "Sign in to the console",
  "Server ini hanya bisa dibaca setelah masuk.": "This server can be read only after signing in.",
  "Nama pengguna": "User name",
  "Kata sandi": "Password",
  "atau": "or",
  "Masuk dengan akun Pemprov (OpenID Connect)": "Sign in with the province's account (OpenID Connect)",
  "Nama pengguna atau kata sandi salah.": "Wrong user name or password.",
  "Coba lagi dalam": "Try again in",
  "detik": "seconds",
  "Terlalu banyak percobaan masuk.": "Too many sign-in attempts.",
  "Formulir ini kedaluwarsa: muat ulang halaman, lalu coba lagi.": "This form has expired: reload the page and try again.",
  "Gagal masuk": "Could not sign in",
  "Anda masuk sebagai": "You are signed in as",
  "Periksa": "Check",
  "Kirim": "Submit",
  "Register (satu workbook .xlsx, atau berkas .csv-nya)": "Register (one .xlsx workbook, or its .csv files)",
  "Berkas": "Files",
  "Belum ada berkas dipilih.": "No file chosen yet.",
  "Memeriksa…": "Checking…",
  "Mengirim…": "Submitting…",
  "Hasil pengiriman": "Submission outcome",
  "Register dimuat": "Register loaded",
  "baris dimuat": "rows loaded",
  "baris ditolak": "rows refused",
  "dibaca": "read",
  "baris": "rows",
  "Register tidak dimuat": "Register not loaded",
  "Tidak ada yang berubah.": "Nothing changed.",
  "Dikirim oleh": "Submitted by",
  "Waktu": "Time",
  "Lihat muatan ini di Data": "See this load in Data",
  "Hasil pemeriksaan": "Check report",
  "tidak ada yang ditulis": "nothing written",
  "Baris dibaca": "Rows read",
  "Kerja sama diterima validasi": "Agreements the validation accepts",
  "di luar wilayah Anda (ditolak)": "outside your regions (refused)",
  "Peringatan": "Warnings",
  "dimuat, tetapi periksa": "loaded, but check them",
  "Unduh workbook dengan Keterangan": "Download the workbook with Keterangan",
  "Tidak ada peringatan.": "No warnings.",
  "Hasil pemeriksaan ini sudah kedaluwarsa (disimpan satu jam): periksa lagi.": "This check report has expired (kept for an hour): check again.",
  "Bukan .xlsx atau .csv": "Not .xlsx or .csv",
  "Kirim satu workbook .xlsx, atau berkas .csv dari satu register — bukan keduanya.": "Send one .xlsx workbook, or the .csv files of one register — not both.",
  "Berkas terlalu besar": "Files too large",
  "batasnya": "the limit is",
  "untuk satu kiriman": "per submission",
  "Belum masuk": "Not signed in",
  "Tidak diizinkan": "Not allowed",
  "Terlalu banyak permintaan, coba lagi sebentar lagi": "Too many requests, try again shortly",
  "Register ditolak": "Register refused",
  "Sheet/tabel": "Sheet/table",
  "Batal": "Cancel",
  "Akun dan kunci": "Accounts and keys",
  "Kunci API baru": "New API key",
  "Salin dan simpan sekarang: kunci ini tidak akan ditampilkan lagi (server hanya menyimpan hash-nya).": "Copy and keep it now: this key will not be shown again (the server keeps only its hash).",
  "Akun": "Accounts",
  "untuk masuk ke konsol": "to sign in to the console",
  "Nama tampilan": "Display name",
  "Nonaktif": "Disabled",
  "Dibuat": "Created",
  "diaktifkan": "enabled",
  "dinonaktifkan": "disabled",
  "Aktifkan": "Enable",
  "Nonaktifkan": "Disable",
  "Kunci API": "API keys",
  "untuk notebook, layanan dan skrip (Authorization: Bearer …)": "for notebooks, services and scripts (Authorization: Bearer …)",
  "Berlaku sampai": "Valid until",
  "Kunci dicabut": "Key revoked",
  "Cabut": "Revoke",
  "Buat akun": "Create account",
  "Wilayah (editor)": "Regions (editors)",
  "Kata sandi (min. 12)": "Password (at least 12)",
  "Akun dibuat": "Account created",
  "Ganti kata sandi": "Change password",
  "Kata sandi baru (min. 12)": "New password (at least 12)",
  "Kata sandi diganti, sesinya berakhir": "Password changed, its sessions ended",
  "Buat kunci API": "Create API key",
  "Nama (milik siapa)": "Name (whose it is)",
  "Berlaku sampai (kosong: tanpa batas)": "Valid until (empty: no limit)",
  "Kunci API dibuat": "API key created",
  "Gagal mengunduh": "Could not download",
  "Alasan (wajib, disimpan dalam riwayat)": "Reason (required, kept in the history)",
  "Tuliskan alasannya.": "Write the reason.",
  "Tarik kerja sama ini": "Withdraw this agreement",
  "Tarik kerja sama": "Withdraw agreement",
  "Tarik": "Withdraw",
  "Kerja sama ditarik": "Agreement withdrawn",
  "Angka-angka sudah diterbitkan ulang tanpanya.": "The figures have been published again without it.",
  "Kerja sama yang ditarik": "Withdrawn agreements",
  "dapat dipulihkan": "can be restored",
  "terbaru": "newest",
  "Tidak ada kerja sama yang ditarik.": "No agreement is withdrawn.",
  "Ditarik": "Withdrawn",
  "Oleh": "By",
  "Pulihkan": "Restore",
  "terbaru dahulu": "newest first",
  "Belum ada perubahan.": "No changes yet.",
  "Tindakan": "Action",
  "Atas": "On",
  "Pulihkan kerja sama": "Restore agreement",
  "Kerja sama dipulihkan": "Agreement restored",
  "kunci API dibuat": "API key created",
  "kunci API dicabut": "API key revoked",
  "register dikirim": "register submitted",
  "kerja sama ditarik": "agreement withdrawn",
  "kerja sama dipulihkan": "agreement restored",
  "akun dibuat": "account created",
  "akun dinonaktifkan": "account disabled",
  "akun diaktifkan": "account enabled",
  "kata sandi diganti": "password changed",
  "masuk": "signed in",
  "keluar": "signed out",
  "kirim-intro":
    "Check your register first: the same validation as a load, nothing written; every refused row comes back with its sheet, line and reason, and your own workbook with a Keterangan column. Fix it, check again, then submit.",
  "keterangan-intro": "Your workbook with a Keterangan column beside each refused row (red) and each row with a warning (yellow, \"Peringatan: …\"), to fix and send again:",
  "tarik-hint": "With a reason; it leaves every figure at once, stays in the history, and an admin can restore it.",
  "tarik-confirm": "leaves every figure (the figures are published again at once). Its rows stay in the history; only an admin can restore it.",
  "pulihkan-confirm": "The agreement counts again in every figure (published again at once).",
};

en["simulasi-banner"] =
  "SIMULATION — the cooperation figures in this console include a simulated register (made-up agreements over the real East Kalimantan villages, ids starting SIMULASI-), not official data. Regions and IDM are official data.";

// Texts named by a key rather than by their Indonesian wording.
const idText: Record<string, string> = {
  "kirim-intro":
    "Periksa register Anda dulu: validasi yang sama dengan pemuatan, tanpa menulis apa pun; setiap baris yang ditolak kembali dengan sheet, baris dan alasannya, beserta workbook Anda sendiri dengan kolom Keterangan. Perbaiki, periksa lagi, lalu kirim.",
  "keterangan-intro": "Workbook Anda dengan kolom Keterangan di samping setiap baris yang ditolak (merah) dan setiap baris dengan peringatan (kuning, \"Peringatan: …\"), untuk diperbaiki dan dikirim lagi:",
  "tarik-hint": "Dengan alasan; kerja sama keluar dari semua angka seketika, tetap tercatat dalam riwayat, dan admin dapat memulihkannya.",
  "tarik-confirm": "akan keluar dari semua angka (angka diterbitkan ulang seketika). Barisnya tetap dalam riwayat; hanya admin yang dapat memulihkannya.",
  "pulihkan-confirm": "Kerja sama ini dihitung lagi dalam semua angka (diterbitkan ulang seketika).",
  "simulasi-banner":
    "SIMULASI — angka kerja sama di konsol ini memuat register simulasi (kerja sama buatan atas desa Kalimantan Timur yang nyata, id berawalan SIMULASI-), bukan data resmi. Wilayah dan IDM adalah data resmi.",
};

export function t(s: string): string {
  if (lang() === "en") return en[s] ?? s;
  return idText[s] ?? s;
}

// Labels of enum values, from the API (labels query), per enum.
export type EnumName =
  | "IDM_STATUS"
  | "STRATEGIC_ISSUE"
  | "AGREEMENT_STATUS"
  | "DOCUMENT_TYPE"
  | "PARTY_TYPE"
  | "SECTOR"
  | "FIELD_OF_WORK"
  | "ETL_RUN_STATUS"
  | "REGION_LEVEL"
  | "ROLE"
  | "API_KEY_STATUS";

let labels = new Map<string, Map<string, string>>();

export const labelsQuery = {
  query: `query Labels($language: Language) {
  labels(enums: [IDM_STATUS, STRATEGIC_ISSUE, AGREEMENT_STATUS, DOCUMENT_TYPE, PARTY_TYPE, SECTOR, FIELD_OF_WORK, ETL_RUN_STATUS, REGION_LEVEL, ROLE, API_KEY_STATUS], language: $language) {
    enum values { value label }
  }
}`,
};

export async function loadLabels() {
  const data = await gql<{ labels: { enum: string; values: { value: string; label: string }[] }[] }>({
    ...labelsQuery,
    variables: { language: lang() === "en" ? "EN" : "ID" },
  });
  labels = new Map(data.labels.map((e) => [e.enum, new Map(e.values.map((v) => [v.value, v.label]))]));
}

// label names an enum value; unknown values show as they are.
export function label(e: EnumName, value: string | null | undefined): string {
  if (!value) return "–";
  return labels.get(e)?.get(value) ?? value;
}

export function labelValues(e: EnumName): string[] {
  return [...(labels.get(e)?.keys() ?? [])];
}
