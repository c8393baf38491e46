//! One lesson walked end to end as a learner would: place a bet, see the engine's answer, fail
//! the challenge, open a hint, solve it with the knobs, and find the progress after a reload.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

test('bet, experiment, challenge failed, hint, challenge solved, progress kept', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/invocation`);
  t.after(close);

  // Place the bet before the experiment reveals the answer.
  const bet = page.locator('[data-testid="bet"]').first();
  await bet.getByLabel('About 6').check();
  await bet.locator('[data-testid="lock-bet"]').click();
  const result = await waitFor(async () => bet.locator('[data-testid="bet-result"]').textContent().catch(() => null), 'the bet is revealed');
  assert.match(result, /Right/);
  assert.match(result, /the engine measured environments busy on average = \d+\.\d+/, 'the answer quotes the number the engine measured');

  // The challenge is not solved by the defaults.
  const status = page.locator('[data-testid="challenge-status"]');
  assert.match(await status.textContent(), /Not solved/);
  await page.locator('[data-testid="hint-button"]').click();
  assert.equal(await page.locator('[data-testid="hint"]').count(), 1, 'one hint at a time');

  // Solve it with the knobs: the most traffic, the shortest handler.
  const sliders = page.locator('section.experiment .controls input[type=range]');
  await sliders.nth(0).focus();
  await page.keyboard.press('End');
  await sliders.nth(1).focus();
  await page.keyboard.press('Home');
  await waitFor(async () => /Solved/.test(await status.textContent()), async () => `the engine confirms the challenge (${await status.textContent()})`);

  // Progress survives a reload.
  await page.reload();
  await page.locator('[data-testid="bet-result"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="hint"]').count(), 1, 'the opened hint is remembered');
  await page.goto(`${env.server.url}/#/`);
  const count = await waitFor(async () => {
    const text = await page.locator('[data-testid="progress-count"]').textContent();
    return /^1 of \d+ lessons done/.test(text) && text;
  }, 'the home page counts the lesson as done');
  assert.ok(count);
  await page.locator('[data-testid="reset-progress"]').click();
  await waitFor(async () => /^0 of/.test(await page.locator('[data-testid="progress-count"]').textContent()), 'progress can be reset');
  assertClean();
});
