#!/usr/bin/python3
"""memcached and cppmemcached side by side: `make compare` runs this.

Both servers run with one worker thread, pinned to one core (SERVER_CPU, default 0); the load
generator, cppmc_bench, runs on another (CLIENT_CPU, default 1). For every workload both
servers are prefilled, then measured in alternating rounds (A B, B A, A B, ...), and what is
reported is the median of the per-round ratios: machine noise moves both members of a pair
alike, so the ratio is far steadier than either number.

Written in Python (the standard library only) because it orchestrates processes and
arithmetic; everything that touches the network at speed is C++ (cppmc_bench).

Settings come from the environment: ROUNDS (3), DURATION (5 s per run), WARMUP (1 s),
FILL_ITEMS (1000000), SERVER_CPU (0), CLIENT_CPU (1), MEMCASLAP (1 = cross-check),
WORKLOADS (comma-separated names to run, default all), BIN_DIR (build/release/bin),
OUT_DIR (build/bench), MEMCACHED (memcached), COMMIT (the binaries' commit, default HEAD).
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = os.environ.get
ROUNDS = int(ENV("ROUNDS", "3"))
DURATION = float(ENV("DURATION", "5"))
WARMUP = float(ENV("WARMUP", "1"))
FILL_ITEMS = int(ENV("FILL_ITEMS", "1000000"))
SERVER_CPU = ENV("SERVER_CPU", "0")
CLIENT_CPU = ENV("CLIENT_CPU", "1")
USE_MEMCASLAP = ENV("MEMCASLAP", "1") == "1"
BIN_DIR = Path(ENV("BIN_DIR", str(ROOT / "build/release/bin")))
OUT_DIR = Path(ENV("OUT_DIR", str(ROOT / "build/bench")))
MEMCACHED = ENV("MEMCACHED", "memcached")
TICKS = os.sysconf("SC_CLK_TCK")

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process, from /proc/PID/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    def __init__(self, name, argv, port):
        self.name, self.port = name, port
        self.process = subprocess.Popen(["taskset", "-c", SERVER_CPU] + argv,
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
        return self.process.pid  # taskset execs the server: same PID

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


def start_servers():
    root_flags = ["-u", "nobody"] if os.geteuid() == 0 else []
    mc_port, cpp_port = free_port(), free_port()
    memcached = Server("memcached", [MEMCACHED, "-t", "1", "-U", "0", "-m", "1024", "-l",
                                     "127.0.0.1", "-p", str(mc_port)] + root_flags, mc_port)
    cpp = Server("cppmemcached", [str(BIN_DIR / "cppmemcached"), "-t", "1", "-m", "1024", "-p",
                                  str(cpp_port)], cpp_port)
    return memcached, cpp


def bench(server, flags, timeout):
    """Runs cppmc_bench on CLIENT_CPU; returns its JSON plus CPU use sampled in the window."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = ["taskset", "-c", CLIENT_CPU, str(BIN_DIR / "cppmc_bench"), "--servers",
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


def memcaslap(server, spec):
    """The same workload through libmemcached's memcaslap: an independent generator."""
    config = f"key\n16 16 1\nvalue\n{spec['value']} {spec['value']} 1\ncmd\n" \
             f"0 {spec['set']}\n1 {1 - spec['set']}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as f:
        f.write(config)
    argv = ["taskset", "-c", CLIENT_CPU, "memcaslap", "-s", f"127.0.0.1:{server.port}", "-T", "1",
            "-c", str(spec["c"]), "-t", f"{int(DURATION)}s", "-F", f.name]
    if "division" in spec:
        argv += ["-d", str(spec["division"])]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=DURATION + 60).stdout
    finally:
        os.unlink(f.name)
    found = re.findall(r"TPS: (\d+)", out)
    return float(found[-1]) if found else None


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
        tps = {s.name: memcaslap(s, caslap) for s in servers}
        if all(tps.values()):
            summary["memcaslap"] = {**tps, "ratio": tps["cppmemcached"] / tps["memcached"]}
    return summary


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
        f"{m['cpu']}, {m['cores']} cores, {m['kernel']}; servers on core {SERVER_CPU} (`-t 1`), "
        f"cppmc_bench on core {CLIENT_CPU}; {ROUNDS} alternating rounds of {DURATION:g} s after "
        f"{WARMUP:g} s warm-up; release build of cppmemcached {report['versions']['cppmemcached']} "
        f"at commit {report['commit']}, {report['date']}.",
        "",
        f"Load average {m['loadavg_before']:.1f} before, {m['loadavg_after']:.1f} after"
        + (" (other work shared the cores: only the ratios mean something)."
           if max(m["loadavg_before"], m["loadavg_after"]) > 1.5 else "."),
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
    mem = report["memory"]
    lines += ["", f"Memory after storing {FILL_ITEMS:,} items of 32 bytes (RSS growth per item): "
              f"memcached {mem['memcached']['bytes_per_item']:.0f} B/item, cppmemcached "
              f"{mem['cppmemcached']['bytes_per_item']:.0f} B/item.", ""]
    caslap_rows = [(n, w["memcaslap"]) for n, w in report["workloads"].items() if "memcaslap" in w]
    if caslap_rows:
        lines += ["memcaslap cross-check (one run each, TPS):", "",
                  "| workload | memcached | cppmemcached | ratio |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {n} | {c['memcached']:,.0f} | {c['cppmemcached']:,.0f} | {c['ratio']:.2f}× |"
                  for n, c in caslap_rows]
        lines.append("")
    return "\n".join(lines)


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

    log(f"filling {FILL_ITEMS:,} items into each server for the memory figure")
    memory = fresh(lambda pair: {s.name: (s.version(), memory_per_item(s)) for s in pair})
    report = {"versions": {name: version for name, (version, _) in memory.items()},
              "commit": commit, "date": time.strftime("%Y-%m-%d"), "machine": machine(),
              "settings": {"rounds": ROUNDS, "duration": DURATION, "warmup": WARMUP,
                           "server_cpu": SERVER_CPU, "client_cpu": CLIENT_CPU},
              "memory": {name: figure for name, (_, figure) in memory.items()},
              "workloads": {}}
    for name, description, flags, caslap in WORKLOADS:
        if selected and name not in selected:
            continue
        log(f"{name}: {description}")
        report["workloads"][name] = fresh(
            lambda pair: run_workload(pair, name, flags, caslap))  # noqa: B023 (called at once)
    report["machine"]["loadavg_after"] = os.getloadavg()[0]
    (OUT_DIR / "compare.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT_DIR / "compare.md").write_text(markdown(report))
    chart(report, OUT_DIR / "compare.png")
    print(markdown(report))
    log(f"wrote {OUT_DIR}/compare.md, compare.json and compare.png")


if __name__ == "__main__":
    main()
