#!/usr/bin/env node
// Debian's node-ws as an echo server for devcert's client.
// usage: node_server.js CERT_PEM KEY_PEM [CLIENT_CA_PEM]  -> prints "listening PORT" (127.0.0.1 and ::1)
// With CLIENT_CA_PEM, every client must present a certificate issued by that CA (mutual TLS).
'use strict';
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const options = { cert: fs.readFileSync(process.argv[2]), key: fs.readFileSync(process.argv[3]) };
if (process.argv[4]) Object.assign(options, { requestCert: true, rejectUnauthorized: true, ca: fs.readFileSync(process.argv[4]) });
function serve(host, port, ready) {
  const server = https.createServer(options);
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  server.listen(port, host, () => ready(server.address().port));
}
serve('127.0.0.1', 0, (port) => serve('::1', port, () => console.log('listening ' + port)));
