//! The system lessons in a real browser: a canary deployment rolled back by its alarm, a trace
//! waterfall whose sampling follows a knob, a role chosen from a select (written in the link by
//! its label), and requests flowing in as dots from the run's arrivals.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

/** The engine's summary behind the first verdict. */
async function summaryOf(page) {
  const el = page.locator('[data-testid="verdict"]').first();
  return JSON.parse(await waitFor(async () => el.getAttribute('data-summary'), 'a summary'));
}

/** The text alternative of a chart (what a screen reader hears), from the engine's report. */
async function chartText(page, name) {
  const canvas = page.locator(`canvas[data-chart="${name}"]`).first();
  return waitFor(async () => (await canvas.getAttribute('aria-label')) || null, `the ${name} chart`);
}

test('a canary wired to its alarm rolls back, and the link says so without JSON', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/versions-aliases`);
  t.after(close);
  const before = await chartText(page, 'alarm');
  assert.doesNotMatch(before, /rolled back/, before);
  await page.locator('select[name="preset"]').first().selectOption('1');
  await page.locator('select[name="alarm"]').first().selectOption('1');
  const after = await waitFor(async () => {
    const text = await chartText(page, 'alarm');
    return /rolled back/.test(text) && text;
  }, 'the deployment rolls back');
  assert.match(after, /first went to ALARM at \d+ s/);
  const url = await waitFor(async () => /deploy\.alarm=/.test(page.url()) && page.url(), 'the link');
  assert.match(url, /deploy\.preset=LambdaCanary10Percent5Minutes/, url);
  assert.match(url, /deploy\.alarm=v2-errors/, url);
  assert.doesNotMatch(url, /%5B|%7B/, 'no JSON in the link');
  const again = await openPage(env.browser, url);
  t.after(again.close);
  assert.match(await chartText(again.page, 'alarm'), /rolled back/, 'the link reproduces it');
  assertClean();
  again.assertClean();
});

test('the trace waterfall draws and sampling follows its knob', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/tracing`);
  t.after(close);
  const sampled = (text) => Number(/([\d,]+) of [\d,]+ requests were sampled/.exec(text)[1].replace(/,/g, ''));
  const n0 = sampled(await chartText(page, 'trace'));
  assert.ok(n0 > 0);
  const rate = page.locator('input[type=range][name="sampling-rate"]').first();
  await rate.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  const n1 = await waitFor(async () => {
    const n = sampled(await chartText(page, 'trace'));
    return n > n0 && n;
  }, 'more requests sampled at a higher rate');
  assert.ok(n1 > n0, `${n1} > ${n0}`);
  assertClean();
});

test('a role picked from a select is written in the link by its label and read back', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/least-privilege`);
  t.after(close);
  const select = page.locator('select[name="policy"]').first();
  const broad = await summaryOf(page);
  const count = await select.locator('option').count();
  assert.ok(count >= 3, 'several roles');
  await select.selectOption(String(count - 1));
  const url = await waitFor(async () => /role\.policy=[a-z0-9-]+/.test(page.url()) && page.url(), 'the role in the link');
  assert.doesNotMatch(url, /%5B|%7B/, 'a slug, not JSON');
  const picked = await waitFor(async () => {
    const s = await summaryOf(page);
    return JSON.stringify(s) !== JSON.stringify(broad) && s;
  }, 'another role, another run');
  const again = await openPage(env.browser, url);
  t.after(again.close);
  assert.deepEqual(await summaryOf(again.page), picked, 'the link reproduces the role');
  assert.equal(await again.page.locator('select[name="policy"]').first().inputValue(), String(count - 1), 'and shows it selected');
  assertClean();
  again.assertClean();
});

test('requests flow in as dots from the run, marked by what happened to them', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lesson/invocation?main.t=0`);
  t.after(close);
  const flow = page.locator('[data-testid="flow"]').first();
  const text = await waitFor(async () => (await flow.count()) && (await flow.locator('.flow-text').textContent()), 'the flow strip');
  const m = /(\d+) requests arrive \((\d+) cold/.exec(text);
  assert.ok(m, text);
  assert.ok(Number(m[1]) > 0, text);
  assert.equal(await flow.locator('.dot').count(), Number(m[1]), 'one dot per arrival');
  assert.equal(await flow.locator('.dot.cold').count(), Number(m[2]), 'cold ones marked');
  assertClean();
});
