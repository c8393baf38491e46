// Screenshot of one element: node tools/shot-el.mjs '<hash>' '<css selector>' out.png [width] [dark]
import { startServer, launch, distDir } from '../browser/harness.mjs';
const [hash, selector, file, width = '1280', dark] = process.argv.slice(2);
const server = await startServer(distDir);
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: Number(width), height: 900 }, colorScheme: dark ? 'dark' : 'light' });
  const page = await context.newPage();
  await page.goto(`${server.url}/${hash}`);
  await page.waitForTimeout(1000);
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded();
  await el.screenshot({ path: file });
  console.log(file);
} finally {
  await browser.close();
  await server.close();
}
