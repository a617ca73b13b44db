import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`, done by .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';

/** A real headless Chromium (the dashboard's tests and its benchmark); close it when done. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

export interface Transfer {
  /** Bytes as transferred (encoded), by kind: the page itself (html, js, css) and API answers. */
  staticBytes: number;
  apiBytes: number;
  requests: number;
}

/**
 * Counts what the page pulls over the network from the browser's own network events (CDP
 * Network.responseReceived / loadingFinished: encodedDataLength, i.e. bytes on the wire). Streams
 * still open (the live events) are not finished, so not counted.
 */
export async function countTransfer(page: Page): Promise<{ read: () => Transfer }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const total: Transfer = { staticBytes: 0, apiBytes: 0, requests: 0 };
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    const path = new URL(urls.get(e.requestId) ?? 'about:blank').pathname;
    if (path.startsWith('/api/')) total.apiBytes += e.encodedDataLength;
    else total.staticBytes += e.encodedDataLength;
    total.requests += 1;
  });
  return { read: () => ({ ...total }) };
}
