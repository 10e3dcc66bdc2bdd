/**
 * The console in a real browser: broker, detector, alerter and console as
 * real processes, the demo surge published as a sensor would, and Debian's
 * chromium (playwright-core) reading the pages on loopback.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { chromiumPath, chromiumRequired, openBrowser, SCREENSHOT_DIR, withScreenshots } from '../support/browser.ts';
import { createTestTopics, serviceEnv, testProducer, testTransport } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';
import { publishScenario } from '../support/scenario.ts';

const MINUTE = 60_000;

/** axe-core's WCAG 2 A and AA rules on the current page: the ids of the rules it breaks. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate<string[]>(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
}

interface Stack {
  readonly console: string;
  readonly token: string;
  /** Publishes the demo scenario up to the surge's peak (so its alert is still active), as two sensors would. */
  publishSurge(): Promise<number>;
}

async function startStack(): Promise<Stack> {
  const transport = testTransport();
  const topics = await createTestTopics(transport);
  const dir = mkdtempSync(join(tmpdir(), 'portent-console-e2e-'));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const token = randomBytes(24).toString('base64url');
  const [alerterPort, consolePort] = [await pickFreePort(), await pickFreePort()];
  const env = { ...serviceEnv(topics), PORTENT_LOG_LEVEL: 'info' };
  const alerter = startService('alerter', { ...env, PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: String(alerterPort), PORTENT_ALERTER_API_TOKENS: token, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32' }, dir);
  const detector = startService('detector', env, dir);
  const consoleService = startService('console', {
    ...env, PORTENT_CONSOLE_HTTP_HOST: '127.0.0.1', PORTENT_CONSOLE_HTTP_PORT: String(consolePort), PORTENT_CONSOLE_API_TOKENS: token,
    PORTENT_CONSOLE_DB_PATH: join(dir, 'console.sqlite'), PORTENT_CONSOLE_ALERTER_URL: `http://127.0.0.1:${alerterPort}`,
  }, dir);
  onTestFinished(() => Promise.all([alerter.stop(), detector.stop(), consoleService.stop()]).then(() => undefined));
  const alive = { alerter: true, console: true };
  void alerter.exited.then(() => (alive.alerter = false));
  void consoleService.exited.then(() => (alive.console = false));
  await waitForHttp(`http://127.0.0.1:${alerterPort}/readyz`, 90_000, () => alive.alerter);
  await waitForHttp(`http://127.0.0.1:${consolePort}/readyz`, 90_000, () => alive.console);
  const producer = await testProducer(transport);
  // Event time near now, so the console's 7-day retention keeps it whatever today's date.
  const startMs = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
  return { console: `http://127.0.0.1:${consolePort}`, token, publishSurge: () => publishScenario(producer, topics.connections, 'demo', { startMs, sensors: 2, toMinute: 17 }) };
}

describe.skipIf(chromiumPath() === undefined && !chromiumRequired)('console in chromium (real broker, services and browser)', () => {
  it('shows the demo surge live, its chart, its reasons, and creates a subscription that receives a webhook', async () => {
    const stack = await startStack();
    const browser = await openBrowser();
    await withScreenshots('console', browser, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

    // Nothing is readable without a token: the app asks for one.
    await page.goto(stack.console);
    await page.getByLabel('API token').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${stack.console}/#token=${stack.token}`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('#live', { hasText: 'Live' }).waitFor();
    await stack.publishSurge();

    // The overview shows the surge on tcp/445 without a reload, within a bound.
    const surge = page.locator('#active-alerts li', { hasText: 'SURGE tcp/445' });
    await surge.first().waitFor({ timeout: 120_000 });
    await page.locator('tr[data-port="tcp/445"]').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    // The port page's chart holds the surge's points.
    await page.goto(`${stack.console}/#/port/tcp/445?range=1h`);
    const chart = page.locator('#port-chart[data-points]');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(10);
    expect(Number(await chart.getAttribute('data-max'))).toBeGreaterThan(100);
    expect(await page.locator('#port-chart canvas').count()).toBe(1);
    // Kept as a test artefact (test-results/): the README's picture of the port page comes from it.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'port-page-during-surge.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    // The alert page shows the reasons.
    await page.locator('#port-alerts a').first().click();
    await page.locator('#reasons li').first().waitFor();
    expect(await page.locator('#reasons').innerText()).toMatch(/distinct sources on tcp\/445/);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Admin creates a subscription (its secret shown once), and its test ping arrives as a signed webhook.
    const receiver = await startReceiver();
    await page.goto(`${stack.console}/#/admin`);
    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Create subscription' }).click();
    expect(await page.locator('#new-secret').innerText()).toMatch(/^whsec_/);
    await page.locator('#subscriptions li', { hasText: receiver.url }).getByRole('button', { name: 'Test ping' }).click();
    const [ping] = await receiver.waitFor(1, 30_000);
    expect(ping?.headers['webhook-signature']).toMatch(/^v1,/);
    expect(await accessibilityViolations(page)).toEqual([]);

    // A phone-width screen: the overview still fits, nothing scrolls sideways but the tables' own boxes.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${stack.console}/#token=${stack.token}`);
    await phone.locator('#active-alerts li').first().waitFor();
    expect(await phone.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    });
  });
});
