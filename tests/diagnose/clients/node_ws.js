#!/usr/bin/node
// Debian's node-ws as a user runs it: `new WebSocket(url)` with Node's default trust (plus
// NODE_EXTRA_CA_CERTS, as `devcert env` sets it), once per gallery case.
// usage: node_ws.js CASES.json   (NODE_PATH=/usr/share/nodejs for Debian's ws)
// CASES.json: [{"id", "url", "subprotocol"?, "cert"?, "key"?}] (cert and key: a client certificate). Prints one JSON line per case: {"id", "output"},
// where output is what Node prints for the error (util.inspect, as for an unhandled 'error'), or
// "connected: " and what the socket did when it opened.
'use strict';
const fs = require('fs');
const util = require('util');
const WebSocket = require('ws');

function attempt(c) {
  return new Promise((resolve) => {
    const options = { handshakeTimeout: 5000 };
    // A client certificate, as Node's tls options take it.
    if (c.cert) Object.assign(options, { cert: fs.readFileSync(c.cert), key: fs.readFileSync(c.key) });
    const ws = new WebSocket(c.url, c.subprotocol ? [c.subprotocol] : [], options);
    const done = (output) => { ws.terminate(); resolve(output); };
    ws.once('error', (e) => done(util.inspect(e)));
    ws.once('open', () => {
      ws.send('hello from node');
      ws.once('message', (data) => done('connected: sent "hello from node", received ' + JSON.stringify(data.toString())));
      ws.once('close', (code) => done('connected: closed ' + code));
    });
  });
}

(async () => {
  for (const c of JSON.parse(fs.readFileSync(process.argv[2], 'utf8')))
    console.log(JSON.stringify({ id: c.id, output: await attempt(c) }));
})();
