// Takes screenshots of the built dist/ at desktop and phone widths, light and dark, into
// tests/screenshots/ (not committed), for a person to look at. Usage: node tools/screenshots.mjs [hash...]
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { startServer, launch, distDir, repoRoot } from '../browser/harness.mjs';

const hashes = process.argv.slice(2);
if (hashes.length === 0) hashes.push('#/', '#/lesson/invocation');
const out = path.join(repoRoot, 'tests', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer(distDir);
const browser = await launch();
try {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 812 }]]) {
    for (const scheme of ['light', 'dark']) {
      const context = await browser.newContext({ viewport, colorScheme: scheme });
      const page = await context.newPage();
      for (const hash of hashes) {
        await page.goto(`${server.url}/${hash}`);
        await page.waitForTimeout(Number(process.env.SHOT_WAIT_MS ?? 800));
        const file = path.join(out, `${hash.replace(/[^a-z0-9]+/gi, '_')}-${name}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
