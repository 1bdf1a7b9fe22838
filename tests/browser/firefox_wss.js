#!/usr/bin/env node
// Headless Debian Firefox ESR, on the profile it resolves itself from the name (-P NAME: its own
// profiles.ini, wherever $HOME and $XDG_CONFIG_HOME make it), opens devcert's test page, which
// makes a wss:// connection to the same server, sends one message and shows the echo. Driven
// over WebDriver BiDi with puppeteer-core.
// usage: firefox_wss.js PROFILE_NAME https://localhost:PORT/
// Prints "echo: <text>" and exits 0 on the echo; "failed: <how>" and exits 1 otherwise.
'use strict';
const { spawn } = require('child_process');
const puppeteer = require('puppeteer-core');

const [profile, url] = process.argv.slice(2);

// Firefox prints "WebDriver BiDi listening on ws://127.0.0.1:PORT" once its remote agent is up.
function startFirefox() {
  const child = spawn('/usr/bin/firefox-esr',
                      ['--headless', '--no-remote', '-P', profile, '--remote-debugging-port=0'],
                      { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('no BiDi endpoint after 60 s: ' + err)), 60000);
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const m = err.match(/WebDriver BiDi listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve({ child, endpoint: m[1] }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error('firefox exited ' + code + ': ' + err)); });
  });
}

(async () => {
  const { child, endpoint } = await startFirefox();
  let browser;
  try {
    browser = await puppeteer.connect({ browserWSEndpoint: endpoint + '/session', protocol: 'webDriverBiDi' });
    const page = (await browser.pages())[0] || await browser.newPage();
    // devcert's test page: served over https by the same server, it opens wss:// to it, sends
    // one message and shows the echo in #status. A certificate Firefox refuses fails the load.
    try {
      await page.goto(url, { timeout: 20000 });
    } catch (e) {
      console.log('failed: navigation: ' + e.message.split('\n')[0]);
      process.exitCode = 1;
      return;
    }
    await page.waitForFunction(
        () => document.getElementById('status').dataset.state !== 'pending', { timeout: 20000 })
      .catch(() => {});
    const state = await page.$eval('#status', (el) => el.dataset.state);
    const text = await page.$eval('#status', (el) => el.textContent);
    console.log(state === 'ok' ? 'echo: ' + text : 'failed: page state ' + state + ': ' + text);
    process.exitCode = state === 'ok' ? 0 : 1;
  } finally {
    if (browser) await browser.disconnect().catch(() => {});
    child.kill('SIGTERM');
  }
})().catch((e) => { console.log('error: ' + e.message); process.exitCode = 3; });
