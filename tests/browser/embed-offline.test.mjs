//! Embeds, instructor mode, offline use and security, in a real browser: the example blog page
//! loads two self-sizing embeds; instructor mode is driven by keys; a reload works with the
//! network cut; URL parameters never run script; the CSP is present and nothing breaks it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distDir, goOffline, openPage, startServer, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

test('the example blog page loads two embeds that run and size their frames', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/embed-example.html`);
  t.after(close);
  for (const [id, dark] of [['first', false], ['second', true]]) {
    const frame = page.frameLocator(`#${id}`);
    const verdict = frame.locator('[data-testid="verdict"]');
    await waitFor(async () => /\d/.test((await verdict.textContent().catch(() => '')) ?? ''), `embed ${id} runs the engine`);
    await waitFor(async () => {
      const h = await page.locator(`#${id}`).evaluate((f) => f.getBoundingClientRect().height);
      return Math.abs(h - 600) > 2 && h > 200;
    }, `embed ${id} resizes its frame to its content`);
    assert.equal(await frame.locator('.site-header').count(), 0, 'an embed has no site header');
    assert.equal(await frame.getByText(/Open in Lambda Lab/).count(), 1, 'an embed links to the full app');
    const theme = await frame.locator('html').getAttribute('data-theme');
    assert.equal(theme === 'dark', dark, `embed ${id} theme from its parameter`);
  }
  assertClean();
});

test('every experiment offers its embed code', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/invocation?main.rate=20`);
  t.after(close);
  await page.getByRole('button', { name: 'Embed' }).click();
  const code = await page.locator('[data-testid="embed-code"]').inputValue();
  assert.match(code, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/#\/embed\/invocation\/main\?main\.rate=20"/);
  assert.match(code, /<script src="http:\/\/127\.0\.0\.1:\d+\/embed\.js" async><\/script>/);
  assertClean();
});

test('instructor mode: scenes driven by keys, and a link for attendees', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/present/invocation`);
  t.after(close);
  await page.locator('[data-testid="present"]').waitFor();
  const output = () => page.locator('.knob output').first().textContent();
  assert.equal(await output(), '5 req/s', 'scene 1 is the experiment as the lesson sets it');
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('n');
  await waitFor(async () => (await output()) === '50 req/s', 'N moves to scene 2: the bet, at 50 requests per second');
  assert.match(page.url(), /scene=2/);
  const link = await page.locator('[data-testid="attendee-link"]').inputValue();
  assert.match(link, /#\/lesson\/invocation\?main\.rate=50/);
  await page.keyboard.press('p');
  await waitFor(async () => (await output()) === '5 req/s', 'P goes back');
  await page.keyboard.press('3');
  await waitFor(async () => (await output()) === '100 req/s', '3 jumps to the solved challenge');
  const attendee = await openPage(env.browser, link);
  t.after(attendee.close);
  await waitFor(async () => (await attendee.page.locator('.knob output').first().textContent()) === '50 req/s', 'the attendee link opens the same scene');
  attendee.assertClean();
  assertClean();
});

test('instructor mode names a lesson that does not exist, and lessons that cannot be read, with "Try again"', async (t) => {
  // No service worker: it would answer from its cache, under the route that breaks the file.
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/present/nope`, { serviceWorkers: 'block' });
  t.after(close);
  await waitFor(async () => /There is no lesson called \u201cnope\u201d to present\./.test((await page.locator('main').textContent()) ?? ''),
    'an unknown lesson is named');
  let broken = true;
  await page.route('**/lessons.bin', (route) => (broken
    ? route.fulfill({ status: 200, contentType: 'application/octet-stream', body: '[{"id": 3}]' })
    : route.continue()));
  await page.goto(`${env.server.url}/#/present/invocation`);
  await page.reload();
  const failed = page.locator('[data-testid="lessons-failed"]');
  await failed.waitFor();
  assert.match(await failed.textContent(), /lessons\.bin does not hold the lessons this app reads \((they end too soon|they are not in the form expected)\)/);
  broken = false;
  await failed.locator('button').click();
  await page.locator('[data-testid="present"]').waitFor();
  assert.equal(await failed.count(), 0);
  assertClean();
});

test('after the first visit the app works with the network cut', async (t) => {
  const { page, context, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);
  await page.locator('#lesson-list li').first().waitFor();
  await goOffline(page, context);
  await page.locator('#lesson-list li').first().waitFor();
  await page.locator('#lesson-list li a').first().click();
  await waitFor(async () => /\d/.test(await page.locator('[data-testid="verdict"]').textContent()), 'a lesson runs offline');
  // The lab's module was never loaded online in this visit: the saved app has it too.
  await page.locator('.header-nav a[href="#/lab"]').click();
  await page.locator('[data-testid="lab-scenario"]').waitFor();
  await waitFor(async () => (await page.locator('[data-testid="verdict"]').getAttribute('data-summary')) !== null, 'the lab runs offline');
  await context.setOffline(false);
  assertClean();
});

test('URL parameters and lesson text never run script, and the CSP holds', async (t) => {
  const dialogs = [];
  const urls = [
    `#/lesson/invocation?main.rate=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E&main.seed=javascript:alert(1)`,
    `#/embed/invocation/main?theme=%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E`,
    `#/lab?s=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E`,
    `#/lesson/%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E`,
  ];
  for (const hash of urls) {
    const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/${hash}`);
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await page.waitForTimeout(700);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, `${hash} ran no script`);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp && !csp.includes('unsafe-inline') && !/https?:/.test(csp), `a strict CSP is present: ${csp}`);
    assertClean();
    await close();
  }
  assert.deepEqual(dialogs, []);
});

test('the full app inside a frame offers to open in its own tab', async (t) => {
  const context = await env.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${env.server.url}/embed-example.html`);
  await page.evaluate((url) => {
    const f = document.createElement('iframe');
    f.id = 'whole';
    f.src = url;
    document.body.appendChild(f);
  }, `${env.server.url}/#/`);
  await page.frameLocator('#whole').locator('[data-testid="framed"]').waitFor();
});

test('dist/ works from a sub-path of any static server', async (t) => {
  const { mkdtempSync, symlinkSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const root = mkdtempSync(path.join(tmpdir(), 'lambda-lab-subpath-'));
  symlinkSync(distDir, path.join(root, 'courses'));
  const sub = await startServer(root);
  t.after(() => sub.close());
  const { page, assertClean, close } = await openPage(env.browser, `${sub.url}/courses/#/lesson/invocation`);
  t.after(close);
  await waitFor(async () => /\d/.test((await page.locator('[data-testid="verdict"]').textContent().catch(() => '')) ?? ''), 'the app runs from /courses/');
  assertClean();
});

test('moving between a lesson, its embed and its presentation in one page breaks nothing', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/invocation`);
  t.after(close);
  await page.locator('section.experiment').first().waitFor();
  for (const hash of ['#/embed/invocation/main', '#/present/invocation', '#/lesson/cold-starts', '#/embed/monitoring/outage', '#/lab', '#/lesson/invocation']) {
    await page.goto(`${env.server.url}/${hash}`);
    await page.locator('main').first().waitFor();
    await page.waitForTimeout(300);
  }
  await page.keyboard.press('?');
  await page.locator('#help-title').waitFor();
  assertClean();
});
