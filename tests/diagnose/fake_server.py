#!/usr/bin/env python3
"""Deliberately broken servers for the verify-server URL gallery, on 127.0.0.1 only.

Usage: fake_server.py MODE [CERT KEY]
Prints the chosen port on the first line of stdout, then serves until killed (the test kills
it; a watchdog ends it after 120 s in any case).

Modes: tls (a correct wss echo server; a request that is no upgrade gets a 200 page), tls11
(TLS 1.1 only), nocipher (TLS 1.2 with only NULL ciphers, which no client offers: the handshake
fails for a reason other than the version), plain (HTTP without TLS; a TLS hello gets 400 at once), status404, status403, nosubprotocol, badaccept, wrongecho (answers "Echo", like the seed
article's server), blackhole (a full accept queue: connects time out), silent (accepts TCP,
never answers the TLS hello).
"""
import base64
import hashlib
import socket
import ssl
import struct
import sys
import threading
import time

from http_head import header, read_head

MODE = sys.argv[1]
CERT = sys.argv[2] if len(sys.argv) > 2 else None
KEY = sys.argv[3] if len(sys.argv) > 3 else None
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

threading.Timer(120, lambda: __import__("os")._exit(0)).start()


def tls_context(max_version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # Level 0 so that 1024-bit keys and TLS 1.1 can be served at all: they are the point.
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    if max_version:
        ctx.minimum_version = max_version
        ctx.maximum_version = max_version
    if MODE == "nocipher":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("eNULL:@SECLEVEL=0")
    ctx.load_cert_chain(CERT, KEY)
    return ctx


def read_frame(conn):
    b0, b1 = conn.recv(1)[0], conn.recv(1)[0]
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", conn.recv(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", conn.recv(8))[0]
    mask = conn.recv(4) if b1 & 0x80 else b"\0\0\0\0"
    data = b""
    while len(data) < n:
        data += conn.recv(n - len(data))
    return b0 & 0x0F, bytes(c ^ mask[i % 4] for i, c in enumerate(data))


def send_frame(conn, opcode, payload):
    head = bytes([0x80 | opcode])
    head += bytes([len(payload)]) if len(payload) < 126 else b"\x7e" + struct.pack(">H", len(payload))
    conn.sendall(head + payload)


def websocket(conn):
    head = read_head(conn)
    key = header(head, "sec-websocket-key")
    if not key and MODE not in ("status404", "status403"):
        # A browser opening https://HOST:PORT/ (not an upgrade) gets a page: the client tests
        # tell "connected" from a hang.
        body = ("fake_server " + MODE + "\n").encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        return
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    if MODE == "status404":
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return
    if MODE == "status403":
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        return
    if MODE == "badaccept":
        accept = base64.b64encode(b"0" * 20).decode()
    extra = ""
    proto = header(head, "sec-websocket-protocol")
    if proto and MODE != "nosubprotocol":
        extra = "Sec-WebSocket-Protocol: " + proto.split(",")[0].strip() + "\r\n"
    conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: " + accept + "\r\n" + extra + "\r\n").encode())
    while True:
        opcode, payload = read_frame(conn)
        if opcode == 8:
            send_frame(conn, 8, payload[:2])
            return
        if opcode in (1, 2):
            send_frame(conn, opcode, b"Echo" if MODE == "wrongecho" else payload)


def handle(conn, ctx):
    try:
        if MODE == "silent":
            time.sleep(60)
            return
        if MODE == "plain":
            # A TLS hello cannot start an HTTP request: like Node's http server, answer 400 at
            # once rather than wait for a head that never comes.
            if conn.recv(1, socket.MSG_PEEK) != b"\x16":
                read_head(conn)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        conn = ctx.wrap_socket(conn, server_side=True)
        websocket(conn)
    except Exception:
        pass
    finally:
        try:
            conn.close()
        except Exception:
            pass


def main():
    ctx = None
    if MODE not in ("plain", "blackhole", "silent"):
        ctx = tls_context(ssl.TLSVersion.TLSv1_1 if MODE == "tls11" else None)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    if MODE == "blackhole":
        # Never accept, and fill the accept queue: further SYNs are dropped, so connects hang.
        srv.listen(0)
        fillers = []
        for _ in range(4):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(c)
        time.sleep(0.2)
        print(port, flush=True)
        time.sleep(120)
        return
    srv.listen(16)
    print(port, flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, ctx), daemon=True).start()


main()
