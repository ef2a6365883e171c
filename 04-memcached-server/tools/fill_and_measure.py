#!/usr/bin/env python3
"""Fill a running memcached-compatible server and report the memory each item cost it.

Sends `set key:%012d 0 0 <size> noreply` commands in batches over one connection, ends with a
`get` of the last key (so every set has been applied when the reply comes), and prints how
much the server's resident memory (VmRSS in /proc/PID/status) grew, per item. Chapter 4's
"Memory per item" table was measured this way for memcached (1,000,000 items of 100 bytes).

usage: fill_and_measure.py --pid PID [--port 22122] [--items 1000000] [--value-size 100]
"""

import argparse
import socket
import time


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no VmRSS for pid {pid}")


def read_until(sock, suffix):
    """Everything up to and including `suffix`, however the bytes arrive."""
    data = b""
    while not data.endswith(suffix):
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit(f"the server closed the connection; got {data[-200:]!r}")
        data += chunk
    return data


def connect(host, port, seconds=10):
    """A connection, retried until the deadline: the server may have just been started."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return socket.create_connection((host, port))
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise SystemExit(f"nothing listens on {host}:{port}")
            time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", type=int, required=True, help="the server's process id")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=22122)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--batch", type=int, default=1000, help="sets per write")
    args = parser.parse_args()

    value = b"v" * args.value_size
    with connect(args.host, args.port) as sock:
        before = resident_kib(args.pid)
        for first in range(0, args.items, args.batch):
            last = min(first + args.batch, args.items)
            sock.sendall(b"".join(b"set key:%012d 0 0 %d noreply\r\n%s\r\n" %
                                  (i, len(value), value) for i in range(first, last)))
        sock.sendall(b"get key:%012d\r\n" % (args.items - 1))
        reply = read_until(sock, b"END\r\n")
    if not reply.startswith(b"VALUE "):
        raise SystemExit(f"the last key is missing (evicted? raise -m): {reply[:200]!r}")
    grown = (resident_kib(args.pid) - before) * 1024
    print(f"{args.items} items of {args.value_size} bytes: VmRSS grew {grown / 2**20:.1f} MiB, "
          f"{grown / args.items:.1f} bytes per item")


if __name__ == "__main__":
    main()
