// Runs graphql-http's server audits (the GraphQL-over-HTTP spec's MUST,
// SHOULD and MAY checks) against the endpoint given as the first argument.
// Prints one JSON line: counts per level and every failure with its reason.
// Exits 1 when a MUST or SHOULD audit fails.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = {};
const failures = [];
for (const r of results) {
  const level = r.name.split(' ')[0];
  counts[level] ??= { passed: 0, total: 0 };
  counts[level].total++;
  if (r.status === 'ok') {
    counts[level].passed++;
  } else {
    failures.push({ id: r.id, name: r.name, reason: r.reason });
  }
}
console.log(JSON.stringify({ counts, failures }));
const required = failures.filter((f) => !f.name.startsWith('MAY'));
process.exit(required.length > 0 ? 1 : 0);
