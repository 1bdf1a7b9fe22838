#!/usr/bin/node
// A real browser, headless, started once for every gallery case: Debian's Chromium (through
// playwright-core) or Firefox ESR (through puppeteer-core over WebDriver BiDi). HOME holds the
// trust: Chromium's NSS database ~/.pki/nssdb; Firefox's profile is PROFILE_DIR, whose cert9.db
// the test filled.
// usage: browsers.js chromium|firefox CASES.json [PROFILE_DIR]
// CASES.json: [{"id", "url", "kind": "page"|"websocket", "subprotocol"?}]. For "page" the browser
// navigates to the https:// URL and reports the navigation error it shows; for "websocket" a
// blank page's script opens the wss:// URL and the driver reports the console messages the
// browser wrote and the close code the script saw. Prints one JSON line per case: {"id", "output"},
// the output starting "connected: " when the page loaded or the socket opened.
'use strict';
const fs = require('fs');

const [which, casesFile, profileDir] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));

// The page script: what a web page's own code can learn about its socket.
function socketScript([url, subprotocol]) {
  return new Promise((resolve) => {
    const ws = subprotocol ? new WebSocket(url, subprotocol) : new WebSocket(url);
    const seen = [];
    const states = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
    const timer = setTimeout(() => resolve(seen.concat('ws.readyState stays ' + states[ws.readyState]).join('; ')), 5000);
    ws.onopen = () => { seen.push('open'); ws.send('hello from the page'); };
    ws.onmessage = (e) => { seen.push('message ' + JSON.stringify(String(e.data))); ws.close(1000); };
    ws.onerror = () => seen.push('error event');
    ws.onclose = (e) => { clearTimeout(timer); seen.push('close code ' + e.code); resolve(seen.join('; ')); };
  });
}

async function runCase(page, messages, c) {
  if (c.kind === 'websocket') {
    const script = await page.evaluate(socketScript, [c.url, c.subprotocol || '']);
    await new Promise((r) => setTimeout(r, 300));  // console entries arrive after the close event
    return (script.startsWith('open') ? 'connected: ' : '') + 'console: ' + messages.join(' | ') +
           '\npage script: ' + script;
  }
  try {
    const response = await page.goto(c.url, { timeout: 15000 });
    const title = await page.title().catch(() => '');
    const text = await page.evaluate(() => document.body ? document.body.innerText : '').catch(() => '');
    return 'connected: loaded ' + (response ? response.status() : 'no response') + ' ' + page.url() + '\ntitle: ' + title +
           '\n' + text;
  } catch (e) {
    return 'navigation failed: ' + e.message.split('\n')[0];
  }
}

async function chromium() {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A fresh page per case: an error page left by one case never disturbs the next.
  const newPage = async () => {
    const page = await browser.newPage();
    const messages = [];
    // Chromium writes a failed handshake's reason to the DevTools console, never to the page's
    // script.
    const cdp = await page.context().newCDPSession(page);
    cdp.on('Log.entryAdded', (e) => messages.push(e.entry.text));
    cdp.on('Runtime.consoleAPICalled', (e) => messages.push(e.args.map((a) => a.value).join(' ')));
    cdp.on('Runtime.exceptionThrown', (e) => messages.push(e.exceptionDetails.text));
    await cdp.send('Log.enable');
    await cdp.send('Runtime.enable');
    return { page, messages };
  };
  return { newPage, close: () => browser.close() };
}

async function firefox() {
  const puppeteer = require('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, userDataDir: profileDir,
    protocol: 'webDriverBiDi',
    // A server asking for a client certificate gets the profile's matching one, as after a user
    // picked it; a picker would wait forever in a headless browser. (puppeteer writes the
    // profile's user.js itself, so the pref goes here.)
    extraPrefsFirefox: { 'security.default_personal_cert': 'Select Automatically' },
  });
  const newPage = async () => {
    const page = await browser.newPage();
    const messages = [];
    page.on('console', (m) => messages.push(m.text()));
    page.on('pageerror', (e) => messages.push(String(e.message || e)));
    return { page, messages };
  };
  return { newPage, close: () => browser.close() };
}

(async () => {
  const session = which === 'firefox' ? await firefox() : await chromium();
  try {
    for (const c of cases) {
      const { page, messages } = await session.newPage();
      const output = await runCase(page, messages, c).catch((e) => 'driver error: ' + e.message);
      await page.close().catch(() => {});
      console.log(JSON.stringify({ id: c.id, output }));
    }
  } finally {
    await session.close();
  }
})().catch((e) => { console.log(JSON.stringify({ id: '', output: 'driver error: ' + e.stack })); process.exitCode = 3; });
