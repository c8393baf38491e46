//! Shared helpers for the browser tests: a static server for dist/, headless Chromium, and a page that records what went wrong.
//
// Every browser test opens its page through `openPage`, which records console
// errors, uncaught exceptions, HTTP errors and every request that leaves this
// machine (those are aborted, never sent), and ends with `assertClean()`.

import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root (this file lives in tests/browser/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The dist/ folder that `trunk build` writes; the LAMBDA_LAB_DIST environment variable overrides it. */
export const distDir = process.env.LAMBDA_LAB_DIST
  ? path.resolve(process.env.LAMBDA_LAB_DIST)
  : path.join(repoRoot, 'dist');

/** Generous timeouts: CI machines are slow, but a real failure should not hang the run. */
export const TIMEOUT_MS = 20_000;

/** The only host a page may talk to. */
const LOCAL_HOST = '127.0.0.1';

const MIME_TYPES = {
  '.wasm': 'application/wasm',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.toml': 'text/plain; charset=utf-8',
};

/**
 * Fails with a clear message unless `dir` holds a built app (an index.html).
 * @param {string} [dir]
 */
export function requireDist(dir = distDir) {
  if (!existsSync(path.join(dir, 'index.html'))) {
    assert.fail(`${path.join(dir, 'index.html')} is missing: run cargo xtask test, which builds dist/ first`);
  }
}

/**
 * Serves the files of `root` on 127.0.0.1 at a free port.
 * Directories are answered with their index.html; anything else missing is a 404.
 * @param {string} root
 * @returns {Promise<{url: string, close: () => Promise<void>}>} `url` has no trailing slash.
 */
export async function startServer(root) {
  const rootDir = path.resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = path.resolve(rootDir, '.' + pathname);
      // Refuse anything that escapes the root (`..`, encoded or not).
      if (file !== rootDir && !file.startsWith(rootDir + path.sep)) {
        return send(res, 404, 'not found');
      }
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) {
        return send(res, 404, 'not found');
      }
      const type = MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': info.size, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') {
        return res.end();
      }
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      // A malformed URL (bad percent-encoding) is the client's fault.
      send(res, 400, 'bad request');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOCAL_HOST, resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${LOCAL_HOST}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * Starts headless Chromium: /usr/bin/chromium, or the path in the CHROMIUM environment variable.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    assert.fail(
      `Chromium is missing at ${executablePath}: run cargo xtask test (it installs it), ` +
        'or apt-get install -y chromium chromium-driver, or set CHROMIUM to its path',
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: TIMEOUT_MS * 3,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * What went wrong on a page, as recorded by `openPage`.
 * @typedef {object} Problems
 * @property {string[]} consoleErrors console messages of type error
 * @property {string[]} pageErrors uncaught exceptions and unhandled rejections
 * @property {string[]} httpErrors local responses with a status of 400 or more
 * @property {string[]} foreignRequests requests to any host but 127.0.0.1 (aborted)
 */

/**
 * Opens `url` in a fresh browser context that records everything that went wrong.
 *
 * `opts` are passed to `browser.newContext` (viewport, colorScheme, reducedMotion, ...).
 * Requests to any host but 127.0.0.1 are aborted and recorded.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {import('playwright-core').BrowserContextOptions} [opts]
 * @returns {Promise<{page: import('playwright-core').Page, context: import('playwright-core').BrowserContext,
 *   problems: Problems, assertClean: () => void, close: () => Promise<void>}>}
 */
export async function openPage(browser, url, opts = {}) {
  const context = await browser.newContext(opts);
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);

  /** @type {Problems} */
  const problems = { consoleErrors: [], pageErrors: [], httpErrors: [], foreignRequests: [] };
  const foreign = new Set();
  const recordForeign = (requestUrl) => {
    if (!foreign.has(requestUrl)) {
      foreign.add(requestUrl);
      problems.foreignRequests.push(requestUrl);
    }
  };

  await context.route('**/*', (route) => {
    const requestUrl = route.request().url();
    if (isForeign(requestUrl)) {
      recordForeign(requestUrl);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  await context.routeWebSocket(/.*/, (ws) => {
    if (isForeign(ws.url())) {
      recordForeign(ws.url());
      return ws.close();
    }
    ws.connectToServer();
  });
  // A second net under the route, for requests a route does not see (service workers, for one).
  context.on('request', (request) => {
    if (isForeign(request.url())) {
      recordForeign(request.url());
    }
  });
  context.on('response', (response) => {
    if (response.status() >= 400) {
      problems.httpErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });

  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const where = msg.location()?.url ? ` (${msg.location().url}:${msg.location().lineNumber})` : '';
      problems.consoleErrors.push(msg.text() + where);
    }
  });
  page.on('pageerror', (error) => {
    problems.pageErrors.push(error.stack || String(error));
  });

  await page.goto(url, { waitUntil: 'load' });

  return {
    page,
    context,
    problems,
    assertClean: () => assertClean(problems),
    close: () => context.close(),
  };
}

/**
 * Fails, listing every problem, unless none was recorded.
 * @param {Problems} problems
 */
export function assertClean(problems) {
  const sections = [
    ['console errors', problems.consoleErrors],
    ['uncaught exceptions', problems.pageErrors],
    ['HTTP errors', problems.httpErrors],
    ['requests to other hosts (aborted)', problems.foreignRequests],
  ]
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => `${name}:\n${list.map((item) => `  - ${item}`).join('\n')}`);
  if (sections.length > 0) {
    assert.fail(`the page was not clean:\n${sections.join('\n')}`);
  }
}

/**
 * Polls `fn` until it returns a truthy value, and returns that value; fails with `message` after `timeoutMs`.
 * `message` may be a function, called at the time of failure so that it can show the latest state.
 * @template T
 * @param {() => Promise<T> | T} fn
 * @param {string | (() => string)} message
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function waitFor(fn, message, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${timeoutMs} ms: ${typeof message === 'function' ? message() : message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Whether a request goes to any host but 127.0.0.1; data:, blob: and about: URLs stay on the page.
 * @param {string} requestUrl
 */
function isForeign(requestUrl) {
  let parsed;
  try {
    parsed = new URL(requestUrl);
  } catch {
    return true;
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    return false;
  }
  return parsed.hostname !== LOCAL_HOST;
}

/**
 * Registers `node:test` hooks that start the static server for dist/ and Chromium once per
 * test file and stop them at its end; returns an object whose `server` and `browser` are set
 * once they have started.
 * @returns {{server: {url: string, close: () => Promise<void>} | undefined, browser: import('playwright-core').Browser | undefined}}
 */
export function useBrowser() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    requireDist();
    env.server = await startServer(distDir);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Lets the service worker take control of `page` (open on a page of the app that has loaded),
 * cuts the network and reloads: from then on the page runs from the service worker's cache.
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').BrowserContext} context
 */
export async function goOffline(page, context) {
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload();
  await waitFor(async () => page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker controls the page');
  await context.setOffline(true);
  await page.reload();
}

/**
 * Waits until the lesson on `page` has built its experiments. The text is painted first, with a
 * placeholder `section.experiment.experiment-loading` for each experiment; a test that counted
 * or searched the experiments before they are built would see only placeholders.
 * @param {import('playwright-core').Page} page
 */
export async function experimentsBuilt(page) {
  await page.locator('section.experiment:not(.experiment-loading)').first().waitFor();
  await waitFor(async () => (await page.locator('section.experiment-loading').count()) === 0, 'the lesson builds its experiments');
}
