#!/usr/bin/env python3
"""Whole-process wall time of `devcert issue localhost 127.0.0.1` (ECDSA) side by side with
`mkcert -ecdsa localhost 127.0.0.1`, interleaved in the same run so both see the same machine.

Usage: bench/issue_bench.py [path/to/devcert] [runs]
Prints a Markdown table: median and p90 per tool, and mkcert/devcert as a ratio.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

devcert = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/devcert")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
mkcert = shutil.which("mkcert")
if not mkcert:
    sys.exit("mkcert is not installed (apt-get install mkcert)")

with tempfile.TemporaryDirectory() as tmp:
    env_d = dict(os.environ, DEVCERT_CAROOT=os.path.join(tmp, "devcert-ca"))
    env_m = dict(os.environ, CAROOT=os.path.join(tmp, "mkcert-ca"))
    subprocess.run([devcert, "-q", "init"], env=env_d, check=True)
    # mkcert makes its CA on first use; -install is never run, so no trust store is touched.
    os.makedirs(env_m["CAROOT"])
    subprocess.run([mkcert, "-ecdsa", "warmup.test"], env=env_m, cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def timed(argv, env):
        t = time.perf_counter()
        subprocess.run(argv, env=env, cwd=tmp, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return (time.perf_counter() - t) * 1000

    d, m = [], []
    for _ in range(runs):
        d.append(timed([devcert, "issue", "localhost", "127.0.0.1"], env_d))
        m.append(timed([mkcert, "-ecdsa", "localhost", "127.0.0.1"], env_m))

def p90(xs):
    return sorted(xs)[int(len(xs) * 0.9) - 1]

md, mm = statistics.median(d), statistics.median(m)
print(f"| tool | runs | median ms | p90 ms |")
print(f"|---|---|---|---|")
print(f"| devcert issue localhost 127.0.0.1 | {runs} | {md:.2f} | {p90(d):.2f} |")
print(f"| mkcert -ecdsa localhost 127.0.0.1 | {runs} | {mm:.2f} | {p90(m):.2f} |")
print(f"\nmkcert / devcert (median): {mm / md:.1f}x")
