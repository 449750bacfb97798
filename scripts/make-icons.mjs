// Renders resources/icons/fvm.svg to the PNG sizes a Linux desktop and electron-builder want
// (resources/icons/NxN.png), with Debian's Chromium through playwright-core: no ImageMagick needed.
//   node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const svg = readFileSync(path.join(root, 'resources/icons/fvm.svg'), 'utf8');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    const file = path.join(root, `resources/icons/${size}x${size}.png`);
    await page.locator('svg').screenshot({ path: file, omitBackground: true });
    console.log(path.relative(root, file));
  }
} finally {
  await browser.close();
}
