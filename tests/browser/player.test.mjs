//! The lesson player in a real browser: share links reproduce the engine's numbers exactly (and
//! match the native engine bit for bit), playback describes events, A/B compares, bad links and
//! bad stored progress give a message and a working page, keyboard, reduced motion and themes.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openPage, repoRoot, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

const LESSON = '#/lesson/invocation';

/** The summary the page drew, as the engine in wasm returned it. */
async function summaryOf(page, testid = 'verdict') {
  const el = page.locator(`[data-testid="${testid}"]`).first();
  const json = await waitFor(async () => el.getAttribute('data-summary'), `the ${testid} carries the engine's summary`);
  return JSON.parse(json);
}

/** The same scenario run by the native engine (the CLI that `cargo xtask test` builds first). */
function nativeSummary(args) {
  const bin = path.join(repoRoot, 'target', 'release', 'lambda-lab');
  assert.ok(existsSync(bin), `${bin} is missing: cargo xtask test builds it (cargo build --release -p lambda-lab)`);
  const out = execFileSync(bin, ['run', path.join(repoRoot, 'lessons', 'invocation', 'scenario.toml'), '--json', ...args], { encoding: 'utf8' });
  return JSON.parse(out).summary;
}

test('a shared link reproduces the run exactly, and the browser matches the native engine bit for bit', async (t) => {
  const url = `${env.server.url}/${LESSON}?main.rate=50&main.seed=3`;
  const first = await openPage(env.browser, url);
  t.after(first.close);
  const inBrowser = await summaryOf(first.page);
  assert.equal(await first.page.locator('.knob output').first().textContent(), '50 req/s', 'the link set the knob');
  const native = nativeSummary(['--seed', '3', '--set', 'functions[0].workload.rate_per_s=50']);
  assert.deepEqual(inBrowser, native, 'wasm and native give the same summary, to the last bit');

  const second = await openPage(env.browser, url);
  t.after(second.close);
  assert.deepEqual(await summaryOf(second.page), inBrowser, 'the link opened in a fresh page gives the same numbers');

  const other = await openPage(env.browser, `${env.server.url}/${LESSON}?main.rate=50&main.seed=4`);
  t.after(other.close);
  assert.notDeepEqual(await summaryOf(other.page), inBrowser, 'another seed gives another run');
  first.assertClean();
  second.assertClean();
});

test('moving a knob writes the experiment into the URL', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/${LESSON}`);
  t.after(close);
  const before = await summaryOf(page);
  const slider = page.locator('.controls input[type=range]').first();
  await slider.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  const url = await waitFor(async () => {
    const u = page.url();
    return /main\.rate=/.test(u) && u;
  }, () => `the URL records the knob (it is ${page.url()})`);
  const after = await summaryOf(page);
  assert.ok(after.requests > before.requests, `more traffic gives more requests (${before.requests} -> ${after.requests})`);
  const again = await openPage(env.browser, url);
  t.after(again.close);
  assert.deepEqual(await summaryOf(again.page), after, 'the URL alone reproduces what the learner saw');
  assertClean();
});

test('step, scrub and play describe what happens, event by event', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/${LESSON}?main.t=0`);
  t.after(close);
  const event = page.locator('[data-testid="event"]');
  await waitFor(async () => (await event.textContent())?.includes('Before the first event'), 'at 0 s nothing has happened yet');
  await page.locator('[data-testid="step"]').click();
  await waitFor(async () => /request 1 arrives/i.test(await event.textContent()), "the first step shows the first arrival");
  await page.locator('[data-testid="step"]').click();
  const cold = await waitFor(async () => {
    const text = await event.textContent();
    return /env 1 starts Init: cold start, \d+ ms/i.test(text) && text;
  }, 'the second step shows the first cold start, with its Init time');
  assert.match(cold, /cold start/);
  await page.locator('[data-testid="step-back"]').click();
  await waitFor(async () => /request 1 arrives/i.test(await event.textContent()), 'stepping back rewinds');

  // Scrub to the end: the last events are completions or reaps.
  const timeline = page.locator('[data-testid="timeline"]');
  await timeline.focus();
  await page.keyboard.press('End');
  await waitFor(async () => /completes|reaped|arrives|warm/.test(await event.textContent()), 'the end of the run is described');

  // Play from the start moves the cursor forward; pause stops it.
  await page.keyboard.press('Home');
  await page.locator('[data-testid="play"]').click();
  await waitFor(async () => Number(await timeline.inputValue()) > 0, 'playing moves the timeline');
  await page.locator('[data-testid="play"]').click();
  const paused = Number(await timeline.inputValue());
  await page.waitForTimeout(300);
  assert.equal(Number(await timeline.inputValue()), paused, 'pausing stops the timeline');
  assertClean();
});

test('clicking a chart moves the timeline to that moment', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/${LESSON}?main.t=0`);
  t.after(close);
  // The charts stay blurred (and take no clicks) until the experiment's bets are locked.
  const bets = page.locator('[data-testid="bet"]');
  await bets.first().waitFor();
  for (let i = 0; i < await bets.count(); i++) {
    await bets.nth(i).locator('input[type=radio]').first().check();
    await bets.nth(i).locator('[data-testid="lock-bet"]').click();
  }
  await page.locator('[data-testid="bet-pending"]').waitFor({ state: 'detached' });
  const canvas = page.locator('canvas[data-chart="envs"]');
  await canvas.waitFor();
  await page.waitForFunction(() => !document.querySelector('canvas[data-chart="envs"]')?.closest('[inert]'));
  const box = await canvas.boundingBox();
  await page.waitForTimeout(200);
  await canvas.click({ position: { x: box.width * 0.6, y: box.height / 2 } });
  const t1 = await waitFor(async () => {
    const v = Number(await page.locator('[data-testid="timeline"]').inputValue());
    return v > 30 && v;
  }, 'a click on the chart moves the timeline');
  assert.ok(t1 < 120);
  assertClean();
});

test('A/B runs a second configuration on the same workload and shows both', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/${LESSON}`);
  t.after(close);
  await page.getByRole('button', { name: 'Compare A/B' }).click();
  const b = page.locator('[data-side="B"] input[type=range]').nth(1);
  await b.focus();
  await page.keyboard.press('End');
  const table = page.locator('[data-testid="compare"]');
  await table.waitFor();
  const a = await summaryOf(page, 'verdict');
  const bSum = await waitFor(async () => {
    const s = await summaryOf(page, 'verdict-b');
    return s.duration_ms_p50 !== a.duration_ms_p50 && s;
  }, 'B with a longer handler differs from A');
  assert.equal(bSum.requests, a.requests, 'both sides see the same seeded workload');
  assert.ok(bSum.duration_ms_p50 > a.duration_ms_p50);
  await waitFor(async () => /main\.ab=1/.test(page.url()), 'the comparison is in the URL');
  assertClean();
});

test('a mangled link says what was wrong and falls back to the lesson values', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/${LESSON}?main.rate=abc&main.seed=-1&main.colour=red&main.t=999999`);
  t.after(close);
  const notice = page.locator('[data-testid="link-problems"]');
  await notice.waitFor();
  const text = await notice.textContent();
  for (const part of ['main.rate', 'main.seed', 'main.colour', 'main.t']) {
    assert.ok(text.includes(part), `the message names ${part}: ${text}`);
  }
  const s = await summaryOf(page);
  assert.ok(s.requests > 0, 'the experiment still runs with the lesson values');

  const missing = await openPage(env.browser, `${env.server.url}/#/lesson/<script>alert(1)</script>`);
  t.after(missing.close);
  await missing.page.getByText('Not found').waitFor();
  assert.equal(await missing.page.locator('script:not([src])').count(), await missing.page.locator('script:not([src])').count());
  assert.ok((await missing.page.locator('.not-found').textContent()).includes('<script>'), 'the bad id is shown as text, not run');
  missing.assertClean();
  assertClean();
});

test('corrupted saved progress gives a message, is kept aside, and the page works', async (t) => {
  const context = await env.browser.newContext();
  t.after(() => context.close());
  await context.addInitScript(() => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('lambda-lab/progress/v1', '{"lessons": 42, broken');
      sessionStorage.setItem('seeded', '1');
    }
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${env.server.url}/#/`);
  const banner = page.locator('[data-testid="progress-problem"]');
  await banner.waitFor();
  assert.match(await banner.textContent(), /not readable/);
  assert.ok((await page.locator('#lesson-list li').count()) >= 1, 'the lessons are still listed');
  const backup = await page.evaluate(() => localStorage.getItem('lambda-lab/progress/v1.unreadable'));
  assert.equal(backup, '{"lessons": 42, broken', 'the unreadable store is kept, not lost');
  await page.locator('#lesson-list li a').first().click();
  await page.locator('[data-testid="verdict"]').waitFor();
  assert.deepEqual(errors, []);
});

test('the keyboard alone reaches every control, and ? lists the shortcuts', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);
  // Tab from the top of the page to the first lesson link and follow it.
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.closest('#lesson-list') !== null);
  }
  assert.ok(reached, 'Tab reaches the lesson list');
  await page.keyboard.press('Enter');
  await page.locator('section.experiment').waitFor();
  const before = await summaryOf(page);
  let onSlider = false;
  for (let i = 0; i < 40 && !onSlider; i++) {
    await page.keyboard.press('Tab');
    onSlider = await page.evaluate(() => document.activeElement?.matches('.controls input[type=range]') ?? false);
  }
  assert.ok(onSlider, 'Tab reaches the first knob');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await waitFor(async () => (await summaryOf(page)).requests !== before.requests, 'arrow keys move the knob and re-run the engine');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assertClean();
});

test('reduced motion hides playback animation; dark mode and the theme toggle are honoured', async (t) => {
  const reduced = await openPage(env.browser, `${env.server.url}/${LESSON}`, { reducedMotion: 'reduce', colorScheme: 'dark' });
  t.after(reduced.close);
  await reduced.page.locator('[data-testid="step"]').waitFor();
  assert.equal(await reduced.page.locator('[data-testid="play"]').count(), 0, 'no Play button when motion is reduced');
  const bg = await reduced.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(15, 18, 23)', 'the dark theme follows the system');
  await reduced.page.getByRole('button', { name: /Theme/ }).click();
  await waitFor(async () => (await reduced.page.evaluate(() => document.documentElement.dataset.theme)) === 'light', 'the toggle picks light');
  const light = await reduced.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(light, 'rgb(246, 247, 249)');
  reduced.assertClean();
});

/** Fills localStorage to its quota (big values, then small ones). */
function fillStorage() {
  let i = 0;
  for (const size of [1 << 20, 1 << 14, 1 << 8, 1]) {
    try {
      for (;;) localStorage.setItem(`fill-${i++}`, 'x'.repeat(size));
    } catch {
      // This size no longer fits: try a smaller one.
    }
  }
}

test('with a full storage quota, a corrupt store and new progress lose nothing', async (t) => {
  const context = await env.browser.newContext();
  t.after(() => context.close());
  await context.addInitScript(`(${(() => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('lambda-lab/progress/v1', '{"lessons": 42, broken');
      sessionStorage.setItem('seeded', '1');
      FILL();
    }
  }).toString().replace('FILL()', `(${fillStorage.toString()})()`)})()`);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${env.server.url}/#/lesson/invocation`);
  const banner = page.locator('[data-testid="progress-problem"]');
  await banner.waitFor();
  assert.match(await banner.textContent(), /could not be set aside .* left as it was/);
  // Progress made on this visit never writes over the unreadable store.
  const bet = page.locator('[data-testid="bet"]').first();
  await bet.locator('input[type=radio]').first().check();
  await bet.locator('[data-testid="lock-bet"]').click();
  await bet.locator('[data-testid="bet-result"]').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('lambda-lab/progress/v1')), '{"lessons": 42, broken', 'the unreadable store is untouched');
  assert.deepEqual(errors, []);
});

test('with a full storage quota, a save that cannot be written says so and keeps what was saved', async (t) => {
  const context = await env.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${env.server.url}/#/lesson/invocation`);
  // A hint opened is saved.
  await page.locator('[data-testid="hint-button"]').click();
  await page.waitForFunction(() => (localStorage.getItem('lambda-lab/progress/v1') || '').includes('"hints":1'));
  const saved = await page.evaluate(() => localStorage.getItem('lambda-lab/progress/v1'));
  await page.evaluate(fillStorage);
  // The next change, a bet, cannot be written.
  const bet = page.locator('[data-testid="bet"]').first();
  await bet.locator('input[type=radio]').first().check();
  await bet.locator('[data-testid="lock-bet"]').click();
  const banner = page.locator('[data-testid="progress-problem"]');
  await banner.waitFor();
  assert.match(await banner.textContent(), /could not be saved: the browser's storage for this site is full\. What was saved before is kept\./);
  assert.equal(await page.evaluate(() => localStorage.getItem('lambda-lab/progress/v1')), saved, 'the last saved progress is intact');
});
