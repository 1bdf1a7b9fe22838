#!/usr/bin/env node
// Debian's node-ws as a client of `devcert serve`.
// usage: node_client.js WSS_URL ROOT_PEM   (NODE_PATH=/usr/share/nodejs for Debian's ws)
// Checks text, binary, fragmented and 1 MiB echoes, ping/pong, close 1000, an application close
// code echoed back, and close 1009 over the server's limit. Exits 0 only when all passed.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const WebSocket = require('ws');

const [url, rootFile] = process.argv.slice(2);
const ca = fs.readFileSync(rootFile);  // only the devcert root, not Node's bundled store
let failures = 0;
function check(name, ok, detail) {
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (detail ? ': ' + detail : ''));
  if (!ok) failures++;
}

function open(options = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca, maxPayload: 0, ...options });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
function next(ws) {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
}
function closed(ws) {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

async function main() {
  let ws = await open();
  ws.send('hello from node ✓');
  let m = await next(ws);
  check('text echo', !m.isBinary && m.data.toString() === 'hello from node ✓');
  const blob = crypto.randomBytes(1000);
  ws.send(blob);
  m = await next(ws);
  check('binary echo', m.isBinary && Buffer.compare(m.data, blob) === 0);
  ws.send('frag', { fin: false });
  ws.send('ment', { fin: false });
  ws.send('ed', { fin: true });
  m = await next(ws);
  check('fragmented echo', m.data.toString() === 'fragmented');
  const big = crypto.randomBytes(1024 * 1024);
  ws.send(big);
  m = await next(ws);
  check('1 MiB echo', Buffer.compare(m.data, big) === 0);
  const pong = new Promise((resolve) => ws.once('pong', (data) => resolve(data.toString())));
  ws.ping('node ping');
  check('ping/pong', (await pong) === 'node ping');
  let done = closed(ws);
  ws.close(1000, 'done');
  let code = await done;
  check('close 1000', code === 1000, 'server answered ' + code);

  ws = await open();
  done = closed(ws);
  ws.close(4001, 'application code');
  code = await done;
  check('close 4001 echoed', code === 4001, 'server answered ' + code);

  ws = await open();
  done = closed(ws);
  ws.on('error', () => {});
  ws.send(Buffer.alloc(5 * 1024 * 1024, 120));
  code = await done;
  check('close 1009 over the limit', code === 1009, 'server sent ' + code);

  try {
    const untrusted = await open({ ca: [] });
    untrusted.terminate();
    check('untrusted root refused', false, 'connected');
  } catch (e) {
    check('untrusted root refused', /certificate/i.test(e.code + e.message), e.code);
  }
}

main().then(
  () => { console.log(failures + ' failed'); process.exit(failures ? 1 : 0); },
  (e) => { console.log('FAIL ' + e.stack); process.exit(1); });
