//! The engine in its Web Worker: a hostile link cannot freeze or kill the page, long runs show
//! progress and can be stopped, the main thread never blocks, and a dead worker is replaced.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openPage, repoRoot, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

/** Two functions that each trigger the other twice, loop detection off, the largest queue. */
const HOSTILE = readFileSync(path.join(repoRoot, 'engine', 'scenarios', 'fan-out-loop.toml'), 'utf8');

/** About ten seconds of engine work in the browser: an hour at 5,000 requests per second. */
const LONG = `duration_s = 3600
[[functions]]
name = "api"
handler.cpu_ms = 20
workload = { kind = "constant", rate_per_s = 5000 }
`;

const lab = (text) => `${env.server.url}/#/lab?s=${encodeURIComponent(text)}`;

/** Starts recording main-thread tasks over 50 ms (the Long Tasks API). */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__long = [];
    window.__longObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
    });
    window.__longObserver.observe({ type: 'longtask' });
  });
}

async function longTasks(page) {
  return page.evaluate(() => {
    window.__longObserver.disconnect();
    return window.__long;
  });
}

async function lockBets(page) {
  const bets = page.locator('[data-testid="bet"]');
  await bets.first().waitFor();
  for (let i = 0; i < await bets.count(); i++) {
    if (await bets.nth(i).locator('[data-testid="lock-bet"]').count()) {
      await bets.nth(i).locator('input[type=radio]').first().check();
      await bets.nth(i).locator('[data-testid="lock-bet"]').click();
    }
  }
  await page.locator('[data-testid="bet-pending"]').first().waitFor({ state: 'detached' });
}

test('a hostile fan-out loop link stops at the budget with a message, and the app stays usable', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, lab(HOSTILE));
  t.after(close);
  const cut = page.locator('[data-testid="run-cut"]');
  await cut.waitFor({ timeout: 5_000 });
  assert.match(await cut.textContent(), /queues held 250,000 messages.*functions\[\]\.async\.queue_max/s);
  const summary = JSON.parse(await page.locator('[data-testid="verdict"]').getAttribute('data-summary'));
  assert.ok(summary.requests > 1000, 'the partial report is shown');

  // The rest of the app works: the lesson list opens, and a knob on lesson 1 redraws its chart.
  await page.goto(`${env.server.url}/#/`);
  await page.locator('#lesson-list li a').first().click();
  await lockBets(page);
  const verdict = page.locator('[data-testid="verdict"]').first();
  const before = await waitFor(async () => verdict.getAttribute('data-run'), 'lesson 1 runs');
  const slider = page.locator('section.experiment .controls input[type=range]').first();
  await slider.focus();
  await page.keyboard.press('End');
  await waitFor(async () => (await verdict.getAttribute('data-run')) !== before, 'a knob re-runs lesson 1');
  assertClean();
});

test('a long lab run shows progress and never blocks the main thread; Stop leaves the page usable', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lab`);
  t.after(close);
  const verdict = page.locator('[data-testid="verdict"]');
  await waitFor(async () => verdict.getAttribute('data-summary'), 'the template runs');
  await watchLongTasks(page);
  await page.locator('[data-testid="lab-scenario"]').fill(LONG);
  const bar = page.locator('[data-testid="run-progress"]');
  await bar.waitFor({ timeout: 10_000 });
  assert.match(await bar.textContent(), /Simulating: \d+% \(.+ of 1 h simulated\) · [\d.,]+ (M )?events\/s/);
  // A while of the run in flight, with the page answering.
  await page.waitForTimeout(1_500);
  const tasks = await longTasks(page);
  assert.deepEqual(tasks.filter((d) => d > 50), [], `no main-thread task over 50 ms while the run is in flight (saw ${tasks.join(', ')} ms)`);

  await page.locator('[data-testid="run-stop"]').click();
  await page.locator('[data-testid="run-stopped"]').waitFor();
  await bar.waitFor({ state: 'detached' });
  // Usable: an edit runs at once.
  await page.locator('[data-testid="lab-scenario"]').fill(LONG.replace('duration_s = 3600', 'duration_s = 10'));
  await waitFor(async () => JSON.parse((await verdict.getAttribute('data-summary')) || '{}').requests > 40000, 'the next run goes through');
  assert.equal(await page.locator('[data-testid="run-stopped"]').count(), 0, 'a finished run is no longer marked stopped');
  assertClean();
});

test('dragging a slider across its range on capstone never blocks the main thread', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/capstone`);
  t.after(close);
  await lockBets(page);
  const verdict = page.locator('[data-testid="verdict"]').first();
  await waitFor(async () => verdict.getAttribute('data-run'), 'capstone runs');
  const slider = page.locator('section.experiment .controls input[type=range]').first();
  const box = await slider.boundingBox();
  await watchLongTasks(page);
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 0; i <= 40; i++) {
    await page.mouse.move(box.x + 2 + ((box.width - 4) * i) / 40, box.y + box.height / 2);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  await page.waitForTimeout(500);
  const tasks = await longTasks(page);
  assert.deepEqual(tasks.filter((d) => d > 50), [], `no main-thread task over 50 ms during the drag (saw ${tasks.join(', ')} ms)`);
  assertClean();
});

test('a worker killed mid-run is replaced, and the page says so', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, lab(LONG));
  t.after(close);
  await page.locator('[data-testid="run-progress"]').waitFor({ timeout: 10_000 });
  const engines = page.workers().filter((w) => w.url().includes('engine-worker'));
  assert.equal(engines.length, 1, 'one engine worker');
  // The worker dies without a word, as after an out-of-memory kill.
  await engines[0].evaluate(() => self.close()).catch(() => {});
  const notice = page.locator('[data-testid="engine-notice"]');
  await notice.waitFor({ timeout: 15_000 });
  assert.match(await notice.textContent(), /engine stopped .* restarted/);
  assert.match(await page.locator('[data-testid="lab-error"]').textContent(), /engine stopped/);
  assert.match(page.url(), /\?s=/, 'the scenario is still in the URL');
  assert.match(await page.locator('[data-testid="lab-scenario"]').inputValue(), /rate_per_s = 5000/, 'and in the editor');
  // The fresh worker runs the next edit.
  await page.locator('[data-testid="lab-scenario"]').fill(LONG.replace('duration_s = 3600', 'duration_s = 5'));
  const verdict = page.locator('[data-testid="verdict"]');
  await waitFor(async () => JSON.parse((await verdict.getAttribute('data-summary')) || '{}').requests > 20000, 'the fresh worker runs', 15_000);
  assertClean();
});

test('a charts worker that dies is replaced: the page says so and draws the charts again', async (t) => {
  const SHORT = LONG.replace('duration_s = 3600', 'duration_s = 5');
  const { page, assertClean, close } = await openPage(env.browser, lab(SHORT));
  t.after(close);
  // Every chart shows the run it is given (the charts worker has drawn it).
  const allDrawn = async () => {
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll('canvas[data-chart]')].map((c) => Boolean(c.dataset.run) && c.dataset.run === c.dataset.drawnRun),
    );
    return drawn.length > 0 && drawn.every(Boolean);
  };
  await waitFor(allDrawn, 'the lab draws its charts', 15_000);
  const charts = page.workers().filter((w) => w.url().includes('charts-worker'));
  assert.equal(charts.length, 1, 'one charts worker');
  // It dies without a word: no error event, only silence.
  await charts[0].evaluate(() => self.close()).catch(() => {});
  // The next run's charts go unanswered; the page finds the worker dead, says so, and draws
  // them in a fresh one.
  await page.locator('[data-testid="lab-scenario"]').fill(SHORT.replace('rate_per_s = 5000', 'rate_per_s = 4000'));
  const notice = page.locator('[data-testid="engine-notice"]');
  await notice.waitFor({ timeout: 15_000 });
  assert.match(await notice.textContent(), /charts stopped .* drawn again/);
  await waitFor(allDrawn, 'the charts are drawn again', 15_000);
  assertClean();
});
