#!/usr/bin/python3
"""Misbehaving clients against memcached and cppmemcached side by side: `make hardening`.

Each scenario starts a fresh server of each kind with the same flags (-t 4 -m 64, unpinned),
does what a broken or hostile client does, and measures what it cost the server and whether
the other clients were still served. A probe client sends `get` round trips throughout and
reports its 99th-percentile latency (measured from Python: it shows stalls of milliseconds and
more, not microseconds). The scenarios:

  pipelining   HOGS clients pipeline `mn` for HOG_SECONDS and never read a reply
  idle         IDLE connections that send nothing: resident memory per connection
  slow-loris   SLOW connections trickle a 100-byte `set`, one byte per 100 ms
  garbage      20 connections each send 64 KiB of random bytes
  -c overflow  a server started with -c 100 gets 150 connections
  reset storm  RESETS connections each ask for 32 copies of a 512 KiB value, or send half of a
               100 KB value, then reset (SO_LINGER 0) without reading
  SIGTERM      the server gets SIGTERM while 20 clients set and get as fast as they can

Written with the standard library only, like compare.py (whose helpers it reuses). Settings come
from the environment: HOGS (10), HOG_SECONDS (10), IDLE (10000), SLOW (1000), RESETS (1000),
SCENARIOS (comma-separated names to run, default all), BIN_DIR (build/release/bin), OUT_DIR (build/bench), MEMCACHED (memcached). Writes
OUT_DIR/hardening.md and hardening.json.
"""

import json
import os
import random
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from compare import CPPMEMCACHED, free_port, log, machine, rss_bytes

ROOT = Path(__file__).resolve().parent.parent
ENV = os.environ.get
HOGS = int(ENV("HOGS", "10"))
HOG_SECONDS = float(ENV("HOG_SECONDS", "10"))
IDLE = int(ENV("IDLE", "10000"))
SLOW = int(ENV("SLOW", "1000"))
RESETS = int(ENV("RESETS", "1000"))
ONLY = [name for name in ENV("SCENARIOS", "").split(",") if name]
BIN_DIR = Path(ENV("BIN_DIR", str(ROOT / "build/release/bin")))
OUT_DIR = Path(ENV("OUT_DIR", str(ROOT / "build/bench")))
MEMCACHED = ENV("MEMCACHED", "memcached")
FILE_LIMIT = 20000  # enough descriptors for IDLE connections on both ends
MB = 1e6


class Server:
    """One server process on a free loopback port, stopped by PID."""

    def __init__(self, kind, extra_flags=()):
        self.kind, self.port = kind, free_port()
        flags = ["-t", "4", "-m", "64", "-c", str(FILE_LIMIT - 100), "-p", str(self.port),
                 "-l", "127.0.0.1", *extra_flags]
        if kind == "memcached":
            argv = [MEMCACHED, *flags] + (["-u", "nobody"] if os.geteuid() == 0 else [])
        else:
            argv = [CPPMEMCACHED, *flags]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=raise_file_limit)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.request(b"version\r\n")
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{kind} did not start on port {self.port}")

    @property
    def pid(self):
        return self.process.pid

    def rss(self):
        return rss_bytes(self.pid)

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def request(self, line, end=b"\r\n"):
        """Sends one request on a new connection and returns the reply up to `end`."""
        with self.connect() as s:
            s.sendall(line)
            return read_until(s, end)

    def stats(self):
        reply = self.request(b"stats\r\n", b"END\r\n").decode()
        return {parts[1]: parts[2] for parts in (line.split() for line in reply.splitlines())
                if len(parts) == 3 and parts[0] == "STAT"}

    def wait_for_connections(self, count, seconds=20):
        """Waits (bounded) until curr_connections is `count`; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            # The stats connection itself counts as one.
            if int(self.stats()["curr_connections"]) == count + 1:
                return time.monotonic() - started
            time.sleep(0.05)
        return None

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def raise_file_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


def read_until(s, end):
    data = b""
    while not data.endswith(end):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def reset(s):
    """Closes with an RST instead of a FIN: the peer's pending replies are thrown away."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


class Probe:
    """A well-behaved client: `get` round trips on one connection while a scenario runs."""

    def __init__(self, server):
        self.socket = server.connect()
        self.latencies, self.errors = [], 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                self.socket.sendall(b"get probe\r\n")
                if read_until(self.socket, b"END\r\n") != b"END\r\n":
                    raise OSError("bad reply")
                self.latencies.append(time.monotonic() - started)
            except OSError:
                self.errors += 1
                return
            time.sleep(0.005)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.socket.close()
        ordered = sorted(self.latencies)
        p99 = ordered[int(len(ordered) * 0.99)] * 1e3 if ordered else None
        return {"probe_requests": len(ordered), "probe_errors": self.errors, "probe_p99_ms": p99}


def pipelining(kind):
    """HOGS clients pipeline `mn` without reading; memory before, at most, and after."""
    server = Server(kind)
    before = server.rss()
    hogs = [server.connect() for _ in range(HOGS)]
    for hog in hogs:
        hog.setblocking(False)
    probe = Probe(server)
    chunk = b"mn\r\n" * 16384
    peak, deadline = before, time.monotonic() + HOG_SECONDS
    while time.monotonic() < deadline:
        _, writable, _ = select.select([], hogs, [], 0.1)
        for hog in writable:
            try:
                hog.send(chunk)
            except BlockingIOError:
                pass
        peak = max(peak, server.rss())
    result = probe.stop()
    for hog in hogs:
        hog.close()
    server.wait_for_connections(0)
    result.update(before_mb=before / MB, peak_mb=peak / MB, after_mb=server.rss() / MB)
    server.stop()
    return result


def idle(kind):
    """IDLE connections that send nothing: resident memory per connection."""
    server = Server(kind)
    server.wait_for_connections(0)
    before = server.rss()
    connections = [server.connect() for _ in range(IDLE)]
    accepted = server.wait_for_connections(IDLE) is not None
    after = server.rss()
    for c in connections:
        c.close()
    server.stop()
    return {"connections": IDLE, "all_accepted": accepted,
            "bytes_per_connection": (after - before) / IDLE}


def slow_loris(kind):
    """SLOW connections each trickle a `set` of 100 bytes, one byte every 100 ms."""
    server = Server(kind)
    before = server.rss()
    header, value = b"set slow%d 0 0 100\r\n", b"v" * 100 + b"\r\n"
    connections = [server.connect() for _ in range(SLOW)]
    probe = Probe(server)
    for i, c in enumerate(connections):
        c.sendall(header % i)
    peak = before
    for offset in range(0, len(value) - 1, 2):  # two bytes per round keeps the run short
        for c in connections:
            c.sendall(value[offset:offset + 2])
        peak = max(peak, server.rss())
        time.sleep(0.1)
    stored = sum(read_until(c, b"\r\n") == b"STORED\r\n" for c in connections)
    result = probe.stop()
    for c in connections:
        c.close()
    result.update(connections=SLOW, stored=stored,
                  bytes_per_connection=(peak - before) / SLOW)
    server.stop()
    return result


def garbage(kind):
    """20 connections send 64 KiB of random bytes each: what comes back, and who is closed."""
    server = Server(kind)
    rng = random.Random(7)
    probe = Probe(server)
    closed, reply_lines = 0, {}
    for _ in range(20):
        with server.connect() as c:
            c.settimeout(2)
            try:
                c.sendall(rng.randbytes(65536))
                c.shutdown(socket.SHUT_WR)
                reply = read_until(c, b"never")
                closed += 1
            except OSError:  # reset by the server while we still sent: closed too
                reply, closed = b"", closed + 1
            for line in reply.split(b"\r\n"):
                if line:
                    word = line.decode(errors="replace").split(" ")[0]
                    reply_lines[word] = reply_lines.get(word, 0) + 1
    result = probe.stop()
    result.update(closed=closed, replies=reply_lines, rss_after_mb=server.rss() / MB)
    server.stop()
    return result


def connection_overflow(kind):
    """A server with -c 100 gets 150 connections: who is served, who is refused, and how."""
    server = Server(kind, ["-c", "100"])
    connections, answers = [], {}
    for _ in range(150):
        c = server.connect()
        c.sendall(b"version\r\n")
        answer = read_until(c, b"\r\n").decode().strip()
        word = answer if answer.startswith("ERROR") else answer.split(" ")[0]
        answers[word] = answers.get(word, 0) + 1
        connections.append(c)
    for c in connections:
        c.close()
    server.wait_for_connections(0)
    stats = server.stats()
    result = {"answers": answers, "rejected_connections": int(stats["rejected_connections"]),
              "served_after": server.request(b"version\r\n").startswith(b"VERSION")}
    server.stop()
    return result


def reset_storm(kind):
    """Connections that ask for 16 MiB of replies, or send half a value, then reset."""
    server = Server(kind)
    big = 512 * 1024
    server.request(b"set big 0 0 %d\r\n" % big + b"b" * big + b"\r\n")
    server.wait_for_connections(0)
    before = server.rss()
    probe = Probe(server)
    for i in range(RESETS):
        c = server.connect()
        if i % 2 == 0:
            c.sendall(b"get big\r\n" * 32)
        else:
            c.sendall(b"set half 0 0 100000\r\n" + b"h" * 50000)
        reset(c)
    result = probe.stop()
    settled = server.wait_for_connections(0)
    result.update(resets=RESETS, settled_seconds=settled, before_mb=before / MB,
                  after_mb=server.rss() / MB,
                  served_after=server.request(b"get big\r\n", b"END\r\n").endswith(b"END\r\n"))
    server.stop()
    return result


def sigterm_under_load(kind):
    """SIGTERM while 20 clients set and get: how long the server takes to exit, and how."""
    server = Server(kind)
    stopping = threading.Event()

    def client(n):
        try:
            with server.connect() as c:
                while not stopping.is_set():
                    c.sendall(b"set k%d 0 0 5\r\nhello\r\nget k%d\r\n" % (n, n))
                    if not read_until(c, b"END\r\n"):
                        return
        except OSError:
            return  # the server went away: expected

    clients = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for t in clients:
        t.start()
    time.sleep(1)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(timeout=10)
        seconds = time.monotonic() - started
    except subprocess.TimeoutExpired:
        code, seconds = None, None
    stopping.set()
    for t in clients:
        t.join()
    server.stop()
    return {"exit_code": code, "exit_seconds": seconds}


SCENARIOS = [
    ("pipelining", pipelining),
    ("idle", idle),
    ("slow-loris", slow_loris),
    ("garbage", garbage),
    ("-c overflow", connection_overflow),
    ("reset storm", reset_storm),
    ("SIGTERM", sigterm_under_load),
]


def ms(value):
    return "—" if value is None else f"{value:.1f} ms"


def counts(answers):
    return ", ".join(f"{n}× {word}" for word, n in sorted(answers.items(), key=lambda a: -a[1]))


def cell(name, r):
    """One scenario's result for one server, in a few words."""
    if name == "pipelining":
        return (f"{r['before_mb']:.1f} → {r['peak_mb']:.1f} → {r['after_mb']:.1f} MB; "
                f"probe p99 {ms(r['probe_p99_ms'])}, {r['probe_errors']} errors")
    if name == "idle":
        return f"{r['bytes_per_connection']:.0f} B per connection"
    if name == "slow-loris":
        return (f"{r['bytes_per_connection']:.0f} B per connection, {r['stored']}/"
                f"{r['connections']} STORED; probe p99 {ms(r['probe_p99_ms'])}")
    if name == "garbage":
        return (f"{r['closed']}/20 closed; replies {counts(r['replies'])}; probe p99 "
                f"{ms(r['probe_p99_ms'])}, {r['probe_errors']} errors")
    if name == "-c overflow":
        return (f"{counts(r['answers'])}; rejected_connections {r['rejected_connections']}; "
                f"served after: {'yes' if r['served_after'] else 'NO'}")
    if name == "reset storm":
        settled = "never" if r["settled_seconds"] is None else f"{r['settled_seconds']:.1f} s"
        return (f"{r['before_mb']:.1f} → {r['after_mb']:.1f} MB; connections gone after "
                f"{settled}; probe p99 {ms(r['probe_p99_ms'])}; served after: "
                f"{'yes' if r['served_after'] else 'NO'}")
    return ("did not exit within 10 s" if r["exit_code"] is None
            else f"exit {r['exit_code']} after {r['exit_seconds'] * 1e3:.0f} ms")


def markdown(report):
    lines = ["| scenario | memcached | cppmemcached |", "| --- | --- | --- |"]
    for name in report["scenarios"]:
        row = report["scenarios"][name]
        lines.append(f"| {name} | {cell(name, row['memcached'])} | "
                     f"{cell(name, row['cppmemcached'])} |")
    m = report["machine"]
    lines.append("")
    lines.append(f"{m['cpu']}, {m['cores']} cores, load average {m['loadavg_before']:.2f} before and "
                 f"{report['loadavg_after']:.2f} after; commit {report['commit']}.")
    return "\n".join(lines) + "\n"


def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    report = {"machine": machine(), "commit": commit, "scenarios": {}}
    for name, scenario in SCENARIOS:
        if ONLY and name not in ONLY:
            continue
        report["scenarios"][name] = {}
        for kind in ("memcached", "cppmemcached"):
            log(f"{name}: {kind}")
            report["scenarios"][name][kind] = scenario(kind)
    report["loadavg_after"] = os.getloadavg()[0]
    (OUT_DIR / "hardening.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT_DIR / "hardening.md").write_text(markdown(report))
    print(markdown(report))
    log(f"wrote {OUT_DIR}/hardening.md, hardening.json")


if __name__ == "__main__":
    sys.exit(main())
