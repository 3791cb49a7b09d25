// Who is using the console: the server's answer to GET /auth/session
// (signed in or not, the user's role and scopes, the CSRF token every POST
// carries, whether anonymous reading is on, whether OpenID Connect is).
import { APIError, setCSRFToken } from "./api";
import { t } from "./i18n";

export type Role = "viewer" | "editor" | "admin";

export interface User {
  name: string;
  displayName: string;
  role: Role;
  scopes: string[];
}

export interface Session {
  signedIn: boolean;
  user: User | null;
  csrfToken: string;
  anonymousRead: boolean;
  oidc: boolean;
}

// session is null while the server has no sign-in (it answers
// /auth/session with 404): the console then cannot know whom its requests
// act for, shows every view and action, and lets the server refuse.
let session: Session | null = null;

export function currentSession(): Session | null {
  return session;
}

export async function loadSession(): Promise<Session | null> {
  const res = await fetch("/auth/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (res.status === 404) {
    session = null;
    setCSRFToken("");
    return null;
  }
  if (!res.ok) throw new APIError(`/auth/session: HTTP ${res.status}`, res.status);
  useSession((await res.json()) as Session);
  return session;
}

function useSession(s: Session) {
  session = s;
  setCSRFToken(s.csrfToken);
}

// signInSupported: the server has sessions (so a 401 means "sign in").
export function signInSupported(): boolean {
  return session !== null;
}

// mustSignIn: nothing can be read without signing in.
export function mustSignIn(): boolean {
  return session !== null && !session.signedIn && !session.anonymousRead;
}

// roleName is a role as the Akun view's table names it (the API's ROLE
// labels: Pembaca, Penyunting, Admin), known before the labels are loaded.
export function roleName(r: Role): string {
  return { viewer: t("pembaca"), editor: t("penyunting"), admin: t("admin") }[r];
}

const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

// may reports whether the user may do what `need` may; true while the
// server has no sign-in (it decides).
export function may(need: Role): boolean {
  if (session === null) return true;
  const role = session.user?.role;
  return role !== undefined && rank[role] >= rank[need];
}

// covers reports whether an editor may change something that touches any
// of the region codes (dotted): everything for an admin.
export function covers(codes: string[]): boolean {
  if (session === null) return true;
  const u = session.user;
  if (!u) return false;
  if (u.role === "admin") return true;
  if (u.role !== "editor") return false;
  return codes.some((c) => u.scopes.some((s) => c === s || c.startsWith(s + ".")));
}

export class SignInError extends APIError {
  constructor(
    message: string,
    status: number,
    readonly retryAfter: number,
  ) {
    super(message, status);
  }
}

export async function signIn(username: string, password: string): Promise<Session> {
  const res = await fetch("/auth/signin", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": session?.csrfToken ?? "" },
    body: JSON.stringify({ username, password }),
  });
  let body: (Session & { error?: string; errors?: { message: string }[] }) | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok || !body) {
    const msg = body?.error ?? body?.errors?.map((e) => e.message).join("; ") ?? `HTTP ${res.status}`;
    throw new SignInError(msg, res.status, Number(res.headers.get("Retry-After") ?? 0));
  }
  useSession(body);
  return body;
}

export async function signOut(): Promise<void> {
  const res = await fetch("/auth/signout", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": session?.csrfToken ?? "" },
  });
  if (!res.ok) throw new APIError(`HTTP ${res.status}`, res.status);
}
