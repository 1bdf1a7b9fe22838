// One wss:// echo with Debian's node-ws and Node's default trust (its built-in roots plus
// NODE_EXTRA_CA_CERTS). Exits 0 when the echo came back. usage: node node_ws.js URL
const WebSocket = require('ws');
const ws = new WebSocket(process.argv[2]);
const timer = setTimeout(() => { console.error('timeout'); process.exit(1); }, 10000);
ws.on('open', () => ws.send('hello from node'));
ws.on('message', (data) => {
  clearTimeout(timer);
  const ok = data.toString() === 'hello from node';
  ws.close();
  process.exitCode = ok ? 0 : 1;
});
ws.on('error', (e) => { console.error(e.code || '', e.message); process.exit(1); });
