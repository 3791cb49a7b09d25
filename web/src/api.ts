// The console reads only the public GraphQL API at /graphql: every panel
// keeps the query and variables it ran, for "Lihat kueri". Requests carry
// the session's cookie (same origin) and, on every POST, its CSRF token.

export type Vars = Record<string, unknown>;

export interface Query {
  query: string;
  variables?: Vars;
}

// APIError is an answer that is not data: status is the HTTP status, code
// the GraphQL error's extensions.code (UNAUTHENTICATED, FORBIDDEN, …).
// maxBytes is the limit a REQUEST_TOO_LARGE refusal met (its
// extensions.maxBytes), 0 otherwise.
export class APIError extends Error {
  constructor(
    message: string,
    readonly status = 0,
    readonly code = "",
    readonly maxBytes = 0,
  ) {
    super(message);
  }
}

let csrfToken = "";

// setCSRFToken keeps the session's token, sent as X-CSRF-Token on every
// POST (the server refuses a cookie-authenticated POST without it).
export function setCSRFToken(token: string) {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

// onUnauthenticated is called when the server answers 401: the console
// shows its sign-in screen.
let unauthenticated: (err: APIError) => void = () => {};

export function onUnauthenticated(f: (err: APIError) => void) {
  unauthenticated = f;
}

export async function gql<T>(q: Query): Promise<T> {
  return answer<T>(
    await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...csrfHeaders() },
      body: JSON.stringify({ query: q.query, variables: q.variables ?? {} }),
    }),
  );
}

// gqlUpload runs a mutation with files as the GraphQL multipart request
// spec says: "operations" (the query, $files null), "map" (which part
// fills which variable), then the files. The files go in variables.files.
export async function gqlUpload<T>(q: Query, files: File[]): Promise<T> {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query: q.query, variables: { ...(q.variables ?? {}), files: files.map(() => null) } }));
  form.append("map", JSON.stringify(Object.fromEntries(files.map((_, i) => [String(i), [`variables.files.${i}`]]))));
  files.forEach((f, i) => form.append(String(i), f, f.name));
  return answer<T>(
    await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", ...csrfHeaders() },
      body: form,
    }),
  );
}

async function answer<T>(res: Response): Promise<T> {
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string; maxBytes?: number } }[] } | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const code = body?.errors?.[0]?.extensions?.code ?? "";
  const maxBytes = body?.errors?.find((e) => e.extensions?.maxBytes)?.extensions?.maxBytes ?? 0;
  if (res.status === 401) {
    const err = new APIError(body?.errors?.map((e) => e.message).join("; ") || `HTTP ${res.status}`, res.status, code || "UNAUTHENTICATED");
    unauthenticated(err);
    throw err;
  }
  if (body?.errors?.length) {
    throw new APIError(body.errors.map((e) => e.message).join("; "), res.status, code, maxBytes);
  }
  if (!res.ok || body?.data === undefined) {
    throw new APIError(`HTTP ${res.status}`, res.status, code, maxBytes);
  }
  return body.data;
}

// exportURL is the API's own export of one list of the query's answer
// (GET /export.csv or /export.xlsx): what a notebook or an office reads
// with pandas.read_csv(url) or Excel, with column names and coded values
// in the console's language.
export function exportURL(q: Query, format: "csv" | "xlsx", operationName: string, path: string, language: string): string {
  const p = new URLSearchParams({ query: q.query.trim(), operationName, path, lang: language });
  if (q.variables && Object.keys(q.variables).length > 0) p.set("variables", JSON.stringify(q.variables));
  return `/export.${format}?` + p.toString();
}

// graphiqlURL opens the query in the bundled GraphiQL.
export function graphiqlURL(q: Query): string {
  const p = new URLSearchParams({ query: q.query.trim() });
  if (q.variables && Object.keys(q.variables).length > 0) {
    p.set("variables", JSON.stringify(q.variables, null, 2));
  }
  return "/graphiql?" + p.toString();
}
