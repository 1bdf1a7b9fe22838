#!/usr/bin/env node
// Headless Debian Chromium opens devcert's test page and reports what the page shows.
// usage: page.js URL [SCREENSHOT.png]   (HOME must hold the NSS database Chromium trusts)
// Prints "state: ok|failed|pending" and the status text; "navigation failed: <net error>" when
// the page itself does not load. Exits 0 only when the page reports the echo.
'use strict';
const { chromium } = require('playwright-core');

const [url, screenshot] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    try {
      await page.goto(url, { timeout: 20000 });
    } catch (e) {
      console.log('navigation failed: ' + (e.message.match(/net::[A-Z_]+/) || [e.message])[0]);
      process.exitCode = 2;
      return;
    }
    await page.waitForFunction(
        () => document.getElementById('status').dataset.state !== 'pending', null, { timeout: 20000 })
      .catch(() => {});
    const state = await page.$eval('#status', (el) => el.dataset.state);
    console.log('state: ' + state);
    console.log('status: ' + await page.$eval('#status', (el) => el.textContent));
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    process.exitCode = state === 'ok' ? 0 : 1;
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log('error: ' + e.message); process.exitCode = 3; });
