"""Load generators that are not ours, for `make compare`'s cross-check.

A benchmark that uses only its own load generator measures the generator too: if cppmc_bench
happened to suit cppmemcached better than memcached, every ratio would lean its way. So the
workloads that libmemcached's generators can express are run through them as well, once per
server, and the report shows both ratios side by side:

- memcaslap (libmemcached's "memaslap"): timed runs with a value size and a set:get mix.
- memcslap (libmemcached's "memslap"): blocking threads, one request at a time each; its `get`
  test stores its keys first, then every thread gets each of them; its `set` test only sets.
"""

import os
import re
import subprocess
import tempfile


def memcaslap(port, spec, duration, pin):
    """TPS of a timed memcaslap run; None when it printed none."""
    config = f"key\n16 16 1\nvalue\n{spec['value']} {spec['value']} 1\ncmd\n" \
             f"0 {spec['set']}\n1 {1 - spec['set']}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as f:
        f.write(config)
    argv = pin + ["memcaslap", "-s", f"127.0.0.1:{port}", "-T", "1", "-c", str(spec["c"]),
                  "-t", f"{int(duration)}s", "-F", f.name]
    if "division" in spec:
        argv += ["-d", str(spec["division"])]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        os.unlink(f.name)
    found = re.findall(r"TPS: (\d+)", out)
    return float(found[-1]) if found else None


def memcslap(port, test, threads, keys, pin, server_cpu_seconds):
    """One memcslap run of `test` (get or set) with `threads` threads of `keys` requests each.

    Returns ops/s of the timed phase and the server's CPU µs per request over the whole run
    (the get test's own stores included, counted as requests); None when memcslap printed no
    timing. `server_cpu_seconds` reads the server's CPU time."""
    argv = pin + ["memcslap", "-s", f"127.0.0.1:{port}", "-N", "-t", test, "-c", str(threads),
                  "-e", str(keys)]
    before = server_cpu_seconds()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600).stdout
    cpu = server_cpu_seconds() - before
    found = re.search(rf"Time to {test} +(\d+) keys by +\d+ threads: +([\d.]+) seconds", out)
    if not found or float(found.group(2)) == 0:
        return None
    requests = int(found.group(1))
    stored_first = keys if test == "get" else 0
    return {"ops_per_sec": requests / float(found.group(2)),
            "server_cpu_us_per_op": cpu * 1e6 / (requests + stored_first)}
