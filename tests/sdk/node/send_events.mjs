// The Node Segment SDK (@segment/analytics-node) as an application uses it: one call of each
// kind, then closeAndFlush. Run by tls_test.mjs in a process of its own, because Node reads
// NODE_EXTRA_CA_CERTS (the test CA) only when it starts; certificate verification stays on.
//
// Environment: SLUICE_URL (https://localhost:PORT), SLUICE_WRITE_KEY, SLUICE_RUN_ID (the prefix
// of every messageId: `<run id>-<type>`), SLUICE_MAX_RETRIES (the SDK's retries, default 3).
// Prints one JSON line: {"delivered": [messageId...], "failed": [{"messageId", "reason"}],
// "requests": N} and exits 0; the caller judges the outcome.

import { Analytics } from '@segment/analytics-node';

const env = process.env;
const runId = env.SLUICE_RUN_ID;
const userId = `${runId}-user`;

// [method, arguments]; every messageId is `<run id>-<method>`.
const CALLS = [
  ['identify', { userId, traits: { plan: 'pro', email: 'ada@example.com' } }],
  ['track', { userId, event: 'Order Completed', properties: { revenue: 19.99, currency: 'EUR' } }],
  ['page', { userId, category: 'Docs', name: 'Install', properties: { path: '/docs/install' } }],
  ['group', { userId, groupId: `${runId}-group`, traits: { name: 'Acme' } }],
  ['alias', { userId, previousId: `${runId}-anonymous` }],
  ['screen', { userId, name: 'Home', properties: { variant: 'dark' } }],
];

// What the SDK reports for a failed delivery: fetch's TypeError hides the TLS error (with its
// code, such as SELF_SIGNED_CERT_IN_CHAIN) in `cause`.
function describe(reason) {
  const cause = reason?.cause;
  return cause?.code ?? cause?.message ?? reason?.message ?? String(reason);
}

const analytics = new Analytics({
  writeKey: env.SLUICE_WRITE_KEY,
  host: env.SLUICE_URL,
  // Two events per batch: three requests, over one or more kept-alive TLS connections.
  maxEventsInBatch: 2,
  flushInterval: 1000,
  maxRetries: Number(env.SLUICE_MAX_RETRIES ?? 3),
  httpRequestTimeout: 5000,
});

let requests = 0;
analytics.on('http_request', () => {
  requests += 1;
});
// Failures also reach each call's callback; this listener only keeps the emitter quiet.
analytics.on('error', () => {});

const delivered = [];
const failed = [];
const settled = CALLS.map(([method, args]) => new Promise((resolve) => {
  const messageId = `${runId}-${method}`;
  analytics[method]({ ...args, messageId }, (error) => {
    if (error) {
      failed.push({ messageId, reason: describe(error) });
    } else {
      delivered.push(messageId);
    }
    resolve();
  });
}));

await analytics.closeAndFlush({ timeout: 20000 });
await Promise.race([Promise.all(settled), new Promise((resolve) => setTimeout(resolve, 1000))]);
console.log(JSON.stringify({ delivered, failed, requests }));
