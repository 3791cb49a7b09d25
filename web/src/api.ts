// The console reads only the public GraphQL API at /graphql: every panel
// keeps the query and variables it ran, for "Lihat kueri".

export type Vars = Record<string, unknown>;

export interface Query {
  query: string;
  variables?: Vars;
}

export class APIError extends Error {}

export async function gql<T>(q: Query): Promise<T> {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query: q.query, variables: q.variables ?? {} }),
  });
  let body: { data?: T; errors?: { message: string }[] };
  try {
    body = await res.json();
  } catch {
    throw new APIError(`HTTP ${res.status}`);
  }
  if (body.errors?.length) {
    throw new APIError(body.errors.map((e) => e.message).join("; "));
  }
  if (!res.ok || body.data === undefined) {
    throw new APIError(`HTTP ${res.status}`);
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
