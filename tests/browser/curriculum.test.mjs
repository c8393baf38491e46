//! Every lesson in a real browser: each experiment runs and draws its charts without an error,
//! and each challenge's solution, applied in the page, is confirmed by the engine in wasm
//! (the checker proves the same natively; this proves the app wires every lesson the same way);
//! the figure each condition tests reads the same in the summary line, and no count or
//! duration on the page reads wrong.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { experimentsBuilt, openPage, repoRoot, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

const order = /order\s*=\s*\[([^\]]*)\]/s.exec(readFileSync(path.join(repoRoot, 'lessons', 'index.toml'), 'utf8'))[1]
  .split(',')
  .map((s) => s.trim().replace(/^"|"$/g, ''))
  .filter(Boolean);

test('every lesson runs, draws and has a challenge its solution solves', async (t) => {
  assert.equal(order.length, 18, 'eighteen lessons');
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);
  for (const id of order) {
    await page.goto(`${env.server.url}/#/lesson/${id}`);
    const experiments = page.locator('section.experiment');
    await experimentsBuilt(page);
    const n = await experiments.count();
    for (let e = 0; e < n; e++) {
      const verdict = experiments.nth(e).locator('[data-testid="verdict"]').first();
      await waitFor(async () => verdict.getAttribute('data-summary'), `${id}: experiment ${e + 1} runs`);
      assert.equal(await experiments.nth(e).locator('figure.chart .error').count(), 0, `${id}: experiment ${e + 1} draws every chart`);
      assert.ok(await experiments.nth(e).locator('canvas[data-chart]').count() > 0, `${id}: experiment ${e + 1} has charts`);
    }
    const challenge = page.locator('[data-testid="challenge"]');
    assert.equal(await challenge.count(), 1, `${id}: a challenge`);

    // The figure each condition tests reads the same in an experiment's summary line.
    const summaries = (await page.locator('[data-testid="verdict"]').allTextContents()).join(' | ');
    let compared = 0;
    for (const text of await challenge.locator('li').allTextContents()) {
      const now = /\(now ([^)]+)\)/.exec(text);
      if (now) compared += 1;
      if (now) assert.ok(summaries.includes(now[1]), `${id}: "${text.trim()}" shows ${now[1]}, which the summary line should show too: ${summaries}`);
    }
    assert.ok(compared > 0, `${id}: the challenge shows the figures it tests`);
    // Words and units: no count disagrees with its noun, no raw second count past an hour.
    const words = await page.locator('main').innerText();
    const badPlural = /(?<![\d.,])1 (errors|messages|environments|requests|retries|cold starts|batches|minutes|arrivals|events|invocations|orders|writes)\b/.exec(words);
    assert.equal(badPlural, null, `${id}: "${badPlural?.[0]}" reads wrong`);
    for (const m of words.matchAll(/(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{4,})(?:\.\d+)? s\b/g)) {
      assert.ok(Number(m[1].replaceAll(',', '')) <= 3600, `${id}: "${m[0]}" should read in min or h`);
    }
    const status = page.locator('[data-testid="challenge-status"]');
    assert.match(await status.textContent(), /Not solved yet/, `${id}: the defaults do not solve it`);
    await challenge.getByRole('button', { name: /solution/i }).first().click();
    await challenge.getByRole('button', { name: 'Apply the solution' }).click();
    await waitFor(async () => /Solved/.test(await status.textContent()), `${id}: the solution solves it in the browser`);
  }
  assertClean();
});
