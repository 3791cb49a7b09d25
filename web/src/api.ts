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

// graphiqlURL opens the query in the bundled GraphiQL.
export function graphiqlURL(q: Query): string {
  const p = new URLSearchParams({ query: q.query.trim() });
  if (q.variables && Object.keys(q.variables).length > 0) {
    p.set("variables", JSON.stringify(q.variables, null, 2));
  }
  return "/graphiql?" + p.toString();
}
