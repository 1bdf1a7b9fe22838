// Node.js serving https:// and wss:// (an echo server) on localhost:{{port}} with a devcert
// certificate. Made by `devcert snippet node`. Save it as server.js and run:
//   npm install ws && node server.js
// (Debian: apt install node-ws, then NODE_PATH=/usr/share/nodejs node server.js)
// Browsers trust the certificate once the devcert root is trusted: run `devcert install`.
// Node clients ignore the system store: eval "$(devcert env)" sets NODE_EXTRA_CA_CERTS for them.
'use strict';
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const server = https.createServer({
  cert: fs.readFileSync({{cert}}),
  key: fs.readFileSync({{key}}),
  minVersion: 'TLSv1.2',
}, (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello over TLS\n');
});

const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});

server.listen({{port}}, 'localhost', () => {
  const { port } = server.address();
  console.log(`listening on https://localhost:${port}/ and wss://localhost:${port}/`);
});
