import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchContext } from './context';
import { countTransfer, launchChromium, type Transfer } from './dashboard-browser';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment, scrapeMetric, startService } from './support/deployment';
import { sleep, waitUntil } from './support/ports';
import { nodeProcess } from './support/process';
import { round } from './stats';

/** The mark dashboard/src/views/fleet.tsx sets when the first rows are on screen. */
const MARK = 'twinfold:fleet-first-rows';
const FIRST_ROWS = `performance.getEntriesByName('${MARK}')`;
/** A function, not a string: the page's CSP (no 'unsafe-eval') refuses string predicates. */
const firstRowsShown = (mark: string): boolean => performance.getEntriesByName(mark).length > 0;
const LOADED =
  "(document.querySelector('[aria-label=Summary] span')?.textContent ?? '') + ' ' + (document.querySelector('.error')?.textContent ?? '')";

const kb = (bytes: number): number => round(bytes / 1024);

/** Bytes and time of reading the whole fleet over the list API: what a page without paging would pull. */
async function wholeFleet(url: string, token: string): Promise<{ bytes: number; ms: number; twins: number }> {
  const began = performance.now();
  let bytes = 0;
  let twins = 0;
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/v1/twins?${q.toString()}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await res.text();
    bytes += Buffer.byteLength(text);
    const page = JSON.parse(text) as { data: { twins: unknown[]; nextCursor: string | null } };
    twins += page.data.twins.length;
    cursor = page.data.nextCursor;
  } while (cursor);
  return { bytes, ms: performance.now() - began, twins };
}

/** Scrolls the fleet to its end until every twin is loaded (cursor paging). */
async function scrollToEnd(page: Page, twins: number): Promise<number> {
  const began = performance.now();
  let text = '';
  await waitUntil(
    `all ${twins} twins loaded by scrolling`,
    async () => {
      await page.evaluate("document.querySelector('.vlist').scrollTop = 1e9");
      text = String(await page.evaluate(LOADED));
      return text.startsWith(`${twins} twins loaded`) && !text.includes('more');
    },
    120_000,
    50,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the page says ${JSON.stringify(text)}`);
  });
  return performance.now() - began;
}

/**
 * The dashboard in Chromium against a service holding `sizes.api.twins` twins (10,000 full): page
 * weight of the first load (bytes on the wire, from the browser's network events), time until the
 * first rows show, time to page through the whole fleet by scrolling, and the rows kept in the
 * DOM; beside the bytes of reading the whole fleet at once (the seed's dashboard polled that).
 */
export async function dashboardBench(ctx: BenchContext): Promise<BenchResult> {
  const twins = ctx.sizes.api.twins;
  const d = deployment(ctx, 'dashboard');
  d.env.AUTH_MODE = 'static';
  d.env.AUTH_TOKENS = `${d.token}:viewer`;
  const setup = {
    twins,
    'fleet pages': 'first 200, then 1000',
    browser: 'Debian chromium, headless',
    stack: 'Kafka + 1 service',
  };
  printSetup('dashboard', setup);
  const browser = await launchChromium();
  try {
    const service = await startService(ctx, d);
    const sim = nodeProcess(
      'dashboard-simulator',
      join('scripts', 'simulator.js'),
      {
        ...d.env,
        SIM_TRANSPORT: 'kafka',
        SIM_DEVICES: String(twins),
        SIM_RATE: String(Math.max(500, twins)),
        SIM_STATS_EVERY: '0',
        SIM_OFFLINE_RATE: '0',
      },
      ctx.logDir,
    );
    d.processes.push(sim);
    await waitUntil(
      `${twins} twins`,
      async () => (await scrapeMetric(service.url, 'twinfold_twins')) >= twins,
      300_000,
      500,
    );
    await sim.stop();
    // The devices' goodbyes (offline statuses) folded too: nothing left to process while measuring.
    let idle = 0;
    await waitUntil(
      'the processor to have no lag',
      async () => {
        idle = (await scrapeMetric(service.url, 'twinfold_processor_consumer_lag')) === 0 ? idle + 1 : 0;
        return idle >= 3;
      },
      300_000,
      1000,
    );
    ctx.say(`dashboard: ${twins} twins folded; measuring in Chromium`);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const transfer = await countTransfer(page);
    await page.goto(`${service.url}/#token=${d.token}`, { waitUntil: 'commit', timeout: 120_000 });
    await page.waitForFunction(firstRowsShown, MARK, { timeout: 60_000 });
    const firstRowsMs = Number(await page.evaluate(`${FIRST_ROWS}[0].startTime`));
    await sleep(500); // the last loadingFinished events
    const first: Transfer = transfer.read();
    const scrollMs = await scrollToEnd(page, twins);
    const domRows = Number(await page.evaluate("document.querySelectorAll('.vlist [role=row]').length"));

    // A new tab of the same browser: assets from the cache, the token again from the link.
    const repeat = await page.context().newPage();
    const again = await countTransfer(repeat);
    await repeat.goto(`${service.url}/#token=${d.token}`, { waitUntil: 'commit', timeout: 120_000 });
    await repeat.waitForFunction(firstRowsShown, MARK, { timeout: 60_000 });
    const repeatMs = Number(await repeat.evaluate(`${FIRST_ROWS}[0].startTime`));
    await sleep(500);
    const second = again.read();

    const whole = await wholeFleet(service.url, d.token);
    const figures: Figure[] = [
      { name: 'first load: the page (html, js, css)', value: kb(first.staticBytes), unit: 'KB' },
      { name: 'first load: API answers (health, first 200 twins)', value: kb(first.apiBytes), unit: 'KB' },
      {
        name: `time to first rows, ${twins} twins`,
        value: round(firstRowsMs),
        unit: 'ms',
        note: 'from navigation start',
      },
      { name: 'repeat visit: the page (cached)', value: kb(second.staticBytes), unit: 'KB' },
      { name: 'repeat visit: time to first rows', value: round(repeatMs), unit: 'ms' },
      { name: `scroll through all ${twins} (cursor pages)`, value: round(scrollMs), unit: 'ms' },
      { name: `rows in the DOM with ${twins} loaded`, value: domRows, unit: 'rows', note: 'virtualised' },
      {
        name: `alternative: GET the whole fleet (${whole.twins} twins)`,
        value: kb(whole.bytes),
        unit: 'KB',
        note: `${round(whole.ms)} ms; ${round(whole.bytes / Math.max(1, first.apiBytes))}x the first page's API bytes`,
      },
    ];
    for (const f of figures)
      ctx.say(`dashboard: ${f.name}: ${f.value} ${f.unit}${f.note ? ` (${f.note})` : ''}`);
    return { bench: 'dashboard', setup, figures, seconds: 0 };
  } finally {
    await browser.close();
    await d.cleanup();
  }
}
