"""The HTTP head reading that the gallery's fake servers share (fake_server.py, hostile_server.py)."""


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def header(head, name):
    for line in head.split("\r\n")[1:]:
        if ":" in line and line.split(":", 1)[0].strip().lower() == name:
            return line.split(":", 1)[1].strip()
    return ""
