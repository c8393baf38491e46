//! Every knob of every lesson experiment, moved from the lesson's defaults to each end of its
//! range (each option of a select, the other state of a toggle), changes what the page shows:
//! the text of the experiment's summary line or the pixels of one of its charts. The browser
//! side of the lesson checker's dead-knob rule, through real key presses and selections.
//!
//! Runs may be drawn asynchronously (the engine may run off the main thread), so nothing here
//! assumes a redraw happens at once: each move waits for a new run to be drawn, then polls
//! until what is shown differs from the defaults, with a timeout.

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

/** How many knobs the lessons declare, counted in their files. */
const declared = order
  .map((id) => readFileSync(path.join(repoRoot, 'lessons', id, 'lesson.toml'), 'utf8').match(/^\[\[experiments\.knobs\]\]/gm)?.length ?? 0)
  .reduce((a, b) => a + b, 0);

/** How long one move may take to show its run. */
const MOVE_TIMEOUT_MS = 15_000;

/**
 * What side A of experiment `exp` shows: the summary line's text, a hash of each chart's
 * pixels, and the id of the run drawn (to tell a new run from the last one).
 * @param {import('playwright-core').Page} page
 * @param {string} exp
 */
async function shown(page, exp) {
  return page.evaluate((exp) => {
    const hash = (s) => {
      let x = 2166136261;
      for (let i = 0; i < s.length; i++) {
        x ^= s.charCodeAt(i);
        x = Math.imul(x, 16777619);
      }
      return (x >>> 0).toString(16);
    };
    const side = document.querySelector(`section.experiment[data-experiment="${exp}"] [data-side="A"]`);
    const verdict = side?.querySelector('[data-testid="verdict"]');
    const charts = [...(side?.querySelectorAll('canvas[data-chart]') ?? [])].map(
      (c) => `${c.dataset.chart}:${c.width}x${c.height}:${hash(c.toDataURL())}`,
    );
    // The charts worker has drawn the run each canvas shows.
    const painted = [...(side?.querySelectorAll('canvas[data-chart]') ?? [])].every(
      (c) => c.dataset.run && c.dataset.run === c.dataset.drawnRun,
    );
    return {
      run: verdict?.getAttribute('data-run') ?? null,
      drawn: Boolean(verdict?.getAttribute('data-summary')) && painted,
      text: verdict?.textContent?.trim() ?? '',
      charts,
    };
  }, exp);
}

/** Whether two states show the same: the same summary text and the same chart pixels. */
function same(a, b) {
  return a.text === b.text && a.charts.length === b.charts.length && a.charts.every((c, i) => c === b.charts[i]);
}

/** A run is drawn: the summary line has the engine's summary and some text, and every chart
 * shows the run. */
function drawn(s) {
  return s.drawn && s.text.length > 0;
}

/**
 * Waits until the experiment shows a drawn run that stays the same for two polls in a row
 * (a chart drawn after its summary line is not caught half way), and returns it.
 */
async function settled(page, exp, what) {
  let last = null;
  return waitFor(
    async () => {
      const s = await shown(page, exp);
      const ok = drawn(s) && last && last.run === s.run && same(last, s);
      last = s;
      return ok && s;
    },
    `${what}: the experiment never showed a settled run`,
    MOVE_TIMEOUT_MS,
  );
}

/**
 * Opens lesson `id` at its defaults (a fresh load: nothing of the last knob's moves is kept)
 * and waits for every experiment to show its run.
 */
async function openLesson(page, id) {
  await page.goto('about:blank');
  await page.goto(`${env.server.url}/#/lesson/${id}`);
  await experimentsBuilt(page);
}

/**
 * Locks every bet of the lesson (the first choice each time), so that the charts and figures
 * are live; waits for the bets to render first. Locked bets are kept in the learner's progress,
 * so this is done once per lesson.
 */
async function lockBets(page, id) {
  const sections = page.locator('section.experiment');
  const n = await sections.count();
  for (let e = 0; e < n; e++) {
    const section = sections.nth(e);
    if ((await section.locator('[data-testid="bet-pending"]').count()) === 0) continue;
    const bets = section.locator('[data-testid="bet"]');
    await bets.first().waitFor();
    for (let i = 0; i < (await bets.count()); i++) {
      const lock = bets.nth(i).locator('[data-testid="lock-bet"]');
      if ((await lock.count()) === 0) continue;
      await bets.nth(i).locator('input[type=radio]').first().check();
      await lock.click();
    }
    await section.locator('[data-testid="bet-pending"]').waitFor({ state: 'detached' });
  }
  await waitFor(
    async () => (await page.locator('section.experiment .answers[inert]').count()) === 0,
    `${id}: the charts are live once the bets are locked`,
  );
}

/**
 * The knobs of side A of experiment `exp`: each one's id (the control's name), label and kind.
 * @returns {Promise<{id: string, label: string, kind: 'slider' | 'select' | 'toggle'}[]>}
 */
async function knobsOf(page, exp) {
  return page.evaluate((exp) => {
    const side = document.querySelector(`section.experiment[data-experiment="${exp}"] [data-side="A"]`);
    return [...side.querySelectorAll('.controls .knob')].map((k) => {
      const control = k.querySelector('input, select');
      const kind = control.tagName === 'SELECT' ? 'select' : control.type === 'checkbox' ? 'toggle' : 'slider';
      return { id: control.name, label: k.querySelector('label')?.textContent?.trim() ?? control.name, kind };
    });
  }, exp);
}

/** The control of knob `knob` on side A of experiment `exp`. */
function control(page, exp, knob) {
  return page.locator(`section.experiment[data-experiment="${exp}"] [data-side="A"] .controls [name="${knob}"]`);
}

/**
 * The moves of a knob from where it is: each end of a slider it is not at (as End and Home
 * key presses), each other option of a select, the other state of a toggle. Each move is
 * `{ name, apply }`.
 */
async function movesOf(page, exp, knob) {
  const el = control(page, exp, knob.id);
  if (knob.kind === 'slider') {
    const { value, min, max } = await el.evaluate((i) => ({ value: Number(i.value), min: Number(i.min), max: Number(i.max) }));
    return [
      ['End', max],
      ['Home', min],
    ]
      .filter(([, end]) => Math.abs(end - value) > 1e-9)
      .map(([key]) => ({
        name: key === 'End' ? 'to the top of its range' : 'to the bottom of its range',
        apply: async () => {
          await el.focus();
          await el.press(key);
        },
      }));
  }
  if (knob.kind === 'toggle') {
    const on = await el.isChecked();
    return [{ name: on ? 'off' : 'on', apply: () => el.setChecked(!on) }];
  }
  const { current, options } = await el.evaluate((s) => ({
    current: s.value,
    options: [...s.options].map((o) => ({ value: o.value, label: o.textContent.trim() })),
  }));
  return options
    .filter((o) => o.value !== current)
    .map((o) => ({ name: `to "${o.label}"`, apply: () => el.selectOption(o.value) }));
}

/**
 * Makes a greyed knob live: moves the other knobs of the experiment, one move at a time from
 * the defaults, until the knob's control is enabled. Returns the move that did it.
 */
async function enable(page, id, exp, knob, others) {
  for (const other of others.filter((o) => o.id !== knob.id)) {
    for (const m of await movesOf(page, exp, other)) {
      await settled(page, exp, `${id}/${exp}: before moving "${other.label}" ${m.name}`);
      await m.apply();
      if (await control(page, exp, knob.id).isEnabled()) return `"${other.label}" ${m.name}`;
      await openLesson(page, id);
    }
  }
  assert.fail(`${id}, experiment "${exp}": knob "${knob.label}" stays greyed whatever the other knobs do`);
}

test('every knob of every lesson experiment, moved to its ends, changes a shown figure or chart', async (t) => {
  assert.equal(order.length, 18, 'eighteen lessons');
  const { page, assertClean, close } = await openPage(env.browser, `${env.server.url}/#/`);
  t.after(close);
  let checked = 0;
  let knobsMoved = 0;
  for (const id of order) {
    await openLesson(page, id);
    await lockBets(page, id);
    const experiments = await page.locator('section.experiment').evaluateAll((els) => els.map((e) => e.dataset.experiment));
    for (const exp of experiments) {
      const knobs = await knobsOf(page, exp);
      for (const knob of knobs) {
        await openLesson(page, id);
        const where = `${id}, experiment "${exp}", knob "${knob.label}"`;
        let first = '';
        if (!(await control(page, exp, knob.id).isEnabled())) {
          first = ` (with ${await enable(page, id, exp, knob, knobs)} first)`;
        }
        const defaults = await settled(page, exp, `${where}: at the defaults${first}`);
        const moves = await movesOf(page, exp, knob);
        assert.ok(moves.length > 0, `${where}: has nowhere to move`);
        knobsMoved += 1;
        let previous = defaults;
        for (const move of moves) {
          await move.apply();
          let last = previous;
          // A new run drawn, settled, and showing something other than the defaults.
          const after = await waitFor(
            async () => {
              const s = await shown(page, exp);
              // A new run: its id differs (a page that gives no run id is judged on what it shows).
              const fresh = drawn(s) && (s.run === null || s.run !== previous.run);
              const stable = fresh && last.run === s.run && same(last, s);
              last = s;
              return stable && !same(s, defaults) && s;
            },
            () =>
              `${where}: moved ${move.name}${first}, the page shows the same summary line and charts as at the defaults` +
              (last.run === previous.run ? ' (no new run was drawn)' : '') +
              `\n  defaults: ${defaults.text}\n  moved:    ${last.text}`,
            MOVE_TIMEOUT_MS,
          );
          previous = after;
          checked += 1;
        }
      }
    }
  }
  assert.equal(knobsMoved, declared, `every knob the lesson files declare is on its page and moved (${checked} moves checked)`);
  assertClean();
});
