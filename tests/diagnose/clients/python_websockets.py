#!/usr/bin/python3
"""Debian's python3-websockets as a user runs it: websockets.connect(url) with the default SSL
context (the system store, or SSL_CERT_FILE), once per gallery case.

usage: python_websockets.py CASES.json   (CASES.json: [{"id", "url", "subprotocol"?, "cert"?, "key"?}],
cert and key: a client certificate)
Prints one JSON line per case: {"id", "output"}, where output is the last lines of the traceback
Python prints for the exception (each exception of the chain), or "connected: " and what the
socket did when it opened.
"""
import asyncio
import json
import ssl
import sys
import traceback

import websockets


def exception_lines(e):
    lines = []
    while e is not None:
        lines[:0] = traceback.format_exception_only(type(e), e)
        e = e.__cause__ or e.__context__
    return "".join(lines)


async def attempt(case):
    protocols = [case["subprotocol"]] if case.get("subprotocol") else None
    try:
        # Shorter timeouts than the defaults (10 s) only bound the run; the errors are the same.
        extra = {}
        if case.get("cert"):
            # A client certificate, as a user adds one to the default context.
            ctx = ssl.create_default_context()
            ctx.load_cert_chain(case["cert"], case["key"])
            extra["ssl"] = ctx
        async with websockets.connect(case["url"], subprotocols=protocols, open_timeout=5, close_timeout=1,
                                      **extra) as ws:
            await ws.send("hello from python")
            got = await asyncio.wait_for(ws.recv(), 5)
            return 'connected: sent "hello from python", received %s' % json.dumps(got)
    except Exception as e:  # every failure is the output under test
        return exception_lines(e)


async def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    for case in cases:
        print(json.dumps({"id": case["id"], "output": await attempt(case)}), flush=True)


asyncio.run(main())
