// The real Node Segment SDK posting over https to a sluice TLS listener:
//
//     node tests/sdk/node/tls_test.mjs BUILD/sluice
//
// Makes a CA and a certificate for localhost and 127.0.0.1, starts sluice with [server.tls] on
// port 0, and runs send_events.mjs (@segment/analytics-node, identify, track, page, group,
// alias and screen) twice against https://localhost:PORT: trusting the test CA through
// NODE_EXTRA_CA_CERTS, where every call must be delivered, and trusting only the system's CAs,
// where every call must fail certificate verification. Then stops the server with SIGTERM and
// checks with `sluice log cat` that each delivered event is stored once, as sent, and that
// nothing of the untrusted run is. Prints PASS or FAIL per check and `N passed, N failed` last;
// exits 1 when a check failed. Talks only to the server it started, on loopback.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CertificateAuthority } from './test_certificates.mjs';
import { SluiceServer, WRITE_KEY } from './sluice_server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_LIMIT_MS = 120000;
const START_TIMEOUT_MS = 15000;
const SENDER_TIMEOUT_MS = 45000;
const STOP_TIMEOUT_MS = 15000;
const LOG_TIMEOUT_MS = 30000;
// The name the client verifies the certificate against; also in the URL.
const SERVER_NAME = 'localhost';
// What Node calls a chain it cannot verify; which one depends on the chain's shape.
const UNTRUSTED_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
const LIBRARY_NAME = '@segment/analytics-node';

const results = [];
// What the run-time backstop must end before it exits.
let runningServer = null;
function check(name, ok, detail = '') {
  results.push({ name, ok, detail });
  console.log(ok ? `PASS ${name}` : `FAIL ${name}${detail ? `: ${detail}` : ''}`);
}

function finish() {
  const failed = results.filter((result) => !result.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

// Runs send_events.mjs with the given extra environment; resolves with its JSON report.
function runSender(extraEnv) {
  const env = { ...process.env, ...extraEnv };
  if (!('NODE_EXTRA_CA_CERTS' in extraEnv)) {
    delete env.NODE_EXTRA_CA_CERTS; // trust the system's CAs only
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(HERE, 'send_events.mjs')],
      { env, cwd: HERE, timeout: SENDER_TIMEOUT_MS }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`send_events.mjs failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop()));
        } catch {
          reject(new Error(`send_events.mjs printed no report:\n${stdout}\n${stderr}`));
        }
      });
  });
}

// Checks the stored copy of each call that send_events.mjs makes, by messageId.
function checkStored(runId, byMessageId) {
  const userId = `${runId}-user`;
  const expected = {
    identify: { userId, 'traits.plan': 'pro' },
    track: { userId, event: 'Order Completed', 'properties.revenue': 19.99 },
    page: { userId, name: 'Install', category: 'Docs', 'properties.path': '/docs/install' },
    group: { userId, groupId: `${runId}-group`, 'traits.name': 'Acme' },
    alias: { userId, previousId: `${runId}-anonymous` },
    screen: { userId, name: 'Home', 'properties.variant': 'dark' },
  };
  for (const [type, fields] of Object.entries(expected)) {
    const messageId = `${runId}-${type}`;
    const copies = byMessageId.get(messageId) ?? [];
    if (copies.length !== 1) {
      check(`stored ${type}`, false, `${copies.length} stored events with messageId ${messageId}`);
      continue;
    }
    const event = copies[0];
    const wrong = Object.entries({ type, ...fields, 'context.library.name': LIBRARY_NAME })
      .filter(([field, value]) => valueAt(event, field) !== value)
      .map(([field, value]) => `${field} is ${JSON.stringify(valueAt(event, field))}, not ${
        JSON.stringify(value)}`);
    if (typeof event.receivedAt !== 'string') {
      wrong.push('no receivedAt');
    }
    check(`stored ${type}`, wrong.length === 0, wrong.join('; '));
  }
}

function valueAt(object, dotted) {
  return dotted.split('.').reduce((value, key) => (value == null ? undefined : value[key]), object);
}

async function run(binary, workDir) {
  const tlsDir = path.join(workDir, 'tls');
  mkdirSync(tlsDir);
  const authority = new CertificateAuthority(tlsDir);
  const certificate = authority.issue('server', [SERVER_NAME, '127.0.0.1']);
  const server = new SluiceServer(binary, workDir, certificate);
  runningServer = server;
  const run = randomBytes(4).toString('hex');
  const trustedRun = `sdk-node-${run}`;
  const untrustedRun = `sdk-node-untrusted-${run}`;
  try {
    const port = await server.start(START_TIMEOUT_MS);
    const common = { SLUICE_URL: `https://${SERVER_NAME}:${port}`, SLUICE_WRITE_KEY: WRITE_KEY };

    const trusted = await runSender(
      { ...common, SLUICE_RUN_ID: trustedRun, NODE_EXTRA_CA_CERTS: authority.caFile });
    check('every call delivered over https, trusting the test CA',
      trusted.delivered.length === 6 && trusted.failed.length === 0,
      JSON.stringify(trusted));

    const untrusted = await runSender(
      { ...common, SLUICE_RUN_ID: untrustedRun, SLUICE_MAX_RETRIES: '0' });
    const reasons = new Set(untrusted.failed.map((failure) => failure.reason));
    check('without the test CA, every call fails certificate verification',
      untrusted.delivered.length === 0 && untrusted.failed.length === 6 &&
        [...reasons].every((reason) => UNTRUSTED_CODES.has(reason)),
      JSON.stringify(untrusted));

    const code = await server.stop(STOP_TIMEOUT_MS);
    check('the server exits 0 after SIGTERM', code === 0, `exit ${code}\n${server.outputTail()}`);

    const stored = await server.storedEvents(LOG_TIMEOUT_MS);
    const byMessageId = new Map();
    for (const { event } of stored) {
      byMessageId.set(event.messageId, [...(byMessageId.get(event.messageId) ?? []), event]);
    }
    checkStored(trustedRun, byMessageId);
    const leaked = stored.filter(({ event }) => String(event.messageId).startsWith(untrustedRun));
    check('nothing of the untrusted run is stored', leaked.length === 0,
      `${leaked.length} stored`);
  } catch (error) {
    check('run', false, `${error.message}\n${server.outputTail()}`);
  } finally {
    server.kill();
  }
}

async function main() {
  const binary = process.argv[2];
  if (!binary) {
    console.error('usage: node tls_test.mjs BUILD/sluice');
    return 2;
  }
  if (!existsSync(path.join(HERE, 'node_modules', '@segment', 'analytics-node'))) {
    console.error(`FAIL: ${path.join(HERE, 'node_modules')} has no @segment/analytics-node; ` +
      'install it with `npm ci --prefix tests/sdk/node` (make deps-test does)');
    return 1;
  }
  const workDir = mkdtempSync(path.join(tmpdir(), 'sluice-sdk-node-'));
  const backstop = setTimeout(() => {
    console.log(`FAIL run: took longer than ${RUN_LIMIT_MS} ms`);
    runningServer?.kill();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(1);
  }, RUN_LIMIT_MS);
  try {
    await run(path.resolve(binary), workDir);
  } finally {
    clearTimeout(backstop);
    rmSync(workDir, { recursive: true, force: true });
  }
  return finish();
}

process.exitCode = await main();
