//! The app's foundation in a real browser: the lesson list, a lesson, an experiment that reacts to its knobs,
//! a chart's downloads, and lessons that cannot be read (named, the lab still usable, "Try again").

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { openPage, useBrowser, waitFor } from './harness.mjs';

const env = useBrowser();

test('a lesson renders, and moving a knob reruns the engine and redraws the chart', async (t) => {
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);

  const links = page.locator('#lesson-list li a');
  await links.first().waitFor();
  const hrefs = await links.evaluateAll((els) => els.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length >= 1, 'the home page lists at least one lesson');
  for (const href of hrefs) {
    assert.match(href, /^#\/lesson\/[^/]+$/, `a lesson link goes to #/lesson/<id>, not ${href}`);
  }

  await links.first().click();
  const lesson = page.locator('article.lesson');
  await lesson.locator('h1').first().waitFor();
  assert.ok((await lesson.locator('p').count()) >= 1, 'the lesson shows its Markdown as paragraphs');

  const experiment = page.locator('section.experiment');
  const canvas = experiment.locator('canvas[data-chart="envs"]');
  const verdict = experiment.locator('[data-testid="verdict"]');
  const range = experiment.locator('.controls input[type=range]').first();
  await canvas.waitFor();
  await range.waitFor();

  const verdictBefore = await waitFor(async () => {
    const text = await verdict.textContent();
    return /\d/.test(text ?? '') && text;
  }, 'the verdict shows numbers from the engine');
  const chartBefore = await waitFor(async () => {
    const image = await canvas.evaluate(chartImageIfDrawn);
    return image;
  }, 'the chart is drawn on the canvas');

  // Move the knob as far as it goes, so that the change cannot round away.
  const atMax = await range.evaluate((input) => Number(input.value) >= Number(input.max || 100));
  await range.focus();
  await page.keyboard.press(atMax ? 'Home' : 'End');

  const afterText = await waitFor(async () => {
    const text = await verdict.textContent();
    return text !== verdictBefore && text;
  }, `the verdict changes after the knob moves (it stayed "${verdictBefore}")`);
  assert.match(afterText, /\d/, 'the new verdict still shows numbers');

  await waitFor(
    async () => (await canvas.evaluate(chartImageIfDrawn)) !== chartBefore,
    'the chart is redrawn after the knob moves',
  );

  assertClean();
});

test('a chart downloads as a PNG of what it shows, and its data as CSV', async (t) => {
  const scenario = 'duration_s = 60\n[[functions]]\nname = "api"\nhandler.io_ms = 100\nworkload = { kind = "poisson", rate_per_s = 20 }\n';
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/lab?s=${encodeURIComponent(scenario)}`);
  t.after(close);
  const figure = page.locator('figure.chart').first();
  // The PNG is made by the charts worker from its canvas: wait until it has drawn the run.
  await figure.locator('canvas[data-drawn-run]').waitFor({ timeout: 15_000 });
  const kind = await figure.getAttribute('data-chart-figure');
  const [png] = await Promise.all([page.waitForEvent('download'), figure.locator('button', { hasText: 'PNG' }).click()]);
  assert.equal(png.suggestedFilename(), `lambda-lab-lab-${kind}.png`);
  const image = readFileSync(await png.path());
  assert.deepEqual([...image.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the download is a PNG image');
  const [csv] = await Promise.all([page.waitForEvent('download'), figure.locator('button', { hasText: 'CSV' }).click()]);
  assert.equal(csv.suggestedFilename(), 'lambda-lab-lab-series.csv');
  assert.match(readFileSync(await csv.path(), 'utf8'), /^t_s,arrivals,/, 'the download is the time series');
  assertClean();
});

test('the harness catches foreign requests, console errors and uncaught exceptions', async (t) => {
  const { page, problems, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);

  // The app's own CSP would refuse the request before the harness could see it, so the check
  // runs from a plain file of the same server. `.invalid` can never resolve; the harness aborts
  // the request before it leaves anyway.
  await page.goto(`${env.server.url}/embed-example.css`);
  await page.evaluate(() => fetch('http://lambda-lab-harness-check.invalid/').catch(() => {}));
  await page.evaluate(() => console.error('harness self-check'));
  await page.evaluate(() => setTimeout(() => { throw new Error('harness self-check'); }));

  const has = (list, needle) => list.some((item) => item.includes(needle));
  await waitFor(
    () => has(problems.foreignRequests, 'lambda-lab-harness-check.invalid'),
    () => `the foreign request is recorded (recorded: ${problems.foreignRequests.join(', ') || 'none'})`,
  );
  await waitFor(
    () => has(problems.consoleErrors, 'harness self-check'),
    () => `the console error is recorded (recorded: ${problems.consoleErrors.join(', ') || 'none'})`,
  );
  await waitFor(
    () => has(problems.pageErrors, 'harness self-check'),
    () => `the uncaught exception is recorded (recorded: ${problems.pageErrors.join(', ') || 'none'})`,
  );
});

/** In the page: the canvas as a data URL, or null while it is still blank. */
function chartImageIfDrawn(canvas) {
  const blank = document.createElement('canvas');
  blank.width = canvas.width;
  blank.height = canvas.height;
  const image = canvas.toDataURL();
  return image === blank.toDataURL() ? null : image;
}

test('lessons that cannot be read are named, the lab works without them, and "Try again" loads them', async (t) => {
  // No service worker: it would answer from its cache, under the route that breaks the file.
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`, { serviceWorkers: 'block' });
  t.after(close);
  let broken = true;
  await page.route('**/lessons.bin', (route) => (broken
    ? route.fulfill({ status: 200, contentType: 'application/octet-stream', body: '[{"id": 3}]' })
    : route.continue()));
  await page.reload();
  const failed = page.locator('[data-testid="lessons-failed"]');
  await failed.waitFor();
  assert.match(await failed.textContent(), /lessons\.bin does not hold the lessons this app reads \(.+\): is it from another build of the app\?/);

  // The lab needs no lesson.
  await page.locator('[data-testid="lessons-failed"] a[href="#/lab"]').click();
  await page.locator('[data-testid="verdict"]').waitFor();

  // Once the file is whole, "Try again" brings the lessons.
  broken = false;
  await page.goto(`${env.server.url}/#/`);
  await failed.locator('button').click();
  await page.locator('#lesson-list li a').first().waitFor();
  assert.equal(await failed.count(), 0);
  assertClean();
});
