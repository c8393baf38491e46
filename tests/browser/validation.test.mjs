//! The validation page: the SimFaaS baseline and the AWS measurements, run in the engine's
//! worker with the page's changes sent as knobs, agree with the published figures.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

test('the validation runs in the worker and agrees with the published figures', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/validation`);
  t.after(close);
  await page.locator('[data-testid="run-validation"]').click();
  const rate = page.locator('[data-testid="wasm-rate"]');
  await rate.waitFor({ timeout: 120_000 });
  assert.ok(Number(await rate.getAttribute('data-invocations-per-s')) > 0, 'the runs are timed');

  // The baseline: every figure with a tolerance is within it.
  const baseline = await page.locator('[data-testid="baseline-table"] tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent.trim())),
  );
  assert.deepEqual(baseline.map((r) => r[0]), ['cold_start_ratio', 'env_count_mean', 'busy_env_mean', 'idle_env_mean']);
  for (const row of baseline.slice(0, 3)) {
    assert.match(row[4], /^\u2713 within/, `${row[0]} is within its tolerance (${row.join(' | ')})`);
  }

  // Each AWS measurement's rate is run with the measured function's handler and Init: the
  // engine's cold-start probability follows SimFaaS's, rate by rate.
  const rows = await waitFor(async () => {
    const r = await page.locator('table.compare').nth(1).locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())),
    );
    return r.length > 0 && r;
  }, 'the AWS rows show');
  assert.ok(rows.length >= 10, `${rows.length} rows`);
  for (const [rps, , simfaas, engine] of rows) {
    const diff = Math.abs(Number(engine) - Number(simfaas));
    assert.ok(diff <= 0.02, `at ${rps} req/s the engine's ${engine} is near SimFaaS's ${simfaas}`);
  }
  assertClean();
});
