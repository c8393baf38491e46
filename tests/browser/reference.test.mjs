//! The field reference: reached from the lab, it lists every field with its unit, range and
//! default, and its search narrows the rows to the fields that match.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

test('the lab links to a searchable field reference', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lab`);
  t.after(close);
  await page.locator('[data-testid="lab-scenario"]').waitFor();
  assert.match(await page.locator('[data-testid="lab-scenario"]').inputValue(), /^# A scenario: every field, its unit and its default: see the Field reference/);
  await page.getByRole('link', { name: 'Field reference' }).click();
  await waitFor(async () => page.url().endsWith('#/reference'), 'the link opens the reference');
  await page.getByRole('heading', { name: 'Field reference' }).waitFor();

  const rows = page.locator('[data-testid="reference-row"]');
  const memory = page.locator('[data-testid="reference-row"][data-field="functions[].memory_mb"]');
  await memory.waitFor();
  const text = await memory.textContent();
  assert.match(text, /128 to 10,240/, 'the memory row shows its range');
  assert.match(text, /MB/, 'the memory row shows its unit');
  assert.match(text, /MemorySize/, 'the memory row shows the AWS name');
  const all = await rows.count();
  assert.ok(all > 100, `every field is listed (got ${all})`);

  // Searching keeps only the rows that match, and says how many.
  await page.locator('[data-testid="reference-search"]').fill('visibility');
  await waitFor(async () => (await page.locator('[data-testid="reference-row"]:visible').count()) === 1, async () => `one row matches "visibility" (got ${await page.locator('[data-testid="reference-row"]:visible').count()})`);
  const visible = page.locator('[data-testid="reference-row"]:visible');
  assert.equal(await visible.getAttribute('data-field'), 'functions[].sqs.visibility_timeout_s');
  assert.match(await visible.textContent(), /43,200/);
  assert.match(await page.locator('[data-testid="reference-count"]').textContent(), /^1 field$/);
  assert.equal(await page.locator('.reference-group:visible').count(), 1, 'tables without a match are hidden');

  // A search that matches nothing says so; clearing it brings every row back.
  await page.locator('[data-testid="reference-search"]').fill('no such field');
  await waitFor(async () => /No field matches/.test(await page.locator('[data-testid="reference-count"]').textContent()), 'an empty result is said');
  await page.locator('[data-testid="reference-search"]').fill('');
  await waitFor(async () => (await page.locator('[data-testid="reference-row"]:visible').count()) === all, 'clearing the search shows every field');
  assertClean();
});
