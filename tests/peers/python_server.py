#!/usr/bin/python3
"""Debian's python3-websockets as an echo server for devcert's client.

usage: python_server.py CERT_PEM KEY_PEM [CLIENT_CA_PEM]
Listens on 127.0.0.1 and ::1 on one free port, prints "listening PORT", echoes until killed.
With CLIENT_CA_PEM, every client must present a certificate issued by that CA (mutual TLS).
"""
import asyncio
import ssl
import sys

import websockets


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    if len(sys.argv) > 3:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(sys.argv[3])
    server = await websockets.serve(echo, "127.0.0.1", 0, ssl=ctx, max_size=None)
    port = server.sockets[0].getsockname()[1]
    await websockets.serve(echo, "::1", port, ssl=ctx, max_size=None)
    print("listening %d" % port, flush=True)
    await asyncio.Future()


asyncio.run(main())
