//! "Your own function": the example log loads on a first visit and its twin is compared with it
//! in per cent; a pasted log with a START line and a malformed REPORT line is counted and the
//! bad line named; the what-if knobs re-run the twin; the cheapest-memory search answers; an
//! empty or REPORT-less log and a broken knob value are clear errors; the lab links both ways; a
//! long memory search shows its steps and stops on request.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { goOffline, openPage, repoRoot, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();
const EXAMPLE = readFileSync(path.join(repoRoot, 'calibrate', 'example', 'report.log'), 'utf8');

const text = async (page, id) => ((await page.locator(`[data-testid="${id}"]`).textContent()) ?? '').trim();

test('the example, a pasted log, the what-if knobs, the cheapest memory and the links', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/your-function`);
  t.after(close);

  // First visit: the shipped example is read and its twin set beside it.
  const rows = page.locator('[data-testid="yf-compare"] tbody tr');
  await waitFor(async () => (await rows.count()) >= 7, 'the comparison table fills in', 30_000);
  assert.equal(await text(page, 'yf-format'), 'plain log lines');
  const reports = EXAMPLE.split('\n').filter((l) => l.includes('REPORT')).length;
  assert.equal(await text(page, 'yf-reports'), reports.toLocaleString('en-US'));
  assert.match(await text(page, 'yf-privacy'), /Nothing is sent anywhere/);
  const figures = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-figure')));
  for (const f of ['cold-start share', 'p50 Duration', 'p95 Duration', 'p99 Duration', 'peak concurrency']) {
    assert.ok(figures.includes(f), `the table has ${f} (has ${figures.join(', ')})`);
  }
  const diffs = await page.locator('[data-testid="yf-compare"] td.diff').allTextContents();
  assert.ok(diffs.every((d) => /^([+-]?\d+\.\d%|\u2014)$/.test(d.trim())), `differences in per cent: ${diffs.join(' | ')}`);
  const p99Row = page.locator('[data-testid="yf-compare"] tr[data-figure="p99 Duration"] td.diff');
  const p99Diff = Math.abs(parseFloat(await p99Row.textContent()));
  assert.ok(p99Diff < 10, `the twin's p99 is within 10% of the log's (${p99Diff}%)`);
  assert.match(await page.locator('[data-testid="yf-toml"]').inputValue(), /\[\[functions\]\][\s\S]*memory_mb = 512/);
  for (const kind of ['traffic', 'cold-starts', 'concurrency', 'duration', 'init', 'memory']) {
    assert.equal(await page.locator(`[data-twin-chart="${kind}"] canvas`).count(), 1, `the ${kind} chart`);
  }

  // A pasted variant: a START line, a truncated REPORT line at line 3, then 300 good ones.
  const lines = EXAMPLE.split('\n').filter((l) => l.trim() !== '').slice(0, 300);
  const variant = [
    'START RequestId: 0b1e Version: $LATEST',
    lines[0],
    '2026-11-02T10:00:00.700Z\tREPORT RequestId: bad\tDuration: 12.5 ms\tBilled Duration: 13 ms',
    ...lines.slice(1),
  ].join('\n');
  await page.locator('[data-testid="yf-log"]').fill(variant);
  await waitFor(async () => (await text(page, 'yf-reports')) === '300', async () => `300 REPORT lines read (got ${await text(page, 'yf-reports')})`, 15_000);
  assert.match(await text(page, 'yf-skipped'), /^1 /);
  assert.equal(await text(page, 'yf-malformed'), '1');
  const problem = page.locator('[data-testid="yf-problems"] li[data-line="3"]');
  assert.equal(await problem.count(), 1, 'the malformed line is named by its number');
  assert.match(await problem.textContent(), /^Line 3: /);

  // Back to the example; the memory knob re-runs the twin.
  await page.locator('[data-testid="yf-example"]').click();
  await waitFor(async () => (await text(page, 'yf-reports')) === reports.toLocaleString('en-US'), 'the example is read again', 15_000);
  const whatif = page.locator('[data-testid="yf-whatif"]');
  await waitFor(async () => (await whatif.getAttribute('data-memory')) === '512', 'the what-if run of the calibration');
  const before = Number(await whatif.getAttribute('data-p99'));
  await page.locator('[data-testid="yf-memory"]').fill('128');
  await waitFor(async () => (await whatif.getAttribute('data-memory')) === '128', 'the what-if runs at 128 MB', 15_000);
  const after = Number(await whatif.getAttribute('data-p99'));
  assert.ok(after > before * 1.2, `less memory, slower CPU part: p99 ${before} ms -> ${after} ms`);
  assert.match(await text(page, 'yf-whatif-verdict'), /^At 128 MB: p99 /);

  // A broken knob value says so and runs nothing; fixing it runs again.
  await page.locator('[data-testid="yf-package"]').fill('lots');
  await waitFor(async () => (await page.locator('[data-testid="yf-knob-error-package"]').count()) === 1, 'a broken value is named');
  assert.match(await text(page, 'yf-knob-error-package'), /Package size: expected a number of MB from 0, got .lots./);
  await page.locator('[data-testid="yf-package"]').fill('0');
  await waitFor(async () => (await page.locator('[data-testid="yf-knob-error-package"]').count()) === 0, 'fixing it clears the error');
  // A value the engine refuses comes back named, and the last figures stay.
  await page.locator('[data-testid="yf-reserved"]').fill('5000');
  await waitFor(async () => /reserved_concurrency/.test(await text(page, 'yf-whatif-error')), async () => `the engine's refusal is shown (got "${await text(page, 'yf-whatif-error')}")`, 15_000);
  assert.equal(await whatif.getAttribute('data-memory'), '128', 'the last good figures stay');
  await page.locator('[data-testid="yf-reserved"]').fill('');
  await waitFor(async () => (await text(page, 'yf-whatif-error')) === '', 'none again runs cleanly', 15_000);

  // The cheapest memory under the log's own p99.
  await page.locator('[data-testid="yf-memory"]').fill('512');
  const limit = Number(await page.locator('[data-testid="yf-limit"]').inputValue());
  assert.ok(limit > 0, `the target defaults to the log's p99 (${limit} ms)`);
  await page.locator('[data-testid="yf-cheapest"]').click();
  const answer = page.locator('[data-testid="yf-cheapest-answer"]');
  await waitFor(async () => (await answer.count()) === 1, 'the search answers', 60_000);
  assert.match(await answer.textContent(), /(\d[\d,]* MB is the cheapest that keeps p99 under|no memory size keeps p99 under)/);
  assert.equal(await page.locator('[data-testid="yf-cheapest-rows"] tbody tr').count(), 15, 'one row per memory size');

  // Errors: an empty box, a log without a REPORT line. The page stays usable.
  await page.locator('[data-testid="yf-log"]').fill('');
  await waitFor(async () => /The log is empty/.test(await text(page, 'yf-log-error')), 'an empty log is an error');
  await page.locator('[data-testid="yf-log"]').fill('START RequestId: a Version: $LATEST\nhello from the handler\nEND RequestId: a\n');
  await waitFor(async () => /no REPORT line was read \(3 lines: 3 skipped, 0 malformed\)/.test(await text(page, 'yf-log-error')), async () => `a log with no REPORT line says so (got "${await text(page, 'yf-log-error')}")`, 15_000);
  await page.locator('[data-testid="yf-example"]').click();
  await waitFor(async () => (await text(page, 'yf-log-error')) === '' && (await rows.count()) >= 7, 'the example reads again', 15_000);

  // "Open in the lab" carries the calibrated scenario.
  const href = await page.locator('[data-testid="yf-open-lab"]').getAttribute('href');
  assert.ok(href.startsWith('#/lab?s='), href.slice(0, 40));
  await page.locator('[data-testid="yf-open-lab"]').click();
  const editor = page.locator('[data-testid="lab-scenario"]');
  await editor.waitFor();
  assert.match(await editor.inputValue(), /calibrated to its log/);
  await waitFor(async () => page.locator('[data-testid="verdict"]').getAttribute('data-summary'), 'the lab runs the calibrated scenario', 30_000);
  assert.equal((await page.locator('[data-testid="lab-error"]').textContent()).trim(), '');

  // The lab links to the page.
  await page.locator('[data-testid="lab-your-function"] a').click();
  await waitFor(async () => page.url().endsWith('#/your-function'), 'the link opens the page');
  await page.locator('[data-testid="yf-log"]').waitFor();
  assertClean();
});

test('the example log is saved with the app: the page works offline after a first visit', async (t) => {
  const { page, context, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);
  await page.locator('#lesson-list li').first().waitFor();
  await goOffline(page, context);
  await page.locator('[data-testid="home-your-function"]').click();
  const rows = page.locator('[data-testid="yf-compare"] tbody tr');
  await waitFor(async () => (await rows.count()) >= 7, 'the example is read and compared offline', 30_000);
  assert.equal(await text(page, 'yf-log-error'), '');
  await context.setOffline(false);
  assertClean();
});

test('a long memory search shows its steps and stops on request; the page carries on', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/your-function`);
  t.after(close);
  const rows = page.locator('[data-testid="yf-compare"] tbody tr');
  await waitFor(async () => (await rows.count()) >= 7, 'the example is read', 30_000);

  // A log 48 times the example (four days of twelve hours): the search takes seconds.
  const lines = EXAMPLE.split('\n').filter((l) => l.includes('REPORT'));
  const big = [];
  for (let day = 0; day < 4; day++) {
    for (let hour = 0; hour < 12; hour++) {
      const stamp = `2026-11-0${2 + day}T${String(10 + hour).padStart(2, '0')}:`;
      for (const l of lines) big.push(l.replace('2026-11-02T10:', stamp).replace('RequestId: ', `RequestId: ${day}${hour}-`));
    }
  }
  await page.locator('[data-testid="yf-file"]').setInputFiles({ name: 'big.log', mimeType: 'text/plain', buffer: Buffer.from(big.join('\n')) });
  const count = big.length.toLocaleString('en-US');
  await waitFor(async () => (await text(page, 'yf-reports')) === count, `${count} REPORT lines read`, 60_000);
  // Megabytes of log are read whole but not laid out in the box, which says so.
  assert.match(await text(page, 'yf-log-hidden'), /^big\.log \(\d+\.\d MB, 81,072 lines\) is read whole/);
  assert.equal(await page.locator('[data-testid="yf-log"]').inputValue(), '');
  assert.match(await page.locator('[data-testid="yf-log"]').getAttribute('placeholder'), /^big\.log is read \(too large to show here/);

  await page.locator('[data-testid="yf-cheapest"]').click();
  // The search lasts about a second here: Stop is pressed the frame its bar shows.
  const shown = await page.waitForFunction(() => {
    const bar = document.querySelector('[data-testid="yf-search-progress"]');
    const stop = document.querySelector('[data-testid="yf-search-stop"]');
    if (!bar || !stop) return null;
    const text = bar.textContent;
    stop.click();
    return text;
  }, null, { polling: 'raf', timeout: 20_000 });
  assert.match(await shown.jsonValue(), /^Step \d+ of 19: (reading|calibrating|running|searching memory sizes: \d+ MB)/);
  const bar = page.locator('[data-testid="yf-search-progress"]');
  await waitFor(async () => page.locator('[data-testid="yf-cheapest"]').isEnabled(), 'Stop ends the search', 5_000);
  assert.equal(await bar.count(), 0, 'the bar goes');
  assert.equal(await page.locator('[data-testid="yf-cheapest-answer"]').count(), 0, 'a stopped search gives no answer');
  assert.equal(await text(page, 'yf-cheapest-error'), '');

  // A fresh worker took over: the search runs again to its answer.
  await page.locator('[data-testid="yf-cheapest"]').click();
  await page.locator('[data-testid="yf-cheapest-answer"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('[data-testid="yf-cheapest-rows"] tbody tr').count(), 15);
  assertClean();
});
