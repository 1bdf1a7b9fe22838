#!/usr/bin/env python3
"""Where real TLS clients give up on a leaf with many names.

Issues leaves with N subject names (hNNNNN.test, as devcert would for a long name list) from a
throwaway CAROOT, serves each with `openssl s_server` on loopback, and tries every client it
finds: openssl s_client, Python ssl, Node tls, gnutls-cli, NSS tstclnt, headless Chromium.
Prints one line per (N, DER size) with each client's verdict, then the largest size each
client accepted. The devcert used must predate the leaf-size limit (or have it raised) to
see the failures: DEVCERT=/path/to/devcert bench/leaf_size_clients.py [N ...]

OpenSSL, Python and Node verify the chain against the root; tstclnt (-o) and Chromium
(--ignore-certificate-errors) only complete the handshake: what is measured is the size at
which each client's TLS stack refuses the Certificate message.
"""
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

DEVCERT = os.environ.get("DEVCERT", "build/devcert")
NODE_CLIENT = r"""
const tls = require('tls'), fs = require('fs');
const s = tls.connect({host: '127.0.0.1', port: +process.argv[1], servername: 'h0.test',
                       ca: fs.readFileSync(process.argv[2])}, () => { console.log('ok'); s.end(); });
s.on('error', e => { console.log('fail ' + e.message); process.exit(1); });
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, **kw):
    kw.setdefault("text", True)
    return subprocess.run(argv, capture_output=True, timeout=60, **kw)


def short(text):
    for line in text.splitlines():
        if any(w in line.lower() for w in ("excessive", "too large", "error", "fail", "record_overflow")):
            return line.strip()[:90]
    return text.strip().splitlines()[-1][:90] if text.strip() else "?"


def client_openssl(port, root):
    r = run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "h0.test",
             "-CAfile", root, "-verify_return_error", "-brief"], input="")
    said = r.stdout + r.stderr
    return "ok" if r.returncode == 0 and "Verification: OK" in said else short(said)


def client_python(port, root):
    ctx = ssl.create_default_context(cafile=root)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
            with ctx.wrap_socket(raw, server_hostname="h0.test"):
                return "ok"
    except (ssl.SSLError, OSError) as e:
        return str(e)[:90]


def client_node(port, root):
    r = run(["node", "-e", NODE_CLIENT, str(port), root])
    return "ok" if r.stdout.strip() == "ok" else short(r.stdout + r.stderr)


def client_gnutls(port, root):
    r = run(["gnutls-cli", "--x509cafile", root, "--verify-hostname", "h0.test", "--sni-hostname", "h0.test",
             "-p", str(port), "127.0.0.1"], input="")
    return "ok" if "Handshake was completed" in r.stdout else short(r.stdout + r.stderr)


def client_nss(port, root):
    r = run(["tstclnt", "-h", "127.0.0.1", "-p", str(port), "-a", "h0.test", "-D", "-o", "-Q"], input="")
    said = r.stdout + r.stderr
    return "ok" if r.returncode == 0 and "error" not in said.lower() else short(said)


def client_chromium(port, root):
    with tempfile.TemporaryDirectory() as profile:
        r = run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                 "--enable-logging=stderr",
                 "--ignore-certificate-errors", "--dump-dom", f"https://127.0.0.1:{port}/"],
                env=dict(os.environ, HOME=profile))  # its dconf and crash reports stay in the temp dir
    if "s_server" in r.stdout or "Ciphers" in r.stdout:
        return "ok"
    error = re.search(r"ERR_[A-Z_]+", r.stdout) or re.search(r"Page load failed: net::(ERR_[A-Z_]+)", r.stderr)
    return error.group(error.lastindex or 0) if error else "no page"


CLIENTS = [("openssl", "openssl", client_openssl), ("python", "python3", client_python),
           ("node", "node", client_node), ("gnutls", "gnutls-cli", client_gnutls),
           ("nss", "tstclnt", client_nss), ("chromium", "chromium", client_chromium)]


def main():
    counts = [int(a) for a in sys.argv[1:]] or [1000, 4000, 6000, 6400, 6600, 6800, 7000, 8000, 10000, 15000, 20000]
    clients = [(name, fn) for name, tool, fn in CLIENTS if shutil.which(tool)]
    best = {name: (0, 0) for name, _ in clients}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DEVCERT_CAROOT=os.path.join(tmp, "ca"))
        subprocess.run([DEVCERT, "init"], env=env, check=True, capture_output=True)
        root = os.path.join(tmp, "ca", "rootCA.pem")
        for n in counts:
            names = [f"h{i}.test" for i in range(n)]
            cert, key = os.path.join(tmp, "leaf.pem"), os.path.join(tmp, "leaf-key.pem")
            r = subprocess.run([DEVCERT, "issue", "--cert-file", cert, "--key-file", key, *names], env=env,
                               capture_output=True, text=True, cwd=tmp)
            if r.returncode != 0:
                print(f"{n:6d} names: devcert refused: {r.stderr.strip()[:120]}")
                continue
            der = len(run(["openssl", "x509", "-in", cert, "-outform", "DER"], text=False).stdout)
            port = free_port()
            server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert,
                                       "-key", key, "-www", "-quiet"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            try:
                for _ in range(100):
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        time.sleep(0.05)
                verdicts = []
                for name, fn in clients:
                    v = fn(port, root)
                    if v == "ok" and der > best[name][1]:
                        best[name] = (n, der)
                    verdicts.append(f"{name}={v}")
                print(f"{n:6d} names, leaf DER {der:7d} bytes: " + "; ".join(verdicts), flush=True)
            finally:
                server.kill()
                server.wait()
    for name, (n, der) in best.items():
        print(f"largest accepted by {name}: {n} names, {der} bytes")


if __name__ == "__main__":
    main()
