#!/usr/bin/python3
"""Debian's python3-websockets as a client of `devcert serve`.

usage: python_client.py WSS_URL ROOT_PEM
Checks text, binary, fragmented and 1 MiB echoes, ping/pong, close 1000, an application close
code echoed back, and close 1009 for a message over the server's limit. Prints one line per
check; exits 0 only when all passed.
"""
import asyncio
import os
import ssl
import sys

import websockets

URL, ROOT = sys.argv[1], sys.argv[2]
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail else ""), flush=True)
    if not ok:
        failures.append(name)


def tls_context():
    # Only the devcert root: the system store must not be what makes this pass.
    ctx = ssl.create_default_context(cafile=ROOT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


async def main():
    ctx = tls_context()
    async with websockets.connect(URL, ssl=ctx, max_size=None) as ws:
        await ws.send("hello from python ✓")
        check("text echo", await ws.recv() == "hello from python ✓")
        blob = os.urandom(1000)
        await ws.send(blob)
        check("binary echo", await ws.recv() == blob)
        await ws.send(["frag", "ment", "ed"])  # one message in three frames
        check("fragmented echo", await ws.recv() == "fragmented")
        big = os.urandom(1024 * 1024)
        await ws.send(big)
        check("1 MiB echo", await ws.recv() == big)
        pong = await ws.ping(b"python ping")
        await asyncio.wait_for(pong, 10)
        check("ping/pong", True)
        await ws.close(1000, "done")
        check("close 1000", ws.close_code == 1000, "server answered %s" % ws.close_code)

    async with websockets.connect(URL, ssl=ctx) as ws:
        await ws.close(4001, "application code")
        check("close 4001 echoed", ws.close_code == 4001, "server answered %s" % ws.close_code)

    async with websockets.connect(URL, ssl=ctx, max_size=None) as ws:
        await ws.send(b"x" * (5 * 1024 * 1024))
        try:
            await asyncio.wait_for(ws.recv(), 10)
            check("close 1009 over the limit", False, "got an echo")
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            check("close 1009 over the limit", code == 1009, "server sent %s" % code)

    # A client that does not trust the root must fail at TLS, never reach the echo.
    no_roots = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, but trusts nothing
    try:
        async with websockets.connect(URL, ssl=no_roots) as ws:
            check("untrusted root refused", False, "connected")
    except ssl.SSLCertVerificationError as e:
        check("untrusted root refused", True, e.verify_message)
    except (ssl.SSLError, OSError) as e:
        check("untrusted root refused", "CERTIFICATE_VERIFY_FAILED" in str(e), str(e))


asyncio.run(main())
print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
