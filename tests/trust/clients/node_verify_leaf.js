// node node_verify_leaf.js ROOT.pem LEAF.pem KEY.pem HOST: a TLS server on a loopback ephemeral
// port serves LEAF, and Node's own client connects to it trusting ROOT alone (`ca:`), checking
// HOST. Prints "authorized HOST" and exits 0, or prints why and exits 1.
const fs = require('fs');
const tls = require('tls');
const [root, leaf, key, host] = process.argv.slice(2);
const server = tls.createServer({ cert: fs.readFileSync(leaf), key: fs.readFileSync(key) }, (s) => s.end());
server.listen(0, '127.0.0.1', () => {
  const socket = tls.connect({ host: '127.0.0.1', port: server.address().port, servername: host,
                               ca: [fs.readFileSync(root)] }, () => {
    console.log('authorized ' + host);
    socket.end();
    server.close();
  });
  socket.on('error', (e) => {
    console.log('rejected ' + host + ': ' + e.code + ' ' + e.message);
    server.close();
    process.exitCode = 1;
  });
});
