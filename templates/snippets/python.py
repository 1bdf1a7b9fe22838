#!/usr/bin/env python3
"""Python serving wss:// (an echo server) on localhost:{{port}} with a devcert certificate.

Made by `devcert snippet python`. Save it as server.py and run:
    pip install websockets && python3 server.py
(Debian: apt install python3-websockets)
Browsers trust the certificate once the devcert root is trusted: run `devcert install`.
Python clients using requests read REQUESTS_CA_BUNDLE: eval "$(devcert env)" sets it.
"""
import asyncio
import ssl

import websockets

CERT_FILE = {{cert}}
KEY_FILE = {{key}}
PORT = {{port}}


async def echo(websocket):
    async for message in websocket:
        await websocket.send(message)


async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(CERT_FILE, KEY_FILE)
    # "localhost" listens on each of its addresses: 127.0.0.1 and ::1.
    async with websockets.serve(echo, "localhost", PORT, ssl=context) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on wss://localhost:{port}/", flush=True)
        await asyncio.Future()  # serve until interrupted


asyncio.run(main())
