// The app's browser benchmark (not a test: it reports figures and asserts nothing).
// For every lesson experiment: the time from a slider move to the redrawn charts (the run in
// the engine's worker, the report sent back and read, the charts drawn; median and p95 over
// many moves); the engine's invocations per second in WebAssembly (the validation page); the
// time to first interaction and to a lesson's text and first charts on localhost; and the
// gzip size of dist/.
// Run by `cargo xtask bench` after a release build, or: node tests/bench/app-bench.mjs

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { distDir, experimentsBuilt, launch, startServer } from '../browser/harness.mjs';

const MOVES = Number(process.env.BENCH_MOVES || 30);
// BENCH_LESSONS=caching,capstone times only those lessons (all of them by default).
const ONLY = (process.env.BENCH_LESSONS || '').split(',').filter(Boolean);

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function distSize(dir) {
  let raw = 0;
  let gz = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      const sub = distSize(p);
      raw += sub.raw;
      gz += sub.gz;
    } else {
      const data = readFileSync(p);
      raw += data.length;
      gz += gzipSync(data, { level: 9 }).length;
    }
  }
  return { raw, gz };
}

const server = await startServer(distDir);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
try {
  // Time to first interaction: navigation start to the lesson list being clickable.
  await page.goto(`${server.url}/#/`);
  await page.locator('#lesson-list li a').first().waitFor();
  const tti = await page.evaluate(() => performance.now());

  // A lesson opened from a link: its text readable (the frame that first paints the prose), then its first
  // charts (the worker loaded, the engine run, the report drawn), in a fresh tab.
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The frame that paints the text: the first animation frame after the text is in the page.
  await fresh.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('article.lesson .prose p')) {
        observer.disconnect();
        requestAnimationFrame(() => { window.__lessonText = performance.now(); });
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await fresh.goto(`${server.url}/#/lesson/cold-starts`);
  const lessonText = await (await fresh.waitForFunction(() => window.__lessonText)).jsonValue();
  await fresh.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.getAttribute('data-run'));
  const lessonCharts = await fresh.evaluate(() => performance.now());
  await fresh.close();

  const ids = (await page.locator('#lesson-list li a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
    .filter((href) => ONLY.length === 0 || ONLY.includes(href.replace('#/lesson/', '')));
  const rows = [];
  for (const href of ids) {
    await page.goto(`${server.url}/${href}`);
    const experiments = page.locator('section.experiment');
    await experimentsBuilt(page);
    // A learner reads for a moment before reaching for a slider: let the page settle (the
    // browser finishes compiling the wasm's hot code in the background after the first runs).
    await page.waitForTimeout(1000);
    const n = await experiments.count();
    for (let e = 0; e < n; e++) {
      const exp = experiments.nth(e);
      const id = await exp.getAttribute('data-experiment');
      const slider = exp.locator('.controls input[type=range]').first();
      if ((await slider.count()) === 0) continue;
      // Each move: set the slider to a new position, fire `input`, and wait until the page shows
      // a new run (`data-run`) and every chart has drawn it in the charts worker; no frame wait is
      // included. A position the slider snaps back to its previous value is skipped: it runs
      // nothing.
      const times = await slider.evaluate(async (input, moves) => {
        // Yield to the event loop without setTimeout's 4 ms clamp on nested timers, so the
        // wait adds nothing measurable: a message on a channel is a task of its own.
        const yieldNow = () => new Promise((r) => {
          const c = new MessageChannel();
          c.port1.onmessage = () => r();
          c.port2.postMessage(0);
        });
        const verdict = input.closest('section.experiment').querySelector('[data-testid="verdict"]');
        const out = [];
        const min = Number(input.min);
        const max = Number(input.max);
        for (let i = 0; i < moves; i++) {
          const target = min + ((i * 7919) % 97) / 96 * (max - min);
          const before = verdict.getAttribute('data-run');
          const was = input.value;
          input.value = String(target);
          if (input.value === was) continue;
          const t0 = performance.now();
          input.dispatchEvent(new Event('input', { bubbles: true }));
          let k = 0;
          for (; k < 2000 && verdict.getAttribute('data-run') === before; k++) {
            await yieldNow();
          }
          // Then until every chart of the experiment shows the run it is given (the charts
          // worker answers each drawing).
          const section = input.closest('section.experiment');
          const painted = () => [...section.querySelectorAll('canvas[data-chart]')].every(
            (c) => !c.dataset.run || c.dataset.run === c.dataset.drawnRun,
          );
          for (; k < 2000 && !painted(); k++) {
            await yieldNow();
          }
          await yieldNow();
          const draw = [...section.querySelectorAll('canvas[data-draw-ms]')].reduce((a, c) => a + Number(c.getAttribute('data-draw-ms')), 0);
          if (k < 2000) out.push([performance.now() - t0, Number(verdict.getAttribute('data-engine-ms')), draw]);
        }
        return out;
      }, MOVES);
      const total = times.map((x) => x[0]).sort((a, b) => a - b);
      const engine = times.map((x) => x[1]).sort((a, b) => a - b);
      const draw = times.map((x) => x[2]).sort((a, b) => a - b);
      rows.push({
        experiment: `${href.replace('#/lesson/', '')}/${id}`,
        median_ms: quantile(total, 0.5),
        p95_ms: quantile(total, 0.95),
        engine_ms: quantile(engine, 0.5),
        draw_ms: quantile(draw, 0.5),
      });
    }
  }

  await page.goto(`${server.url}/#/validation`);
  await page.locator('[data-testid="run-validation"]').click();
  const rateEl = page.locator('[data-testid="wasm-rate"]');
  await rateEl.waitFor({ timeout: 120_000 });
  const wasmRate = Number(await rateEl.getAttribute('data-invocations-per-s'));

  const size = distSize(distDir);
  console.log('\nRe-run + redraw after a slider move (ms):');
  console.log('experiment'.padEnd(44), 'median'.padStart(8), 'p95'.padStart(8), 'engine (median)'.padStart(16), 'charts (median)'.padStart(16));
  for (const r of rows) {
    console.log(r.experiment.padEnd(44), r.median_ms.toFixed(1).padStart(8), r.p95_ms.toFixed(1).padStart(8), r.engine_ms.toFixed(1).padStart(16), r.draw_ms.toFixed(1).padStart(16));
  }
  const worst = Math.max(...rows.map((r) => r.p95_ms));
  console.log(`\nworst p95: ${worst.toFixed(1)} ms`);
  console.log(`engine in wasm: ${Math.round(wasmRate).toLocaleString('en-US')} invocations per second (target 2,000,000)`);
  console.log(`first interaction: ${tti.toFixed(0)} ms after navigation start (target 1,000 ms)`);
  console.log(`a lesson from a link: text readable at ${lessonText.toFixed(0)} ms (target 500 ms), first charts at ${lessonCharts.toFixed(0)} ms`);
  console.log(`dist/: ${(size.raw / 1024).toFixed(1)} KiB, ${(size.gz / 1024).toFixed(1)} KiB gzipped (the wasm files: cargo xtask sizes)`);
} finally {
  await browser.close();
  await server.close();
}
