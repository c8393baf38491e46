//! The lab: edit a scenario and see it run, errors that name the line and field, your own
//! traffic from a CSV, a link that carries the scenario, and export as a file.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

async function summary(page) {
  const json = await waitFor(async () => page.locator('[data-testid="verdict"]').getAttribute('data-summary'), 'the lab shows a run');
  return JSON.parse(json);
}

test('edit, fix, bring your own traffic, share and export a scenario', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lab`);
  t.after(close);
  const editor = page.locator('[data-testid="lab-scenario"]');
  await editor.waitFor();
  const first = await summary(page);
  assert.ok(first.requests > 1000, 'the template runs');

  // A bad value: the error names the field and the rule; the page keeps working.
  const good = await editor.inputValue();
  await editor.fill(good.replace('memory_mb = 512', 'memory_mb = 64'));
  const error = page.locator('[data-testid="lab-error"]');
  await waitFor(async () => /functions\[0\]\.memory_mb: expected 128 to 10,240 MB, got 64/.test(await error.textContent()), async () => `the error names the field (got "${await error.textContent()}")`);
  // The last valid run stays up, dimmed and marked as such.
  await waitFor(async () => (await page.locator('[data-testid="lab-stale"]').count()) === 1, 'the charts say they show the last valid run');
  assert.match(await page.locator('[data-testid="lab-stale"]').textContent(), /last valid run/);
  assert.ok((await summary(page)).requests > 0, 'the last valid figures are still there');
  await editor.fill(good.replace('memory_mb = 512', 'memory = 512'));
  await waitFor(async () => /unknown field `memory`/.test(await error.textContent()) && /line \d+/.test(await error.textContent()), 'a TOML error names the line');
  await editor.fill(good);
  await waitFor(async () => (await error.textContent()).trim() === '', 'fixing it clears the error');
  assert.equal(await page.locator('[data-testid="lab-stale"]').count(), 0, 'a valid run is not marked stale');

  // Your own traffic: three arrivals.
  await page.getByText('Bring your own traffic').click();
  await page.locator('[data-testid="lab-csv"]').fill('time_s\n10\n10.5\n12\n');
  await page.locator('[data-testid="lab-use-traffic"]').click();
  await waitFor(async () => /3 arrivals now drive/.test(await page.locator('[data-testid="lab-csv-result"]').textContent()), 'the traffic is used');
  await waitFor(async () => (await summary(page)).requests === 3, 'the run has exactly the three requests');
  assert.match(await editor.inputValue(), /kind = "replay"/, 'the editor shows the replayed workload');
  assert.match(await editor.inputValue(), /^# A scenario: every field/, 'the edit keeps the comments of the file');

  // Ten minutes of per-minute counts in a five-minute run: the run is lengthened to all ten.
  await page.locator('select').filter({ hasText: 'arrival times (s)' }).selectOption('minute');
  await page.locator('[data-testid="lab-csv"]').fill('minute,invocations\n' + Array(10).fill(2340).join('\n') + '\n');
  await page.locator('[data-testid="lab-use-traffic"]').click();
  await waitFor(async () => /10 minutes of counts \(23,400 requests\) now drive .*duration_s is now 10 min/.test(await page.locator('[data-testid="lab-csv-result"]').textContent()), async () => `the longer traffic lengthens the run (got "${await page.locator('[data-testid="lab-csv-result"]').textContent()}")`);
  await waitFor(async () => (await summary(page)).requests === 23400, 'all 23,400 requests run');
  assert.match(await editor.inputValue(), /duration_s = 600/);
  await page.locator('select').filter({ hasText: 'arrival times (s)' }).selectOption('arrivals');

  // A bad CSV names its line.
  await page.locator('[data-testid="lab-csv"]').fill('1\n2\noops\n');
  await page.locator('[data-testid="lab-use-traffic"]').click();
  await waitFor(async () => /line 3: expected a number, got "oops"/.test(await page.locator('[data-testid="lab-csv-result"]').textContent()), 'a bad CSV row is named');

  // The link carries the scenario.
  const url = await waitFor(async () => page.url().includes('?s=') && page.url(), 'the URL carries the scenario');
  const again = await openPage(env.browser, url);
  t.after(again.close);
  assert.deepEqual(await summary(again.page), await summary(page), 'the link reproduces the run');

  // A visibility timeout AWS accepts but advises against runs, with a warning naming the field.
  await editor.fill('duration_s = 60\n[[functions]]\nname = "worker"\ntimeout_s = 30\ninvocation = "sqs"\nsqs = { batch_size = 10 }\nworkload = { kind = "constant", rate_per_s = 5 }\n');
  await waitFor(async () => (await page.locator('[data-testid="lab-warnings"]').count()) === 1, 'the warning shows');
  assert.match(await page.locator('[data-testid="lab-warnings"]').textContent(), /functions\[0\]\.sqs\.visibility_timeout_s: 30 s is less than the 180 s AWS recommends/);
  assert.equal((await error.textContent()).trim(), '', 'a warning is not an error');
  await waitFor(async () => (await summary(page)).requests > 250, 'the scenario runs');

  // Export downloads the scenario as a file.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as a file' }).click()]);
  assert.equal(download.suggestedFilename(), 'lambda-lab-scenario.toml');
  again.assertClean();
  assertClean();
});
