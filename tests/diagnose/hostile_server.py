#!/usr/bin/env python3
"""Hostile servers for `devcert verify-server URL`: real TLS on 127.0.0.1 that then misbehaves.

Usage: hostile_server.py MODE CERT KEY
Prints the chosen port on the first line of stdout, then serves until killed (the test kills
it; a watchdog ends it after 120 s in any case).

Modes (after a correct TLS handshake unless said otherwise):
  tls            a correct wss echo server (with CERT/KEY of the test's choosing)
  reset_hello    (no TLS) reads the TLS hello, then resets the connection
  reset          resets the connection (SO_LINGER 0) right after the handshake
  dribble        sends a correct 101 answer one byte every 0.5 s
  silent         reads the upgrade request and never answers
  silent_echo    answers 101, then never answers a message
  escape_status  answers 404 with terminal escapes in the reason phrase
  escape_upgrade answers 101 with terminal escapes in the Upgrade header
  escape_accept  answers 101 with terminal escapes in Sec-WebSocket-Accept
  escape_subprotocol  selects a subprotocol full of terminal escapes
  escape_echo    answers the message with a binary one of terminal escapes and bytes that are not UTF-8
  bad_utf8       answers the message with a text message that is not UTF-8
  fin_echo       closes the connection (no close frame) instead of answering the message
  escape_close   answers the message with a close frame whose reason holds terminal escapes (UTF-8)
  status_404     answers 404 Not Found
  wrong_upgrade  answers 101 with 'Upgrade: h2c'
  wrong_accept   answers 101 with a wrong Sec-WebSocket-Accept
  subprotocol    selects a subprotocol that was not requested
  frame_2_63     answers the message with a frame header announcing 2^63 bytes
  frame_huge     answers with a frame header announcing 2^62 bytes
  frame_rsv      answers with a frame that has a reserved bit set
  header_flood   answers 101, then endless header lines
  ping_flood     answers 101, then endless pings
  data_flood     answers 101, then an endless fragmented message
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

MODE, CERT, KEY = sys.argv[1], sys.argv[2], sys.argv[3]
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ESC = b"\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b\xc2\x9b"  # retitle, clear, red, C1 CSI (raw and UTF-8)
# What a WebSocket text (or close reason) may carry: valid UTF-8, so only the C1 CSI as UTF-8.
ESC_UTF8 = b"\x1b]0;pwned\x07\x1b[2J\x1b[31m\xc2\x9b"

threading.Timer(120, lambda: __import__("os")._exit(0)).start()


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(conn):
    b0, b1 = recv_exact(conn, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", recv_exact(conn, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", recv_exact(conn, 8))[0]
    mask = recv_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
    data = recv_exact(conn, n)
    return b0 & 0x0F, bytes(c ^ mask[i % 4] for i, c in enumerate(data))


def frame(opcode, payload, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    if len(payload) < 126:
        head += bytes([len(payload)])
    elif len(payload) < 65536:
        head += b"\x7e" + struct.pack(">H", len(payload))
    else:
        head += b"\x7f" + struct.pack(">Q", len(payload))
    return head + payload


def answer(head, accept=None, extra=b"", upgrade=b"websocket"):
    key = header(head, "sec-websocket-key")
    if accept is None:
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest())
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + upgrade + b"\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n" + extra + b"\r\n")


def websocket(conn):
    head = read_head(conn)
    if MODE == "silent":
        time.sleep(60)
        return
    if MODE == "escape_status":
        conn.sendall(b"HTTP/1.1 404 Not " + ESC + b"Found\r\nContent-Length: 0\r\n\r\n")
        return
    if MODE == "status_404":
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return
    if MODE == "wrong_upgrade":
        conn.sendall(answer(head, upgrade=b"h2c"))
        return
    if MODE == "wrong_accept":
        conn.sendall(answer(head, accept=b"c29tZXRoaW5nIGVsc2U="))
        return
    if MODE == "subprotocol":
        conn.sendall(answer(head, extra=b"Sec-WebSocket-Protocol: chat\r\n"))
        return
    if MODE == "escape_upgrade":
        conn.sendall(answer(head, upgrade=ESC))
        return
    if MODE == "escape_accept":
        conn.sendall(answer(head, accept=ESC))
        return
    if MODE == "escape_subprotocol":
        conn.sendall(answer(head, extra=b"Sec-WebSocket-Protocol: " + ESC + b"\r\n"))
        return
    if MODE == "dribble":
        for byte in answer(head):
            conn.sendall(bytes([byte]))
            time.sleep(0.5)
        return
    if MODE == "header_flood":
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\n")
        while True:
            conn.sendall(b"X-Flood: " + b"a" * 1000 + b"\r\n")
    conn.sendall(answer(head))
    if MODE == "ping_flood":
        while True:
            conn.sendall(frame(9, b"ping") * 64)
    if MODE == "data_flood":
        conn.sendall(frame(1, b"a" * 65536, fin=False))
        while True:
            conn.sendall(frame(0, b"a" * 65536, fin=False))
    while True:
        opcode, payload = read_frame(conn)
        if opcode == 8:
            conn.sendall(frame(8, payload[:2]))
            return
        if MODE == "silent_echo":
            continue
        if MODE == "fin_echo":
            return
        if MODE == "escape_echo":
            conn.sendall(frame(2, ESC + b"\xff\xfe"))
        elif MODE == "bad_utf8":
            conn.sendall(frame(1, b"caf\xe9"))
        elif MODE == "escape_close":
            conn.sendall(frame(8, struct.pack(">H", 1011) + ESC_UTF8))
            return
        elif MODE == "frame_2_63":
            conn.sendall(b"\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x00")
        elif MODE == "frame_huge":
            conn.sendall(b"\x82\x7f\x40\x00\x00\x00\x00\x00\x00\x00")
        elif MODE == "frame_rsv":
            conn.sendall(b"\xc1\x02hi")
        else:
            conn.sendall(frame(opcode, payload))


def handle(raw, ctx):
    conn = raw
    try:
        if MODE == "reset_hello":
            raw.recv(4096)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw.close()
            return
        conn = ctx.wrap_socket(raw, server_side=True)
        if MODE == "reset":
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return
        websocket(conn)
        if MODE != "fin_echo":
            time.sleep(5)  # let the client read what it was sent before the socket closes
    except Exception:
        pass
    finally:
        try:
            conn.close()
        except Exception:
            pass


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    print(srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, ctx), daemon=True).start()


main()
