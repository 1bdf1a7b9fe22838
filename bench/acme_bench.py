#!/usr/bin/python3
"""`devcert acme` against Debian's Pebble, driven by the same client (Debian's python3-acme).

Usage: /usr/bin/python3 bench/acme_bench.py [DEVCERT_BIN] [ORDERS] [SECONDS] [ROUNDS]

Makes a throw-away CA in a temporary directory, starts `devcert acme --port 0` on it and Pebble on
a free loopback port (its TLS certificate minted by the same CA, so one root verifies both), and
for each server:

- one client: ORDERS orders one after another (at most SECONDS), each timed from newOrder to the
  downloaded certificate;
- 16 clients: 16 processes, each with its own account, ordering for SECONDS; orders per second.

Pebble runs without its artificial sleeps and nonce rejections, and with PEBBLE_VA_ALWAYS_VALID
(its validation authority passes every challenge without looking) and authorization reuse, so that
neither server checks a challenge: devcert authorizes names inside its CA's constraints at once,
Pebble reuses the account's valid authorization. The client still answers a pending challenge, so
the first Pebble order of each account costs one challenge round more; those are the warm-up.

python3-acme's own finalize_order sleeps a whole second before each poll, which would measure the
sleep: the client here posts the finalize and polls the order at once until it is valid, with the
same library calls, against both servers.

Pebble 2.4 sometimes stops answering altogether under 16 concurrent clients (every request times
out; its in-memory store's locking); such a cell is run again on a freshly started Pebble, and the
table's footnote says how often that happened.
"""

import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from acme import client, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
import josepy as jose

HERE = os.path.dirname(os.path.abspath(__file__))
CONCURRENT = 16
NAME = "bench.example.test"  # inside devcert's default constraints (example.test, RFC 2606)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, root, deadline):
    import requests
    while time.monotonic() < deadline:
        try:
            if requests.get(url, verify=root, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise SystemExit(f"no directory at {url}")


def start_devcert(devcert, env, root):
    proc = subprocess.Popen([devcert, "acme", "--port", "0", "--host", "127.0.0.1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if "directory:" in line:
            url = line.split("directory:", 1)[1].strip()
            break
    else:
        raise SystemExit("devcert acme printed no directory: " + proc.stderr.read())
    # Its log (one line per order) goes on being read so that the pipe never fills.
    import threading
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    wait_for(url, root, time.monotonic() + 10)
    return proc, url


def start_pebble(tmp, devcert, env, root):
    cert, key = os.path.join(tmp, "pebble.pem"), os.path.join(tmp, "pebble-key.pem")
    subprocess.run([devcert, "issue", "--cert-file", cert, "--key-file", key, "localhost", "127.0.0.1"],
                   env=env, check=True, capture_output=True)
    port = free_port()
    config = {"pebble": {"listenAddress": f"127.0.0.1:{port}",
                         "managementListenAddress": f"127.0.0.1:{free_port()}",
                         "certificate": cert, "privateKey": key,
                         "httpPort": free_port(), "tlsPort": free_port(),
                         "ocspResponderURL": "", "externalAccountBindingRequired": False}}
    path = os.path.join(tmp, "pebble.json")
    with open(path, "w") as f:
        json.dump(config, f)
    penv = dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0",
                PEBBLE_AUTHZREUSE="100", PEBBLE_VA_ALWAYS_VALID="1")
    proc = subprocess.Popen(["pebble", "-config", path], env=penv, cwd=tmp,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{port}/dir"
    wait_for(url, root, time.monotonic() + 10)
    return proc, url


class Client:
    """One account on one server, and the CSR its orders send."""

    def __init__(self, directory_url, root, csr_pem):
        key = jose.JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        # A request unanswered for 15 s is a server that stopped answering (see many_clients).
        net = client.ClientNetwork(key, alg=jose.ES256, user_agent="devcert-acme-bench", timeout=15)
        net.session.verify = root
        net.verify_ssl = root
        directory = messages.Directory.from_json(net.get(directory_url).json())
        self.acme = client.ClientV2(directory, net)
        self.acme.new_account(messages.NewRegistration.from_data(terms_of_service_agreed=True))
        self.csr_pem = csr_pem

    def order(self):
        """newOrder to the downloaded certificate; returns the PEM chain."""
        orderr = self.acme.new_order(self.csr_pem)
        for authzr in orderr.authorizations:
            if authzr.body.status == messages.STATUS_PENDING:
                chall = next(c for c in authzr.body.challenges if c.chall.typ == "http-01")
                self.acme.answer_challenge(chall, chall.response(self.acme.net.key))
                while self.acme.poll(authzr)[0].body.status == messages.STATUS_PENDING:
                    pass
        body = messages.Order.from_json(
            self.acme._post(orderr.body.finalize, messages.CertificateRequest(
                csr=jose.ComparableX509(load_csr(self.csr_pem)))).json())
        while body.status != messages.STATUS_VALID:
            if body.status == messages.STATUS_INVALID:
                raise RuntimeError(f"order invalid: {body.error}")
            body = messages.Order.from_json(self.acme._post_as_get(orderr.uri).json())
        pem = self.acme._post_as_get(body.certificate).text
        if "BEGIN CERTIFICATE" not in pem:
            raise RuntimeError("no certificate downloaded")
        return pem


def load_csr(pem):
    import OpenSSL
    return OpenSSL.crypto.load_certificate_request(OpenSSL.crypto.FILETYPE_PEM, pem)


def make_csr():
    from acme import crypto_util
    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return crypto_util.make_csr(key, [NAME])


def cpu_seconds(pid):
    """User + system CPU time of a process so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_client(c, orders, seconds):
    """Latencies of up to `orders` orders, one after another."""
    times = []
    end = time.monotonic() + seconds
    start_all = time.monotonic()
    while len(times) < orders and time.monotonic() < end:
        t = time.monotonic()
        c.order()
        times.append(time.monotonic() - t)
    return times, time.monotonic() - start_all


def worker(directory_url, root, barrier, seconds, results):
    done, error = 0, None
    try:
        c = Client(directory_url, root, make_csr())
        c.order()  # warm-up: the account's first order (Pebble's one challenge)
    except Exception as e:  # noqa: BLE001 -- reported by the parent
        error = repr(e)
    barrier.wait()
    end = time.monotonic() + seconds
    while error is None and time.monotonic() < end:
        try:
            c.order()
            done += 1
        except Exception as e:  # noqa: BLE001
            error = repr(e)
    results.put((done, error))


def many_clients(directory_url, root, seconds):
    """Orders per second of CONCURRENT clients, each with its own account, in its own process
    (with threads the client's Python would serialise on the GIL)."""
    barrier, results = multiprocessing.Barrier(CONCURRENT + 1), multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(directory_url, root, barrier, seconds, results))
             for _ in range(CONCURRENT)]
    for p in procs:
        p.start()
    barrier.wait(timeout=120)  # every account registered and warmed up before the clock starts
    outcomes = [results.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    errors = [e for _, e in outcomes if e]
    return sum(n for n, _ in outcomes) / seconds, errors


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    devcert = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "devcert"))
    orders = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with tempfile.TemporaryDirectory(prefix="acme-bench-") as tmp:
        env = dict(os.environ, DEVCERT_CAROOT=os.path.join(tmp, "ca"))
        subprocess.run([devcert, "init"], env=env, check=True, capture_output=True)
        root = os.path.join(tmp, "ca", "rootCA.pem")
        servers = {}
        try:
            servers["devcert"] = start_devcert(devcert, env, root)
            servers["pebble"] = start_pebble(tmp, devcert, env, root)
            for name, (proc, url) in servers.items():
                print(f"{name}: {url} (pid {proc.pid})", file=sys.stderr)
            restart = {"devcert": lambda: start_devcert(devcert, env, root),
                       "pebble": lambda: start_pebble(tmp, devcert, env, root)}
            results = run_rounds(servers, restart, root, orders, seconds, rounds)
        finally:
            for proc, _ in servers.values():
                stop(proc)
    print_table(results, rounds, orders, seconds)


def run_rounds(servers, restart, root, orders, seconds, rounds):
    """The servers take turns, each cell `rounds` times, so that a burst of load from elsewhere on
    the machine lands on both rather than on one."""
    results = {name: {"ms": [], "rate1": [], "rate16": [], "cpu": []} for name in servers}
    clients = {name: Client(url, root, make_csr()) for name, (_, url) in servers.items()}
    for c in clients.values():
        c.order()  # warm-up
    for r in range(rounds):
        order = list(servers) if r % 2 == 0 else list(reversed(servers))
        for name in order:
            proc, url = servers[name]
            cpu = cpu_seconds(proc.pid)
            times, wall = one_client(clients[name], orders, seconds)
            results[name]["cpu"].append((cpu_seconds(proc.pid) - cpu) * 1000 / len(times))
            results[name]["ms"] += [t * 1000 for t in times]
            results[name]["rate1"].append(len(times) / wall)
        for name in order:
            for attempt in range(3):
                rate, errors = many_clients(servers[name][1], root, seconds)
                if not errors:
                    results[name]["rate16"].append(rate)
                    break
                # Pebble 2.4's in-memory store sometimes stops answering under concurrent orders
                # (a lock held for good); the cell is run again on a fresh server and counted.
                print(f"{name} failed {len(errors)} of {CONCURRENT} clients ({errors[0][:160]}); "
                      f"restarting it", file=sys.stderr)
                results[name]["restarts"] = results[name].get("restarts", 0) + 1
                servers[name][0].kill()
                servers[name][0].wait()
                servers[name] = restart[name]()
                clients[name] = Client(servers[name][1], root, make_csr())
                clients[name].order()
        print(f"round {r + 1}: " + ", ".join(
            f"{n}: {v['rate1'][-1]:.1f}/s 1 client, {v['rate16'][-1]:.1f}/s {CONCURRENT} clients"
            for n, v in results.items()), file=sys.stderr)
    return results


def print_table(results, rounds, orders, seconds):
    summary = {}
    for name, v in results.items():
        ms = sorted(v["ms"])
        summary[name] = {"median": statistics.median(ms), "p90": ms[int(0.9 * (len(ms) - 1))],
                         "rate1": statistics.median(v["rate1"]), "rate16": statistics.median(v["rate16"]),
                         "cpu": statistics.median(v["cpu"]), "n": len(ms)}
    d, p = summary["devcert"], summary["pebble"]
    print("| measure | devcert acme | Pebble 2.4 | devcert/pebble |")
    print("| --- | ---: | ---: | ---: |")
    rows = [
        ("newOrder to certificate, median ms (1 client)", "median", "{:.2f}"),
        ("newOrder to certificate, p90 ms (1 client)", "p90", "{:.2f}"),
        ("server CPU ms per order (1 client)", "cpu", "{:.2f}"),
        ("orders/s, 1 client", "rate1", "{:.1f}"),
        (f"orders/s, {CONCURRENT} clients", "rate16", "{:.1f}"),
    ]
    for label, key, fmt in rows:
        print(f"| {label} | {fmt.format(d[key])} | {fmt.format(p[key])} | {d[key] / p[key]:.2f} |")
    print(f"\n{rounds} rounds, the servers taking turns; each round up to {orders} orders one after another "
          f"(at most {seconds:g} s; {d['n']} and {p['n']} timed in all), then {CONCURRENT} clients for "
          f"{seconds:g} s. Medians over the rounds; lower is better for ms, higher for orders/s.")
    for name, v in results.items():
        if v.get("restarts"):
            print(f"{name} stopped answering {v['restarts']} time(s) under {CONCURRENT} clients and was "
                  f"restarted; those cells were run again.")


if __name__ == "__main__":
    main()
