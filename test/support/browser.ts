/**
 * A real browser for tests: Debian's chromium driven by playwright-core,
 * closed when the test ends. Where chromium is missing the test is skipped,
 * saying so, unless PORTENT_REQUIRE_CHROMIUM=1 (CI installs it).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export const chromiumRequired = process.env['PORTENT_REQUIRE_CHROMIUM'] === '1';

/** Where failure screenshots go. */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

export async function openBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) throw new Error('chromium not found (apt-get install chromium)');
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  onTestFinished(() => browser.close());
  return browser;
}

/** Runs `body`; if it fails, saves a screenshot of every open page (named after `name`) before the browser closes. */
export async function withScreenshots(name: string, browser: Browser, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const pages: Page[] = browser.contexts().flatMap((c) => c.pages());
    for (const [i, page] of pages.entries()) {
      const path = join(SCREENSHOT_DIR, `${name}-${i}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      process.stderr.write(`screenshot saved: ${path}\n`);
    }
    throw err;
  }
}
