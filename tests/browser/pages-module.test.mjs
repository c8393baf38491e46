//! The on-demand pages module (the lab, your own function, the validation, the field reference):
//! a lesson never loads it, the lab loads it once and follows the app's theme, and a module that
//! cannot be loaded is named, with "Try again".

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

const isPages = (url) => /\/pages(_bg\.wasm|\.js)$/.test(new URL(url).pathname);

test('a lesson never loads the pages module; the lab loads it once and follows the theme', async (t) => {
  // No service worker: it would fetch every file of the app at install, the module too.
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/invocation`, {
    serviceWorkers: 'block',
    colorScheme: 'light',
  });
  t.after(close);
  const fetched = [];
  page.on('request', (request) => {
    if (isPages(request.url())) fetched.push(new URL(request.url()).pathname);
  });
  await page.locator('section.experiment [data-testid="verdict"]').first().waitFor();
  assert.deepEqual(fetched, [], 'a lesson with its experiments runs without the pages module');

  await page.locator('.header-nav a[href="#/lab"]').click();
  await page.locator('[data-testid="lab-scenario"]').waitFor();
  const verdict = page.locator('[data-testid="verdict"]');
  await waitFor(async () => (await verdict.getAttribute('data-summary')) !== null, 'the lab runs');
  assert.deepEqual(fetched.sort(), ['/pages.js', '/pages_bg.wasm'], 'the lab loads the module');

  // The lab's chart is drawn in the app's theme, and redrawn when the theme changes.
  const chart = page.locator('#main canvas').first();
  const pixels = () => chart.evaluate((c) => c.toDataURL());
  await waitFor(async () => (await chart.getAttribute('data-draw-ms')) !== null, 'the lab draws its chart');
  const light = await pixels();
  const toggle = page.getByRole('button', { name: /Theme/ });
  while (!/dark/.test(await toggle.textContent())) await toggle.click();
  await waitFor(async () => (await pixels()) !== light, 'the lab\'s chart is redrawn in the dark theme');

  // Other pages of the module, and back: no second load.
  await page.locator('.header-nav a[href="#/validation"]').click();
  await page.locator('[data-testid="run-validation"]').waitFor();
  await page.locator('.header-nav a[href="#/lab"]').click();
  await page.locator('[data-testid="lab-scenario"]').waitFor();
  await waitFor(async () => (await verdict.getAttribute('data-summary')) !== null, 'the lab runs again');
  assert.equal(fetched.filter((p) => p === '/pages_bg.wasm').length, 1, 'the module is loaded once');
  assertClean();
});

test('a pages module that cannot be loaded is named; the lessons still work and "Try again" loads it', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`, { serviceWorkers: 'block' });
  t.after(close);
  let broken = true;
  await page.route('**/pages_bg.wasm', (route) => (broken
    ? route.fulfill({ status: 200, contentType: 'application/wasm', body: 'not a wasm module' })
    : route.continue()));
  await page.locator('.header-nav a[href="#/lab"]').click();
  const failed = page.locator('[data-testid="page-failed"]');
  await failed.waitFor();
  assert.match(await failed.locator('h1').textContent(), /^The lab could not be loaded$/);
  assert.match(await failed.textContent(), /magic word/, 'the browser\'s reason is given');

  // The lessons need no such module.
  await page.locator('.header-nav a[href="#/"]').click();
  await page.locator('#lesson-list li a').first().waitFor();

  // Once the file is whole, "Try again" brings the lab.
  await page.locator('.header-nav a[href="#/lab"]').click();
  await failed.waitFor();
  broken = false;
  await failed.locator('button').click();
  await page.locator('[data-testid="lab-scenario"]').waitFor();
  await waitFor(async () => (await page.locator('[data-testid="verdict"]').getAttribute('data-summary')) !== null, 'the lab runs after "Try again"');
  assert.equal(await failed.count(), 0);
  assertClean();
});
