// Profiles slider moves on one lesson experiment with the browser's sampling profiler and
// prints the functions with the most self time:
//   LAMBDA_LAB_DIST=<dir> node tests/tools/profile-moves.mjs <lesson> [experiment index] [moves]
// dist/ has no function names; for a copy with them, after a release build:
//   cp -r dist target/dist-prof
//   wasm-bindgen --target web --keep-debug --out-dir target/wb --out-name app \
//     target/wasm32-unknown-unknown/release/app.wasm
//   wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
//     --enable-mutable-globals --enable-reference-types --enable-multivalue \
//     target/wb/app_bg.wasm -o target/dist-prof/app_bg.wasm && cp target/wb/app.js target/dist-prof/
import { launch, startServer, distDir } from '../browser/harness.mjs';

const [lesson = 'caching', index = '0', moves = '40'] = process.argv.slice(2);
const server = await startServer(distDir);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}/#/lesson/${lesson}`);
  const exp = page.locator('section.experiment').nth(Number(index));
  await exp.waitFor();
  await page.waitForTimeout(1500);
  const client = await page.context().newCDPSession(page);
  await client.send('Profiler.enable');
  await client.send('Profiler.setSamplingInterval', { interval: 100 });
  await client.send('Profiler.start');
  const slider = exp.locator('.controls input[type=range]').first();
  await slider.evaluate(async (input, n) => {
    const verdict = input.closest('section.experiment').querySelector('[data-testid="verdict"]');
    const yieldNow = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
    const min = Number(input.min), max = Number(input.max);
    for (let i = 0; i < n; i++) {
      const before = verdict.getAttribute('data-run');
      input.value = String(min + ((i * 7919) % 97) / 96 * (max - min));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      for (let k = 0; k < 2000 && verdict.getAttribute('data-run') === before; k++) await yieldNow();
      await yieldNow();
    }
  }, Number(moves));
  const { profile } = await client.send('Profiler.stop');
  const self = new Map();
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    dt.set(profile.samples[i], (dt.get(profile.samples[i]) || 0) + (profile.timeDeltas[i] || 0));
  }
  let total = 0;
  for (const node of profile.nodes) {
    const us = dt.get(node.id) || 0;
    total += us;
    const name = node.callFrame.functionName || `(${node.callFrame.url.split('/').pop() || 'program'})`;
    self.set(name, (self.get(name) || 0) + us);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45);
  console.log(`total ${(total / 1000).toFixed(0)} ms over ${moves} moves`);
  for (const [name, us] of rows) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
} finally {
  await browser.close();
  await server.close();
}
