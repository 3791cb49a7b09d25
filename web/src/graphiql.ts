// GraphiQL, bundled: served by sinergi at /graphiql so that it works with
// no internet. The console's "Lihat kueri" opens it with ?query= and
// ?variables= filled in.
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import "graphiql/graphiql.css";

const params = new URLSearchParams(location.search);
const fetcher = createGraphiQLFetcher({ url: new URL("/graphql", location.href).toString() });
const root = createRoot(document.getElementById("graphiql")!);
root.render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: "# sinergi: tulis kueri GraphQL di sini (Ctrl-Enter menjalankan)\n{ dataFreshness { dataset lastSuccessAt } }\n",
    query: params.get("query") ?? undefined,
    variables: params.get("variables") ?? undefined,
  }),
);
