#!/usr/bin/python3
"""One wss:// echo with Debian's python3-websockets and the default SSL context (the system
store): exits 0 when the echo came back, 1 with the error otherwise. usage: python_ws.py URL"""
import asyncio
import sys

import websockets


async def main(url):
    async with websockets.connect(url, open_timeout=10) as ws:
        await ws.send("hello from python")
        reply = await asyncio.wait_for(ws.recv(), 10)
        return reply == "hello from python"


try:
    sys.exit(0 if asyncio.run(main(sys.argv[1])) else 1)
except Exception as e:  # the point is the message: CERTIFICATE_VERIFY_FAILED or not
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
