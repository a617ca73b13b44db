import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export { launchChromium } from '../../bench/dashboard-browser';

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOT_DIR = join(ROOT, '.cache', 'screenshots');

/** Saves a full-page PNG to .cache/screenshots/<name>.png (git-ignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
