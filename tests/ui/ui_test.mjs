// The workspace UI (/ui/ on the admin listener) in Debian's Chromium, driven by playwright-core,
// against the real sluice binary: the token prompt, creating a source and copying its key,
// an event sent with that key appearing in the debugger within 2 seconds, its delivery state,
// a rejected message in red, pausing and resuming a destination, and an event lookup. The page
// must log no errors (a Content-Security-Policy violation is one).
//
// Usage: node ui_test.mjs <sluice binary> [screenshot dir]
// With a screenshot dir, each page is saved there (docs/ui-*.png are made this way).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { SluiceServer } from '../sdk/node/sluice_server.mjs';

const [binary, screenshots] = process.argv.slice(2);
const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'ui-test-admin-token-0123';
const TIMEOUT_MS = 20000;

function config(archiveDir) {
  return `[server]
listen = "127.0.0.1:0"
threads = 1
public_host = "events.example.com"

[storage]
path = "@LOG@"
durability = "wal"

[[sources]]
name = "website"
write_keys = ["website_write_key_01"]

[[destinations]]
name = "archive"
type = "file"
batch_max_wait = "20ms"
[destinations.file]
path = "${archiveDir}"

[admin]
listen = "127.0.0.1:0"
token = "${TOKEN}"
`;
}

async function shoot(page, name) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `ui-${name}.png`) });
}

async function send(port, key, body, route = 'track') {
  const response = await fetch(`http://127.0.0.1:${port}/v1/${route}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Basic ' + Buffer.from(key + ':').toString('base64'),
    },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

async function main() {
  assert.ok(binary, 'usage: node ui_test.mjs <sluice binary> [screenshot dir]');
  const workDir = mkdtempSync(path.join(tmpdir(), 'sluice-ui-'));
  const server = new SluiceServer(binary, workDir, { config: config(path.join(workDir, 'archive')) });
  let browser;
  let page;
  try {
    const port = await server.start(TIMEOUT_MS);
    assert.ok(server.adminPort, 'the admin API did not say where it listens');
    const ui = `http://127.0.0.1:${server.adminPort}/ui/`;

    // The files carry a strict policy, and the admin root leads to them.
    const index = await fetch(ui);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy'), /script-src 'self'/);
    const root = await fetch(`http://127.0.0.1:${server.adminPort}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/ui/');

    // Root in CI has no user namespace for the sandbox; a container's /dev/shm may be tiny.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const errors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));

    // The token prompt first; a wrong token is refused, the right one submits on Enter.
    await page.goto(ui);
    await page.locator('#token').waitFor();
    await shoot(page, 'login');
    await page.fill('#token', 'not-the-token');
    await page.press('#token', 'Enter');
    await page.locator('#login-error', { hasText: 'refused' }).waitFor();
    await page.fill('#token', TOKEN);
    await page.press('#token', 'Enter');
    await page.locator('#page-debugger').waitFor();

    // Create a source and copy its key.
    await page.click('nav a[data-page="sources"]');
    await page.fill('#source-name', 'shop');
    await page.press('#source-name', 'Enter');
    const keyCell = page.locator('#source-detail .keys code.write-key').first();
    await keyCell.waitFor();
    const key = (await keyCell.textContent()).trim();
    assert.match(key, /^\S{16,}$/);
    await page.locator('#source-detail .keys button', { hasText: 'Copy' }).first().click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    // The snippets carry the key and the advertised host.
    await page.locator('#source-detail pre', { hasText: key }).first().waitFor();
    await page.locator('#source-detail pre', { hasText: 'https://events.example.com' }).first()
      .waitFor();
    await page.locator('#source-rows tr[data-source="shop"]').waitFor();
    await shoot(page, 'sources');

    // The debugger shows the event sent with the copied key within 2 seconds.
    await page.click('nav a[data-page="debugger"]');
    await page.locator('#tail-status', { hasText: 'Live' }).waitFor();
    const sent = Date.now();
    await send(port, key, { userId: 'u-1', event: 'Order Completed', messageId: 'ui-order-1',
                            properties: { total: 42 } });
    const row = page.locator('#tail-rows tr[data-message-id="ui-order-1"]');
    await row.waitFor({ timeout: 2000 });
    const shownAfter = Date.now() - sent;
    assert.ok(shownAfter <= 2000, `shown after ${shownAfter} ms`);
    await send(port, key, { batch: [{ type: 'track', event: 'No user' }] }, 'batch');
    await page.locator('#tail-rows tr.rejected', { hasText: 'no_user_anon_id' }).waitFor();

    // Its JSON and its delivery state.
    await row.click();
    await page.locator('#tail-detail pre', { hasText: 'Order Completed' }).waitFor();
    const archive = page.locator('#event-delivery tr[data-destination="archive"] td').nth(1);
    await archive.waitFor();
    assert.match(await archive.textContent(), /delivered|pending/);

    // Pause holds rows back; resume shows them.
    await page.click('#tail-pause');
    await send(port, key, { userId: 'u-1', event: 'While Paused', messageId: 'ui-paused-1' });
    await page.locator('#tail-status', { hasText: 'Paused: 1 new' }).waitFor();
    assert.equal(await page.locator('#tail-rows tr[data-message-id="ui-paused-1"]').count(), 0);
    await page.click('#tail-pause');
    await page.locator('#tail-rows tr[data-message-id="ui-paused-1"]').waitFor();
    await row.click();
    await page.locator('#event-delivery tr[data-destination="archive"]').waitFor();
    await shoot(page, 'debugger');

    // Pause and resume a destination.
    await page.click('nav a[data-page="destinations"]');
    const destination = page.locator('#destination-rows tr[data-destination="archive"]');
    await destination.locator('button[data-action="pause"]').click();
    await destination.locator('td', { hasText: 'paused' }).waitFor();
    await shoot(page, 'destinations');
    await destination.locator('button[data-action="resume"]').click();
    await destination.locator('td', { hasText: 'running' }).waitFor();

    // Look the event up by its messageId.
    await page.click('nav a[data-page="lookup"]');
    await page.fill('#lookup-id', 'ui-order-1');
    await page.selectOption('#lookup-source', 'shop');
    await page.press('#lookup-id', 'Enter');
    await page.locator('#lookup-result tr[data-destination="archive"]').waitFor();
    await shoot(page, 'lookup');

    assert.deepEqual(errors.filter((text) => !text.includes('401')), [],
                     'the page logged errors');
    console.log(`ui test passed: the event was shown ${shownAfter} ms after it was sent`);
  } catch (error) {
    // What the page showed when the test failed, and the server's last words.
    if (page) await shoot(page, 'failure').catch(() => {});
    console.error(server.outputTail());
    throw error;
  } finally {
    if (browser) await browser.close();
    try {
      await server.stop(TIMEOUT_MS);
    } catch (error) {
      server.kill();
      throw error;
    }
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
