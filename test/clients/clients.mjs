// Drives stock GraphQL clients, set up as their documentation shows,
// against the endpoint given as the first argument: graphql-js's standard
// introspection, Apollo Client (HttpLink, PersistedQueryLink,
// BatchHttpLink), urql and graphql-request (incl. batchRequests). Prints one
// JSON object: for each check, what the client answered and which HTTP
// requests it sent, for the Go test to compare with the server's own
// answers. Exits 1 when a client threw.
import { createHash } from 'node:crypto';
import { buildClientSchema, getIntrospectionQuery } from 'graphql';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';
import { createClient, fetchExchange } from '@urql/core';
import { GraphQLClient, batchRequests, request } from 'graphql-request';

const url = process.argv[2];
if (!url) {
  console.error('usage: node clients.mjs http://host:port/graphql');
  process.exit(2);
}

const YEARS = 'query Years { idmYears }';
const KABUPATEN = 'query Kabupaten($parent: ID) { regions(level: KABUPATEN_KOTA, parentCode: $parent) { code name } }';
const PROVINCE = 'query Province { idmDistribution(year: 2024, level: PROVINSI) { region { code name } total } }';

// recorder is a fetch that notes each request it makes.
function recorder() {
  const sent = [];
  const recordingFetch = async (input, init = {}) => {
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : null;
    const res = await fetch(input, init);
    sent.push({ method: init.method ?? 'GET', url: String(input), body, status: res.status });
    return res;
  };
  return { sent, fetch: recordingFetch };
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const apollo = (link) => new ApolloClient({ link, cache: new InMemoryCache() });
const noCache = { fetchPolicy: 'no-cache' };

const checks = {
  async introspection() {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9' },
      body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }) }),
    });
    const result = await res.json();
    if (result.errors) return { status: res.status, errors: result.errors };
    const schema = buildClientSchema(result.data);
    return { status: res.status, queryFields: Object.keys(schema.getQueryType().getFields()).sort(), types: Object.keys(schema.getTypeMap()).length };
  },

  async apolloHttp() {
    const rec = recorder();
    const client = apollo(new HttpLink({ uri: url, fetch: rec.fetch }));
    const { data } = await client.query({ query: gql(KABUPATEN), variables: { parent: '64' }, ...noCache });
    return { data, sent: rec.sent };
  },

  async apolloError() {
    const client = apollo(new HttpLink({ uri: url }));
    try {
      await client.query({ query: gql('{ idmDistribution(year: 1999, level: PROVINSI) { total } }'), ...noCache });
      return { threw: false };
    } catch (err) {
      return { threw: true, name: err.name, codes: (err.errors ?? []).map((e) => e.extensions?.code) };
    }
  },

  // The stock PersistedQueryLink: the first time a hash the server does not
  // know, then the query with its hash; a second client sends only the hash.
  async apolloPersisted() {
    const first = recorder();
    const a = apollo(ApolloLink.from([new PersistedQueryLink({ sha256 }), new HttpLink({ uri: url, fetch: first.fetch })]));
    const one = await a.query({ query: gql(PROVINCE), ...noCache });
    const second = recorder();
    const b = apollo(ApolloLink.from([new PersistedQueryLink({ sha256 }), new HttpLink({ uri: url, fetch: second.fetch })]));
    const two = await b.query({ query: gql(PROVINCE), ...noCache });
    return { first: { data: one.data, sent: first.sent }, second: { data: two.data, sent: second.sent } };
  },

  async apolloPersistedGET() {
    const rec = recorder();
    const link = ApolloLink.from([new PersistedQueryLink({ sha256, useGETForHashedQueries: true }), new HttpLink({ uri: url, fetch: rec.fetch })]);
    const { data } = await apollo(link).query({ query: gql(YEARS + ' '), ...noCache });
    const again = await apollo(link).query({ query: gql(YEARS + ' '), ...noCache });
    return { data, again: again.data, sent: rec.sent };
  },

  // The stock BatchHttpLink: queries issued together go in one request.
  async apolloBatch() {
    const rec = recorder();
    const client = apollo(new BatchHttpLink({ uri: url, fetch: rec.fetch, batchMax: 10, batchInterval: 20 }));
    const [years, kabupaten, province] = await Promise.all([
      client.query({ query: gql(YEARS), ...noCache }),
      client.query({ query: gql(KABUPATEN), variables: { parent: '64' }, ...noCache }),
      client.query({ query: gql(PROVINCE), ...noCache }),
    ]);
    return { data: [years.data, kabupaten.data, province.data], sent: rec.sent };
  },

  async apolloBatchPersisted() {
    const rec = recorder();
    const link = ApolloLink.from([new PersistedQueryLink({ sha256 }), new BatchHttpLink({ uri: url, fetch: rec.fetch, batchInterval: 20 })]);
    const client = apollo(link);
    const q = (text) => client.query({ query: gql(text), ...noCache });
    const results = await Promise.all([q('query BP1 { idmYears }'), q('query BP2 { regions(level: PROVINSI) { code } }')]);
    return { data: results.map((r) => r.data), sent: rec.sent };
  },

  // Apollo's stock relayStylePagination: the second page is appended to the
  // first in the cache, nothing lost or repeated.
  async apolloRelay() {
    const client = new ApolloClient({
      link: new HttpLink({ uri: url }),
      cache: new InMemoryCache({ typePolicies: { Query: { fields: { agreements: relayStylePagination(['filter', 'orderBy']) } } } }),
    });
    const PAGE = gql(`query Page($after: String) {
      agreements(first: 2, after: $after, orderBy: ID_ASC) { totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } }
    }`);
    const first = await client.query({ query: PAGE });
    const second = await client.query({ query: PAGE, variables: { after: first.data.agreements.pageInfo.endCursor }, fetchPolicy: 'network-only' });
    const merged = client.readQuery({ query: PAGE });
    const ids = (conn) => conn.edges.map((e) => e.node.id);
    return { first: ids(first.data.agreements), second: ids(second.data.agreements), merged: ids(merged.agreements), totalCount: merged.agreements.totalCount, hasNextPage: merged.agreements.pageInfo.hasNextPage };
  },

  async urql() {
    const rec = recorder();
    const client = createClient({ url, exchanges: [fetchExchange], fetch: rec.fetch });
    const post = await client.query(KABUPATEN, { parent: '64' }).toPromise();
    const get = await createClient({ url, exchanges: [fetchExchange], fetch: rec.fetch, preferGetMethod: 'force' }).query(YEARS, {}).toPromise();
    return { data: post.data, error: post.error?.message ?? null, getData: get.data, getError: get.error?.message ?? null, sent: rec.sent };
  },

  async graphqlRequest() {
    const rec = recorder();
    const data = await request(url, KABUPATEN, { parent: '64' });
    const batch = await batchRequests(url, [{ document: YEARS }, { document: KABUPATEN, variables: { parent: '64' } }]);
    const client = new GraphQLClient(url, { fetch: rec.fetch });
    const clientBatch = await client.batchRequests([{ document: PROVINCE }, { document: YEARS }]);
    const viaGet = await new GraphQLClient(url, { fetch: rec.fetch, method: 'GET' }).request(YEARS);
    return { data, batch, clientBatch, viaGet, sent: rec.sent };
  },
};

const out = {};
let failed = false;
for (const [name, check] of Object.entries(checks)) {
  try {
    out[name] = await check();
  } catch (err) {
    failed = true;
    out[name] = { threw: String(err?.stack ?? err) };
  }
}
console.log(JSON.stringify(out));
process.exit(failed ? 1 : 0);
