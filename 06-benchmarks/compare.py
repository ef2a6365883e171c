#!/usr/bin/python3
"""memcached and cppmemcached side by side: `make compare` runs this.

Both servers run with one worker thread, pinned to one core (SERVER_CPU, default 0); the load
generator, cppmc_bench, runs on another (CLIENT_CPU, default 1). For every workload both
servers are prefilled, then measured in alternating rounds (A B, B A, A B, ...), and what is
reported is the median of the per-round ratios: machine noise moves both members of a pair
alike, so the ratio is far steadier than either number.

The `lookaside` group measures hit ratio instead of speed: for each memory limit in
LOOKASIDE_MEMORY and with both the default thread count and `-t 1`, a fresh memcached and a fresh
cppmemcached each get the same seeded look-aside workload from cppmc_lookaside (every request a
get; on a miss, a set).

The `ttl` group counts evictions instead (issue 12: expired items' memory is reclaimed before
live items are evicted): the same workload, but half the keys expire 2 seconds after they are
set, run at each memory limit in TTL_MEMORY with default threads, a fresh memcached and a fresh
cppmemcached each. The runs are timed, not counted (TTL_SECONDS each, a dozen lifetimes of a
TTL): how much has expired depends on the clock, so both servers get the same time, and the
faster one answers more gets in it. What is compared is `evictions`, which in memcached counts
live items only (expired ones it reuses are `reclaimed`, or `crawler_reclaimed` when its LRU
crawler found them), as it is and per item stored.

Written in Python (the standard library only) because it orchestrates processes and
arithmetic; everything that touches the network at speed is C++ (cppmc_bench, cppmc_lookaside).

Settings come from the environment: ROUNDS (3), DURATION (5 s per run), WARMUP (1 s),
FILL_ITEMS (1000000), SERVER_CPU (0), CLIENT_CPU (1), THREADS (1: the throughput servers' -t;
more than 1 pins nothing), MEMCASLAP and MEMCSLAP (1 = cross-check with libmemcached's load
generators, see cross_check.py), MEMCSLAP_KEYS (4000 requests per memcslap thread),
WORKLOADS (comma-separated names to run, default all; `lookaside` names the hit-ratio group,
`ttl` the eviction group, `tls` the TLS group: get-set over TLS and plain, each server started
with -Z and a TLS and a notls: listener, certificates from a throwaway CA made with openssl), LOOKASIDE_MEMORY (16,64,256 MB), LOOKASIDE_REQUESTS (800000 gets per
run), LOOKASIDE_WARMUP (200000 of them not counted), LOOKASIDE_MAX_SECONDS (120, a cap per
look-aside run), TTL_MEMORY (16,64 MB), TTL_SECONDS (25 per run), TTL_WARMUP (50000 gets
not counted in the hit ratio), BIN_DIR
(build/release/bin), OUT_DIR (build/bench), MEMCACHED (memcached), CPPMEMCACHED (the server
binary, default BIN_DIR/cppmemcached: another build of it, io_uring say, against the same load
generator), COMMIT (the binaries'
commit, default HEAD).
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cross_check import memcaslap, memcslap

ROOT = Path(__file__).resolve().parent.parent
ENV = os.environ.get
ROUNDS = int(ENV("ROUNDS", "3"))
DURATION = float(ENV("DURATION", "5"))
WARMUP = float(ENV("WARMUP", "1"))
FILL_ITEMS = int(ENV("FILL_ITEMS", "1000000"))
SERVER_CPU = ENV("SERVER_CPU", "0")
CLIENT_CPU = ENV("CLIENT_CPU", "1")
USE_MEMCASLAP = ENV("MEMCASLAP", "1") == "1"
USE_MEMCSLAP = ENV("MEMCSLAP", "1") == "1"
MEMCSLAP_KEYS = int(ENV("MEMCSLAP_KEYS", "4000"))
# -t 1: each server on SERVER_CPU, the generator on CLIENT_CPU. More threads: nobody is pinned,
# so the servers may use every core they can get (the generator shares them).
THREADS = int(ENV("THREADS", "1"))
PINNED = THREADS == 1
BIN_DIR = Path(ENV("BIN_DIR", str(ROOT / "build/release/bin")))
OUT_DIR = Path(ENV("OUT_DIR", str(ROOT / "build/bench")))
MEMCACHED = ENV("MEMCACHED", "memcached")
CPPMEMCACHED = ENV("CPPMEMCACHED", str(BIN_DIR / "cppmemcached"))
TICKS = os.sysconf("SC_CLK_TCK")
LOOKASIDE_MEMORY = [int(m) for m in ENV("LOOKASIDE_MEMORY", "16,64,256").split(",")]
LOOKASIDE_THREADS = [None, 1]  # None: each server's default thread count (4 for both)
LOOKASIDE_REQUESTS = int(ENV("LOOKASIDE_REQUESTS", "800000"))
LOOKASIDE_WARMUP = int(ENV("LOOKASIDE_WARMUP", "200000"))
LOOKASIDE_MAX_SECONDS = float(ENV("LOOKASIDE_MAX_SECONDS", "120"))
# The look-aside workload of the issue: Zipf 0.9 over 200,000 keys, sizes from 30 B to 200 KB
# in a mix that shifts twice, a tenth of the keys with TTLs of 2-5 s (cppmc_lookaside's defaults).
LOOKASIDE_FLAGS = ["--keys", "200000", "--zipf", "0.9", "--phases", "3", "--connections", "8",
                   "--depth", "4", "--seed", "1"]
TTL_MEMORY = [int(m) for m in ENV("TTL_MEMORY", "16,64").split(",")]
TTL_SECONDS = float(ENV("TTL_SECONDS", "25"))
# A timed run's warm-up must end well within its first phase on a slow machine too.
TTL_WARMUP = int(ENV("TTL_WARMUP", "50000"))
# Issue 12's TTL workload: the look-aside workload with half the keys expiring 2 s after a set,
# so that a run of 25 s sees a dozen generations of them come and go.
TTL_FLAGS = ["--ttl-share", "0.5", "--ttl-min", "2", "--ttl-max", "2"]

# The workloads memcslap can drive (its test, 50 threads of one request at a time).
MEMCSLAP_TESTS = {"get-set": "get", "set-only": "set"}
# name, cppmc_bench flags, memcaslap flags (None: memcaslap cannot express it)
WORKLOADS = [
    ("get-set", "50 conns, 1:10 set:get, 32 B",
     ["--connections", "50", "--ratio", "1:10", "--data-size", "32", "--key-count", "100000"],
     {"c": 50, "value": 32, "set": 0.1}),
    ("pipelined", "same, 16 requests in flight per conn",
     ["--connections", "50", "--pipeline", "16", "--ratio", "1:10", "--data-size", "32",
      "--key-count", "100000"], None),
    ("1k-values", "50 conns, 1:10, 1 KB values",
     ["--connections", "50", "--ratio", "1:10", "--data-size", "1024", "--key-count", "100000"],
     {"c": 50, "value": 1024, "set": 0.1}),
    ("100k-values", "4 conns, 1:10, 100 KB values, 1,000 keys",
     ["--connections", "4", "--ratio", "1:10", "--data-size", "102400", "--key-count", "1000"],
     {"c": 4, "value": 102400, "set": 0.1}),
    ("multiget-10", "50 conns, gets of 10 keys, 32 B",
     ["--connections", "50", "--ratio", "0:1", "--multiget", "10", "--data-size", "32",
      "--key-count", "100000"], {"c": 50, "value": 32, "set": 0.0, "division": 10}),
    ("set-only", "50 conns, sets only, 32 B",
     ["--connections", "50", "--ratio", "1:0", "--data-size", "32", "--key-count", "100000"],
     {"c": 50, "value": 32, "set": 1.0}),
]


def log(message):
    print(message, file=sys.stderr, flush=True)


def pin(cpu):
    """The command prefix that runs a program on `cpu`, when runs are pinned."""
    return ["taskset", "-c", cpu] if PINNED else []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_times(pid):
    """(utime, stime) of a process in seconds, from /proc/PID/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def cpu_seconds(pid):
    """utime + stime of a process."""
    return sum(cpu_times(pid))


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    def __init__(self, name, argv, port):
        self.name, self.port = name, port
        self.process = subprocess.Popen(pin(SERVER_CPU) + argv,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{name} did not start listening on port {port}")

    @property
    def pid(self):
        return self.process.pid  # taskset, if any, execs the server: same PID

    def version(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"version\r\n")
            return s.recv(100).decode().strip().removeprefix("VERSION ")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(name, binary, threads=THREADS):
    """One throughput server on a free port: memcached's flags when `binary` is MEMCACHED."""
    port = free_port()
    if binary == MEMCACHED:
        root_flags = ["-u", "nobody"] if os.geteuid() == 0 else []
        argv = [binary, "-t", str(threads), "-U", "0", "-m", "1024", "-l", "127.0.0.1"]
        return Server(name, argv + ["-p", str(port)] + root_flags, port)
    return Server(name, [binary, "-t", str(threads), "-m", "1024", "-p", str(port)], port)


def start_servers():
    return start_server("memcached", MEMCACHED), start_server("cppmemcached", CPPMEMCACHED)


def bench(server, flags, timeout):
    """Runs cppmc_bench on CLIENT_CPU; returns its JSON plus CPU use sampled in the window."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = pin(CLIENT_CPU) + [str(BIN_DIR / "cppmc_bench"), "--servers",
                f"127.0.0.1:{server.port}", "--json", out.name] + flags
        started = time.monotonic()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples = None
        if "--duration" in flags:
            # Sample both processes' CPU time at the edges of the measured window (after the
            # warm-up), so that µs/op divides work and operations of the same interval.
            time.sleep(max(0.0, started + WARMUP + 0.05 - time.monotonic()))
            a = (time.monotonic(), cpu_seconds(server.pid), cpu_seconds(child.pid))
            time.sleep(max(0.0, started + WARMUP + DURATION - 0.05 - time.monotonic()))
            b = (time.monotonic(), cpu_seconds(server.pid), cpu_seconds(child.pid))
            samples = (b[0] - a[0], b[1] - a[1], b[2] - a[2])
        _, err = child.communicate(timeout=timeout)
        if child.returncode != 0:
            raise RuntimeError(f"cppmc_bench failed on {server.name}: {err.decode()}")
        result = json.loads(Path(out.name).read_text())
    if samples:
        wall, server_cpu, client_cpu = samples
        ops = result["ops_per_sec"] * wall
        result["server_cpu_us_per_op"] = server_cpu * 1e6 / ops if ops else 0
        result["server_cpu_util"] = server_cpu / wall
        result["client_cpu_util"] = client_cpu / wall
        result["client_cpu_us_per_op"] = client_cpu * 1e6 / ops if ops else 0
    return result


def memory_per_item(server):
    """Fills FILL_ITEMS items of 32 bytes and returns RSS growth per item."""
    before = rss_bytes(server.pid)
    bench(server, ["--prefill", "--requests", "1", "--key-count", str(FILL_ITEMS), "--data-size",
                   "32", "--key-prefix", "fill:", "--connections", "8"], timeout=600)
    after = rss_bytes(server.pid)
    return {"rss_before": before, "rss_after": after, "items": FILL_ITEMS,
            "bytes_per_item": (after - before) / FILL_ITEMS}


def memory_per_item_16_100(server):
    """Fills FILL_ITEMS items with 16-byte keys and 100-byte values (the store issue's figure):
    `set key:%012d 0 0 100 noreply` in batches of 1,000, then a get to know they all landed.
    Returns RSS growth per item."""
    value = b"v" * 100
    before = rss_bytes(server.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        for start in range(0, FILL_ITEMS, 1000):
            batch = b"".join(b"set key:%012d 0 0 100 noreply\r\n%s\r\n" % (i, value)
                             for i in range(start, min(start + 1000, FILL_ITEMS)))
            s.sendall(batch)
        s.sendall(b"get key:%012d\r\n" % (FILL_ITEMS - 1))
        reply = b""
        while not reply.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError(f"{server.name} closed the connection during the fill")
            reply += chunk
    after = rss_bytes(server.pid)
    return {"rss_before": before, "rss_after": after, "items": FILL_ITEMS,
            "bytes_per_item": (after - before) / FILL_ITEMS}


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def run_workload(servers, name, flags, caslap):
    prefix = ["--key-prefix", f"{name}:"]
    for server in servers:  # not measured: every key exists before the first round
        bench(server, flags + prefix + ["--prefill", "--requests", "1"], timeout=600)
    runs = {s.name: [] for s in servers}
    ratios = {"ops": [], "p99": [], "cpu": []}
    for round_number in range(ROUNDS):
        order = servers if round_number % 2 == 0 else servers[::-1]
        pair = {}
        for server in order:
            pair[server.name] = bench(server, flags + prefix + [
                "--duration", str(DURATION), "--warmup", str(WARMUP)], timeout=DURATION + 120)
            runs[server.name].append(pair[server.name])
        mc, cpp = pair["memcached"], pair["cppmemcached"]
        log(f"  round {round_number + 1}: memcached {mc['ops_per_sec']:.0f} ops/s, "
            f"cppmemcached {cpp['ops_per_sec']:.0f} ops/s")
        ratios["ops"].append(cpp["ops_per_sec"] / mc["ops_per_sec"])
        ratios["p99"].append(cpp["p99_us"] / mc["p99_us"])
        ratios["cpu"].append(cpp["server_cpu_us_per_op"] / mc["server_cpu_us_per_op"])
    summary = {"runs": runs, "ratio": {k: spread(v) for k, v in ratios.items()}}
    for server in servers:
        r = runs[server.name]
        summary[server.name] = {
            key: statistics.median(x[key] for x in r)
            for key in ("ops_per_sec", "p50_us", "p99_us", "server_cpu_us_per_op",
                        "server_cpu_util", "client_cpu_util", "client_cpu_us_per_op", "hit_rate")}
        summary[server.name]["errors"] = sum(x["errors"] + x["timeouts"] for x in r)
    if caslap and USE_MEMCASLAP and shutil.which("memcaslap"):
        tps = {s.name: memcaslap(s.port, caslap, DURATION, pin(CLIENT_CPU)) for s in servers}
        if all(tps.values()):
            summary["memcaslap"] = {**tps, "ratio": tps["cppmemcached"] / tps["memcached"]}
    test = MEMCSLAP_TESTS.get(name)
    if test and USE_MEMCSLAP and shutil.which("memcslap"):
        slap = {s.name: memcslap(s.port, test, 50, MEMCSLAP_KEYS, pin(CLIENT_CPU),
                                 lambda s=s: cpu_seconds(s.pid)) for s in servers}
        if all(slap.values()):
            mc, cpp = slap["memcached"], slap["cppmemcached"]
            summary["memcslap"] = {**slap, "test": test, "ratio": {
                "ops": cpp["ops_per_sec"] / mc["ops_per_sec"],
                "cpu": cpp["server_cpu_us_per_op"] / mc["server_cpu_us_per_op"]}}
    return summary


# The TLS group: the get-set workload through each server's TLS and plain listener.
TLS_WORKLOAD = "get-set"


def make_test_ca(directory):
    """A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key, "-days", "1", "-subj", "/CN=bench CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", *key, "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr")
    Path(directory, "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-days", "1", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-extfile", "san.ext", "-out", "server.pem")
    # memcached started as root reads them as nobody.
    os.chmod(directory, 0o755)
    for name in os.listdir(directory):
        os.chmod(Path(directory, name), 0o644)
    return {name: str(Path(directory, name)) for name in ("ca.pem", "server.pem", "server.key")}


def run_tls_group():
    """ops/s of get-set over TLS and over plain TCP, on one -Z server of each kind that has a
    TLS listener and a notls: one, so both paths share the process, the store and the core."""
    flags = next(w[2] for w in WORKLOADS if w[0] == TLS_WORKLOAD)
    root_flags = ["-u", "nobody"] if os.geteuid() == 0 else []
    with tempfile.TemporaryDirectory() as directory:
        files = make_test_ca(directory)
        tls_option = f"ssl_chain_cert={files['server.pem']},ssl_key={files['server.key']}"
        servers = []
        try:
            for name, binary, extra in (("memcached", MEMCACHED, ["-U", "0"] + root_flags),
                                        ("cppmemcached", CPPMEMCACHED, [])):
                tls_port, plain_port = free_port(), free_port()
                server = Server(name, [binary, "-t", "1", "-m", "1024", "-Z", "-o", tls_option,
                                       "-l", f"notls:127.0.0.1:{plain_port},"
                                       f"127.0.0.1:{tls_port}"] + extra, plain_port)
                server.tls_port = tls_port
                servers.append(server)
            return tls_rounds(servers, flags, files["ca.pem"])
        finally:
            for server in servers:
                server.stop()


def tls_rounds(servers, flags, ca_file):
    prefix = ["--key-prefix", "tls:"]
    for server in servers:
        bench(server, flags + prefix + ["--prefill", "--requests", "1"], timeout=600)
    runs = {(s.name, mode): [] for s in servers for mode in ("plain", "tls")}
    for round_number in range(ROUNDS):
        order = servers if round_number % 2 == 0 else servers[::-1]
        for server in order:
            for mode in ("plain", "tls") if round_number % 2 == 0 else ("tls", "plain"):
                tls_flags = ["--tls-ca", ca_file] if mode == "tls" else []
                target = server if mode == "plain" else TlsTarget(server)
                result = bench(target, flags + prefix + tls_flags + [
                    "--duration", str(DURATION), "--warmup", str(WARMUP)], timeout=DURATION + 120)
                runs[(server.name, mode)].append(result)
                log(f"  round {round_number + 1}: {server.name} {mode} "
                    f"{result['ops_per_sec']:.0f} ops/s")
    summary = {}
    for (name, mode), results in runs.items():
        summary.setdefault(name, {})[mode] = {
            key: statistics.median(r[key] for r in results)
            for key in ("ops_per_sec", "p50_us", "p99_us", "server_cpu_us_per_op")}
        summary[name][mode]["errors"] = sum(r["errors"] + r["timeouts"] for r in results)
    for server in servers:
        summary[server.name]["version"] = server.version()
    # As for the throughput workloads: the ratio of each round's pair, since the machine's
    # speed moves both members of a pair alike but not one round against another.
    summary["ratios"] = {}
    for mode in ("plain", "tls"):
        ratios = [cpp["ops_per_sec"] / mc["ops_per_sec"] for mc, cpp in
                  zip(runs[("memcached", mode)], runs[("cppmemcached", mode)])]
        summary["ratios"][mode] = {"median": statistics.median(ratios), "min": min(ratios),
                                   "max": max(ratios)}
    return summary


class TlsTarget:
    """A server seen through its TLS listener: bench() needs a name, a port and a PID."""

    def __init__(self, server):
        self.name, self.port, self.pid = server.name, server.tls_port, server.pid


def tls_markdown(tls):
    def ratio(mode):
        r = tls["ratios"][mode]
        return f"{r['median']:.2f}× ({r['min']:.2f}–{r['max']:.2f})"
    lines = [
        f"TLS: the {TLS_WORKLOAD} workload through each server's TLS listener and its notls: "
        f"listener (one `-Z` process each, `-t 1`), {ROUNDS} rounds of {DURATION:g} s; medians.",
        "",
        "| server | plain ops/s | TLS ops/s | TLS / plain | p99 µs plain / TLS "
        "| CPU µs/op plain / TLS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("memcached", "cppmemcached"):
        plain, tls_row = tls[name]["plain"], tls[name]["tls"]
        lines.append(
            f"| {name} | {plain['ops_per_sec']:,.0f} | {tls_row['ops_per_sec']:,.0f} "
            f"| {tls_row['ops_per_sec'] / plain['ops_per_sec']:.2f}× "
            f"| {plain['p99_us']:.0f} / {tls_row['p99_us']:.0f} "
            f"| {plain['server_cpu_us_per_op']:.2f} / {tls_row['server_cpu_us_per_op']:.2f} |")
    lines += ["", f"Under TLS cppmemcached does {ratio('tls')} memcached's operations per "
              f"second (plain: {ratio('plain')}); the median of the rounds' ratios, with their "
              "range.", ""]
    return lines


def lookaside_server(name, megabytes, threads):
    """A fresh server for one look-aside run: both get the same flags."""
    port = free_port()
    flags = ["-U", "0", "-l", "127.0.0.1", "-m", str(megabytes), "-p", str(port)]
    flags += ["-t", str(threads)] if threads else []
    flags += ["-u", "nobody"] if os.geteuid() == 0 else []
    binary = MEMCACHED if name == "memcached" else CPPMEMCACHED
    return Server(name, [binary] + flags, port)


def lookaside(server, requests=LOOKASIDE_REQUESTS, warmup=LOOKASIDE_WARMUP,
              max_seconds=LOOKASIDE_MAX_SECONDS, extra=()):
    """Runs cppmc_lookaside on CLIENT_CPU against `server` and returns its JSON: `requests`
    gets within `max_seconds`, or gets for `max_seconds` when `requests` is 0."""
    argv = pin(CLIENT_CPU) + [str(BIN_DIR / "cppmc_lookaside"), "--port",
            str(server.port), "--requests", str(requests), "--warmup-requests", str(warmup),
            "--duration", f"{max_seconds:g}"] + LOOKASIDE_FLAGS + list(extra)
    run = subprocess.run(argv, capture_output=True, text=True, timeout=max_seconds + 60)
    if run.returncode != 0:
        raise RuntimeError(f"cppmc_lookaside failed on {server.name}: {run.stderr}")
    result = json.loads(run.stdout)
    # The cap stopped the run before every get was sent: its phases are not all there.
    result["truncated"] = result["warmup_gets"] + result["gets"] + result["get_errors"] \
        < requests
    return result


def run_lookaside_group():
    """Every (-m, threads) pair, each server fresh: what the look-aside table and chart show."""
    rows = []
    for megabytes in LOOKASIDE_MEMORY:
        for threads in LOOKASIDE_THREADS:
            row = {"memory_mb": megabytes, "threads": threads}
            for name in ("memcached", "cppmemcached"):
                server = lookaside_server(name, megabytes, threads)
                try:
                    row[name] = lookaside(server)
                finally:
                    server.stop()
            mc, cpp = row["memcached"], row["cppmemcached"]
            log(f"  -m {megabytes} {'-t ' + str(threads) if threads else 'default threads'}: "
                f"hit ratio memcached {100 * mc['hit_ratio']:.1f} %, "
                f"cppmemcached {100 * cpp['hit_ratio']:.1f} %")
            rows.append(row)
    return rows


def run_ttl_group():
    """Each -m of TTL_MEMORY, default threads, each server fresh: the TTL eviction table."""
    rows = []
    for megabytes in TTL_MEMORY:
        row = {"memory_mb": megabytes, "threads": None}
        for name in ("memcached", "cppmemcached"):
            server = lookaside_server(name, megabytes, None)
            try:
                row[name] = lookaside(server, 0, TTL_WARMUP, TTL_SECONDS, TTL_FLAGS)
            finally:
                server.stop()
        mc, cpp = row["memcached"], row["cppmemcached"]
        log(f"  -m {megabytes}: live items evicted: memcached {mc['evictions']}, "
            f"cppmemcached {cpp['evictions']}; hit ratio {100 * mc['hit_ratio']:.1f} % / "
            f"{100 * cpp['hit_ratio']:.1f} %")
        rows.append(row)
    return rows


def miss_ratio(row):
    """cppmemcached's miss ratio over memcached's (below 1: cppmemcached misses less)."""
    mc_miss = 1 - row["memcached"]["hit_ratio"]
    return (1 - row["cppmemcached"]["hit_ratio"]) / mc_miss if mc_miss > 0 else float("nan")


def lookaside_markdown(rows):
    def threads(row):
        return f"`-t {row['threads']}`" if row["threads"] else "default"

    def pair(row, key, scale=1):
        values = [row[name][key] for name in ("memcached", "cppmemcached")]
        return " / ".join("?" if v is None else f"{v / scale:,.0f}" for v in values)

    first = rows[0]["memcached"]["config"]
    lines = [
        "## Look-aside hit ratio",
        "",
        f"cppmc_lookaside on core {CLIENT_CPU}, servers on core {SERVER_CPU}, a fresh server per "
        f"run: every request a get, a set after each miss; Zipf {first['zipf']} over "
        f"{first['keys']:,} keys, values 30 B–200 KB in a mix that shifts between "
        f"{first['phases']} phases, {ttl_words(first)}; "
        f"{LOOKASIDE_REQUESTS:,} gets per run, the first {LOOKASIDE_WARMUP:,} not counted.",
        "",
        "Items and bytes are the servers' own `curr_items` and `bytes` after the run (MB of "
        "2^20 bytes). memcached gives every slab class its first page even past `-m`, so with "
        "many size classes in use its `bytes` may exceed the limit.",
        "",
        "| -m | threads | memcached hit % | cppmemcached hit % | miss ratio cpp/mc "
        "| items mc / cpp | MB mc / cpp | evictions mc / cpp | set errors mc / cpp |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        mc, cpp = row["memcached"], row["cppmemcached"]
        cut = " (cut short)"
        lines.append(
            f"| {row['memory_mb']} | {threads(row)} "
            f"| {100 * mc['hit_ratio']:.1f}{cut if mc['truncated'] else ''} "
            f"| {100 * cpp['hit_ratio']:.1f}{cut if cpp['truncated'] else ''} "
            f"| {miss_ratio(row):.2f}× | {pair(row, 'curr_items')} "
            f"| {pair(row, 'bytes', 1 << 20)} | {pair(row, 'evictions')} "
            f"| {pair(row, 'set_errors')} |")
    at_least = sum(r["cppmemcached"]["hit_ratio"] >= r["memcached"]["hit_ratio"] for r in rows)
    at_64 = [f"{miss_ratio(r):.2f}×" for r in rows if r["memory_mb"] == 64]
    lines += ["", f"cppmemcached's hit ratio is at least memcached's in {at_least} of {len(rows)} "
              f"runs; its miss ratio over memcached's at `-m 64`: {', '.join(at_64) or '—'} "
              "(the goal: at most 0.90×).", ""]
    return lines


def ttl_words(config):
    """How a run's keys expire, from its JSON config."""
    share, low, high = config["ttl_share"], config["ttl_min"], config["ttl_max"]
    seconds = f"{low} s" if low == high else f"{low}–{high} s"
    return f"{100 * share:g} % of the keys with TTLs of {seconds}"


def evicted_per_store(result):
    """Live items evicted per item stored: how often a store pushed out a live item."""
    stored, evicted = result["total_items"], result["evictions"]
    return evicted / stored if stored and evicted is not None else None


def eviction_ratio(row, measure):
    """cppmemcached's figure over memcached's (at most 1: the issue's goal), as text."""
    mc, cpp = measure(row["memcached"]), measure(row["cppmemcached"])
    if mc is None or cpp is None:
        return "?"
    return f"{cpp / mc:.2f}×" if mc > 0 else ("1.00×" if cpp == 0 else "∞")


def ttl_markdown(rows):
    def pair(row, key, scale=1):
        values = [row[name][key] for name in ("memcached", "cppmemcached")]
        return " / ".join("?" if v is None else f"{v / scale:,.0f}" for v in values)

    def per_1000(result):
        rate = evicted_per_store(result)
        return "?" if rate is None else f"{1000 * rate:.0f}"

    def evictions(result):
        return result["evictions"]

    first = rows[0]["memcached"]["config"]
    lines = [
        "## TTLs: live items evicted",
        "",
        f"The look-aside workload (Zipf {first['zipf']} over {first['keys']:,} keys, values "
        f"30 B–200 KB in {first['phases']} phases) with {ttl_words(first)}; default threads, a "
        f"fresh server per run, {TTL_SECONDS:g} s per run (the first {TTL_WARMUP:,} gets not "
        "counted in the hit ratio; the server's counts cover the whole run).",
        "",
        "`evictions` counts live items only (an expired item's memory is `reclaimed`). The "
        "runs last the same time, so the faster server stores more: evictions per 1,000 stores "
        "(`total_items`) compare the two fairly. Items and MB are `curr_items` and `bytes` at "
        "the end; memcached may hold more than `-m` (every slab class gets a first page).",
        "",
        "| -m | gets mc / cpp | hit % mc / cpp | live evictions mc / cpp | cpp/mc "
        "| per 1,000 stores mc / cpp | cpp/mc |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        mc, cpp = row["memcached"], row["cppmemcached"]
        gets = [r["gets"] + r["warmup_gets"] for r in (mc, cpp)]
        lines.append(
            f"| {row['memory_mb']} | {gets[0]:,} / {gets[1]:,} "
            f"| {100 * mc['hit_ratio']:.1f} / {100 * cpp['hit_ratio']:.1f} "
            f"| {pair(row, 'evictions')} | {eviction_ratio(row, evictions)} "
            f"| {per_1000(mc)} / {per_1000(cpp)} | {eviction_ratio(row, evicted_per_store)} |")
    at_64 = [eviction_ratio(r, evicted_per_store) for r in rows if r["memory_mb"] == 64]
    lines += ["", "cppmemcached's live evictions per store over memcached's at `-m 64`: "
              f"{', '.join(at_64) or '—'} (the goal: at most 1.00×)."]
    lines += ["", "Where expired items went: reused by an allocation (`reclaimed`), removed in the "
              "background (`crawler_reclaimed`), or found by a get (`get_expired`); and what was "
              "left at the end.", "",
              "| -m | stores mc / cpp | reclaimed mc / cpp | crawler_reclaimed mc / cpp "
              "| get_expired mc / cpp | items mc / cpp | MB mc / cpp |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(
            f"| {row['memory_mb']} | {pair(row, 'total_items')} | {pair(row, 'reclaimed')} "
            f"| {pair(row, 'crawler_reclaimed')} | {pair(row, 'get_expired')} "
            f"| {pair(row, 'curr_items')} | {pair(row, 'bytes', 1 << 20)} |")
    lines.append("")
    return lines


def fmt_ratio(r):
    return f"{r['median']:.2f}× ({r['min']:.2f}–{r['max']:.2f})"


def bound(run):
    """Which side limited a run: the one whose core was (nearly) full."""
    server, client = run["server_cpu_util"], run["client_cpu_util"]
    if max(server, client) < 0.85:
        return "neither"
    return "server" if server >= client else "client"


def markdown(report):
    m = report["machine"]
    lines = [
        f"# cppmemcached vs memcached {report['versions']['memcached']}",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['kernel']}; release build of cppmemcached "
        f"{report['versions']['cppmemcached']} at commit {report['commit']}, {report['date']}.",
        "",
        f"Load average {m['loadavg_before']:.1f} before, {m['loadavg_after']:.1f} after"
        + (" (other work shared the cores: only the ratios mean something)."
           if max(m["loadavg_before"], m["loadavg_after"]) > 1.5 else "."),
        "",
    ]
    if report["workloads"]:
        lines += throughput_markdown(report)
    if "lookaside" in report:
        lines += lookaside_markdown(report["lookaside"])
    if "ttl" in report:
        lines += ttl_markdown(report["ttl"])
    if "tls" in report:
        lines += tls_markdown(report["tls"])
    return "\n".join(lines)


def throughput_markdown(report):
    lines = [
        (f"Throughput: servers on core {SERVER_CPU} (`-t 1`), cppmc_bench on core {CLIENT_CPU}; "
         if PINNED else f"Throughput: servers with `-t {THREADS}`, nothing pinned; ") +
        f"{ROUNDS} alternating rounds of {DURATION:g} s after {WARMUP:g} s warm-up.",
        "",
        "Ratios are cppmemcached / memcached per round: median (min–max). CPU is server CPU time "
        "per operation from /proc/PID/stat, sampled at the edges of the measured window.",
        "",
        "| workload | memcached ops/s | cppmemcached ops/s | ops ratio | p50 µs (mc / cpp) "
        "| p99 µs (mc / cpp) | p99 ratio | CPU µs/op (mc / cpp) | CPU ratio "
        "| hit rate (mc / cpp) | memcaslap ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, description, *_ in WORKLOADS:
        if name not in report["workloads"]:
            continue
        w = report["workloads"][name]
        mc, cpp = w["memcached"], w["cppmemcached"]
        hits = "—" if name == "set-only" else \
            f"{100 * mc['hit_rate']:.0f} % / {100 * cpp['hit_rate']:.0f} %"
        caslap = f"{w['memcaslap']['ratio']:.2f}×" if "memcaslap" in w else "—"
        lines.append(
            f"| {name}: {description} | {mc['ops_per_sec']:,.0f} | {cpp['ops_per_sec']:,.0f} "
            f"| {fmt_ratio(w['ratio']['ops'])} | {mc['p50_us']:.0f} / {cpp['p50_us']:.0f} "
            f"| {mc['p99_us']:.0f} / {cpp['p99_us']:.0f} | {fmt_ratio(w['ratio']['p99'])} "
            f"| {mc['server_cpu_us_per_op']:.2f} / {cpp['server_cpu_us_per_op']:.2f} "
            f"| {fmt_ratio(w['ratio']['cpu'])} | {hits} | {caslap} |")
    lines += ["", "What limits each run: each side's share of its core, and CPU µs per operation of "
              "the server and of the load generator (cppmc_bench). A side near 100 % is the limit; "
              "when neither is, other processes took the cores.", "",
              "| workload | server util (mc / cpp) | generator util (mc / cpp) "
              "| generator µs/op (mc / cpp) | bound by (mc / cpp) |",
              "| --- | ---: | ---: | ---: | --- |"]
    for name, w in report["workloads"].items():
        mc, cpp = w["memcached"], w["cppmemcached"]
        lines.append(
            f"| {name} | {100 * mc['server_cpu_util']:.0f} % / {100 * cpp['server_cpu_util']:.0f} % "
            f"| {100 * mc['client_cpu_util']:.0f} % / {100 * cpp['client_cpu_util']:.0f} % "
            f"| {mc['client_cpu_us_per_op']:.2f} / {cpp['client_cpu_us_per_op']:.2f} "
            f"| {bound(mc)} / {bound(cpp)} |")
    mem, mem_16_100 = report["memory"], report["memory_16_100"]
    lines += ["", f"Memory after storing {FILL_ITEMS:,} items (RSS growth per item): with 32-byte "
              f"values memcached {mem['memcached']['bytes_per_item']:.0f} B/item, cppmemcached "
              f"{mem['cppmemcached']['bytes_per_item']:.0f} B/item; with 16-byte keys and "
              f"100-byte values memcached {mem_16_100['memcached']['bytes_per_item']:.1f} B/item, "
              f"cppmemcached {mem_16_100['cppmemcached']['bytes_per_item']:.1f} B/item.", ""]
    caslap_rows = [(n, w["memcaslap"]) for n, w in report["workloads"].items() if "memcaslap" in w]
    if caslap_rows:
        lines += ["memcaslap cross-check (one run each, TPS):", "",
                  "| workload | memcached | cppmemcached | ratio |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {n} | {c['memcached']:,.0f} | {c['cppmemcached']:,.0f} | {c['ratio']:.2f}× |"
                  for n, c in caslap_rows]
        lines.append("")
    slap_rows = [(n, w["memcslap"]) for n, w in report["workloads"].items() if "memcslap" in w]
    if slap_rows:
        lines += [f"memcslap cross-check (one run each, 50 threads × {MEMCSLAP_KEYS:,} requests):",
                  "", "| workload | memcslap test | ops/s (mc / cpp) | ops ratio "
                  "| CPU µs/op (mc / cpp) | CPU ratio |", "| --- | --- | ---: | ---: | ---: | ---: |"]
        lines += [f"| {n} | {c['test']} | {c['memcached']['ops_per_sec']:,.0f} / "
                  f"{c['cppmemcached']['ops_per_sec']:,.0f} | {c['ratio']['ops']:.2f}× "
                  f"| {c['memcached']['server_cpu_us_per_op']:.2f} / "
                  f"{c['cppmemcached']['server_cpu_us_per_op']:.2f} | {c['ratio']['cpu']:.2f}× |"
                  for n, c in slap_rows]
        lines.append("")
    return lines


def chart(report, png):
    """ops/s and p99 side by side, one pair of bars per workload (gnuplot)."""
    data = OUT_DIR / "compare.dat"
    with open(data, "w") as f:
        f.write("# workload mc_ops cpp_ops mc_p99 cpp_p99\n")
        for name, w in report["workloads"].items():
            f.write(f"{name} {w['memcached']['ops_per_sec']:.0f} "
                    f"{w['cppmemcached']['ops_per_sec']:.0f} {w['memcached']['p99_us']:.1f} "
                    f"{w['cppmemcached']['p99_us']:.1f}\n")
    script = Path(__file__).resolve().parent / "scripts" / "compare.gp"
    subprocess.run(["gnuplot", "-e", f"data='{data}'; output='{png}'", str(script)], check=True)


def lookaside_chart(rows, png):
    """Hit ratio against -m, one line per server and thread setting (gnuplot)."""
    data = OUT_DIR / "lookaside.dat"
    found = {(r["memory_mb"], r["threads"]): r for r in rows}
    with open(data, "w") as f:
        f.write("# memory_mb mc_default cpp_default mc_t1 cpp_t1 (hit %)\n")
        for megabytes in LOOKASIDE_MEMORY:
            values = []
            for threads in LOOKASIDE_THREADS:
                row = found.get((megabytes, threads))
                for name in ("memcached", "cppmemcached"):
                    values.append(f"{100 * row[name]['hit_ratio']:.2f}" if row else "NaN")
            f.write(f"{megabytes} {' '.join(values)}\n")
    script = Path(__file__).resolve().parent / "scripts" / "lookaside.gp"
    subprocess.run(["gnuplot", "-e", f"data='{data}'; output='{png}'", str(script)], check=True)


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": os.uname().release,
            "loadavg_before": os.getloadavg()[0]}


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    selected = set(filter(None, ENV("WORKLOADS", "").split(",")))
    # COMMIT names the source of BIN_DIR's binaries when they were not built from HEAD.
    commit = ENV("COMMIT") or subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short",
                                              "HEAD"], capture_output=True, text=True).stdout.strip()
    # Every workload, and the memory figure, gets a fresh pair of servers: what one workload
    # leaves in the cache (memcaslap's cross-check stores gigabytes of large values) must not
    # decide how much room the next one finds in its slab class.
    def fresh(action):
        servers = list(start_servers())
        try:
            return action(servers)
        finally:
            for server in servers:
                server.stop()

    report = {"versions": {}, "commit": commit, "date": time.strftime("%Y-%m-%d"),
              "machine": machine(),
              "settings": {"rounds": ROUNDS, "duration": DURATION, "warmup": WARMUP,
                           "server_cpu": SERVER_CPU if PINNED else None,
                           "client_cpu": CLIENT_CPU if PINNED else None, "threads": THREADS},
              "workloads": {}}
    throughput = [w for w in WORKLOADS if not selected or w[0] in selected]
    if throughput:
        log(f"filling {FILL_ITEMS:,} items into each server for the memory figure")
        memory = fresh(lambda pair: {s.name: (s.version(), memory_per_item(s)) for s in pair})
        report["versions"] = {name: version for name, (version, _) in memory.items()}
        report["memory"] = {name: figure for name, (_, figure) in memory.items()}
        report["memory_16_100"] = fresh(
            lambda pair: {s.name: memory_per_item_16_100(s) for s in pair})
    for name, description, flags, caslap in throughput:
        log(f"{name}: {description}")
        report["workloads"][name] = fresh(
            lambda pair: run_workload(pair, name, flags, caslap))  # noqa: B023 (called at once)
    if not selected or "lookaside" in selected:
        log("lookaside: hit ratio of a look-aside workload at -m "
            f"{', '.join(map(str, LOOKASIDE_MEMORY))}, default threads and -t 1")
        report["lookaside"] = run_lookaside_group()
    if not selected or "ttl" in selected:
        log(f"ttl: live items evicted when half the keys expire after 2 s, at -m "
            f"{', '.join(map(str, TTL_MEMORY))}, default threads")
        report["ttl"] = run_ttl_group()
    if not selected or "tls" in selected:
        log(f"tls: {TLS_WORKLOAD} over TLS and plain, memcached -Z and cppmemcached -Z")
        report["tls"] = run_tls_group()
    if "tls" in report and not report["versions"]:
        report["versions"] = {name: report["tls"][name]["version"]
                              for name in ("memcached", "cppmemcached")}
    for group in ("lookaside", "ttl"):
        if group in report and not report["versions"]:
            row = report[group][0]
            report["versions"] = {name: row[name]["server_version"]
                                  for name in ("memcached", "cppmemcached")}
    report["machine"]["loadavg_after"] = os.getloadavg()[0]
    (OUT_DIR / "compare.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT_DIR / "compare.md").write_text(markdown(report))
    charts = []
    if report["workloads"]:
        chart(report, OUT_DIR / "compare.png")
        charts.append("compare.png")
    if "lookaside" in report:
        lookaside_chart(report["lookaside"], OUT_DIR / "lookaside.png")
        charts.append("lookaside.png")
    print(markdown(report))
    log(f"wrote {OUT_DIR}/{', '.join(['compare.md', 'compare.json'] + charts)}")


if __name__ == "__main__":
    main()
