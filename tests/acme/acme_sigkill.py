#!/usr/bin/python3
"""`devcert acme` killed with SIGKILL under load keeps whatever its clients were told.

Usage: /usr/bin/python3 tests/acme/acme_sigkill.py DEVCERT_BIN

Starts `devcert acme` on a free loopback port with a throw-away CAROOT, runs CLIENTS concurrent
python3-acme clients that register accounts and order certificates, SIGKILLs the server while they
are still sending requests, starts it again on the same CAROOT and port (the account URLs, which
are the clients' key ids, name the port), and checks that every account a client got a Location
for still answers a POST-as-GET signed with its key, and every certificate a client downloaded is
still served, byte for byte, at its URL and named by its order. Exits 77 (skipped) without
python3-acme.
"""

import ipaddress
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

try:
    from acme import client, crypto_util, errors, messages
    import josepy as jose
    import OpenSSL
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    import requests
except ImportError as e:
    print(f"skipped: {e} (Debian: apt-get install python3-acme)")
    sys.exit(77)

CLIENTS = 12
NAMES = ["sigkill.example.test", "127.0.0.1"]
# The kill comes after this many certificates or this long, whichever is first; both bounded so
# the test's length does not depend on the machine's speed.
KILL_AFTER_CERTS = 100
KILL_AFTER_SECONDS = 20
DEADLINE_SECONDS = 90


def start(devcert, env, port):
    proc = subprocess.Popen([devcert, "acme", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    for line in proc.stdout:
        m = re.search(r"directory:\s+(\S+)", line)
        if m:
            url = m.group(1)
            break
    if url is None:
        proc.wait()
        raise SystemExit(f"devcert acme did not start (exit {proc.returncode}): {proc.stderr.read()}")
    # Keep reading its log so that a full pipe never stalls it.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, url


def new_key():
    return jose.JWKEC(key=ec.generate_private_key(ec.SECP256R1()))


def connect(url, root, key, account=None):
    net = client.ClientNetwork(key, account=account, alg=jose.ES256, user_agent="devcert-sigkill-test")
    net.session.verify = root
    net.verify_ssl = root
    return client.ClientV2(messages.Directory.from_json(net.get(url).json()), net)


class Told:
    """What the server told the clients, recorded the moment each answer arrived."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accounts = []  # (key, RegistrationResource)
        self.certificates = []  # (account index, order URL, certificate URL, PEM)
        self.errors_after_kill = 0
        self.killed = threading.Event()
        self.stop = threading.Event()


def load(url, root, told, csr_pem):
    while not told.stop.is_set():
        try:
            key = new_key()
            acme = connect(url, root, key)
            regr = acme.new_account(messages.NewRegistration.from_data(terms_of_service_agreed=True))
            with told.lock:
                told.accounts.append((key, regr))
                index = len(told.accounts) - 1
            for _ in range(3):
                orderr = acme.new_order(csr_pem)
                body = messages.Order.from_json(acme._post(orderr.body.finalize, messages.CertificateRequest(
                    csr=jose.ComparableX509(OpenSSL.crypto.load_certificate_request(
                        OpenSSL.crypto.FILETYPE_PEM, csr_pem)))).json())
                if body.status != messages.STATUS_VALID:
                    raise AssertionError(f"finalize answered {body.status}, not valid")
                pem = acme._post_as_get(body.certificate).text
                with told.lock:
                    told.certificates.append((index, orderr.uri, body.certificate, pem))
        except (requests.RequestException, errors.Error, messages.Error, ValueError, OSError):
            if told.killed.is_set():
                with told.lock:
                    told.errors_after_kill += 1
                return
            raise


def main():
    devcert = os.path.abspath(sys.argv[1])
    failures = []
    with tempfile.TemporaryDirectory(prefix="devcert-acme-sigkill-") as tmp:
        env = dict(os.environ, DEVCERT_CAROOT=os.path.join(tmp, "ca"))
        subprocess.run([devcert, "init"], env=env, check=True, capture_output=True)
        root = os.path.join(tmp, "ca", "rootCA.pem")
        key_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        csr_pem = crypto_util.make_csr(key_pem, [NAMES[0]], ipaddrs=[ipaddress.ip_address(NAMES[1])])

        proc, url = start(devcert, env, 0)
        port = int(re.search(r":(\d+)/", url).group(1))
        told = Told()
        threads = []
        crashed = []

        def run():
            try:
                load(url, root, told, csr_pem)
            except Exception as e:  # a failure before the kill is the test's failure
                crashed.append(repr(e))

        try:
            for _ in range(CLIENTS):
                t = threading.Thread(target=run, daemon=True)
                t.start()
                threads.append(t)
            end = time.monotonic() + KILL_AFTER_SECONDS
            while time.monotonic() < end and len(told.certificates) < KILL_AFTER_CERTS and not crashed:
                time.sleep(0.01)
            told.killed.set()
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            told.stop.set()
            for t in threads:
                t.join(DEADLINE_SECONDS)
            if any(t.is_alive() for t in threads):
                failures.append("a client was still running long after the kill")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if crashed:
            failures.append("a client failed before the kill: " + crashed[0])

        accounts, certificates = list(told.accounts), list(told.certificates)
        print(f"killed with {len(accounts)} accounts and {len(certificates)} certificates told, "
              f"{told.errors_after_kill} clients cut off mid-request")
        if not certificates or not accounts:
            failures.append("no certificate was downloaded before the kill: the load never ran")
        if told.errors_after_kill == 0:
            failures.append("no client was cut off by the kill: it did not come under load")

        proc, url2 = start(devcert, env, port)
        try:
            if url2 != url:
                failures.append(f"restarted at {url2}, not {url}")
            clients = {}
            for i, (key, regr) in enumerate(accounts):
                acme = connect(url, root, key, account=regr)
                clients[i] = acme
                try:
                    r = acme._post_as_get(regr.uri)
                    if r.status_code != 200 or r.json().get("status") != "valid":
                        failures.append(f"account {regr.uri}: {r.status_code} {r.text[:200]}")
                except messages.Error as e:
                    failures.append(f"account {regr.uri} is gone after the kill: {e}")
            for index, order_url, cert_url, pem in certificates:
                acme = clients[index]
                try:
                    again = acme._post_as_get(cert_url).text
                    if again != pem:
                        failures.append(f"{cert_url} serves another PEM after the kill")
                    order = acme._post_as_get(order_url).json()
                    if order.get("status") != "valid" or order.get("certificate") != cert_url:
                        failures.append(f"order {order_url} after the kill: {order}")
                except messages.Error as e:
                    failures.append(f"certificate {cert_url} is gone after the kill: {e}")
            # Revocation finds the certificate in the restarted server's database too.
            if certificates:
                index, _, _, pem = certificates[-1]
                cert = jose.ComparableX509(OpenSSL.crypto.load_certificate(
                    OpenSSL.crypto.FILETYPE_PEM, pem.encode()))
                try:
                    clients[index].revoke(cert, 0)
                except messages.Error as e:
                    failures.append(f"revoking a certificate downloaded before the kill: {e}")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    for f in failures[:20]:
        print("FAIL:", f)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print(f"ok: {len(accounts)} accounts and {len(certificates)} certificates survived the SIGKILL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
