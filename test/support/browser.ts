import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOT_DIR = join(ROOT, '.cache', 'screenshots');
/** Debian's chromium (`apt-get install chromium`, done by .ci/run); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A real headless Chromium; close it in afterAll (the test teardown fails the run on leaked processes). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

/** Saves a full-page PNG to .cache/screenshots/<name>.png (git-ignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Bytes the page pulled over the network (encoded, i.e. as transferred), counted from the
 * browser's own network events (CDP Network.loadingFinished) until `stop()`.
 */
export async function countTransfer(
  page: Page,
): Promise<{ stop: () => Promise<{ bytes: number; requests: number }> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
  });
  return {
    stop: async () => {
      await cdp.detach();
      return { bytes, requests };
    },
  };
}
