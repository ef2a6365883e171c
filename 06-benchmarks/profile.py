#!/usr/bin/python3
"""Where a server's CPU goes on one non-pipelined workload: `make profile` runs this.

Each server in turn runs pinned to SERVER_CPU with `-t 1`, as in `make compare`, while
cppmc_bench drives WORKLOAD (compare.py's name, default get-set) from CLIENT_CPU. Two runs per
server:

- `perf record` samples the server for PROFILE_SECONDS (4); the report splits the samples
  into the kernel, the C library and the program, and lists the TOP (12) symbols. On a
  virtual machine without hardware counters perf samples the CPU clock, which is what is
  wanted here: time.
- `strace -c` counts the server's system calls during REQUESTS (100000) requests (strace
  slows every call, so this run is counted, not timed).

SERVERS names the servers: comma-separated `name=binary` pairs (`memcached` is started as
memcached is), default memcached and BIN_DIR/cppmemcached. Pass another build of cppmemcached
to see a change's before and after, e.g. the io_uring build of chapter 6:
SERVERS=memcached=memcached,epoll=build/release/bin/cppmemcached,io_uring=build/uring/bin/cppmemcached.

Writes OUT_DIR/profile.md. Needs perf (linux-perf) and strace, both in `make deps`.
"""

import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import compare
from compare import CLIENT_CPU, SERVER_CPU, cpu_seconds, log, pin, start_server

ENV = os.environ.get
WORKLOAD = ENV("WORKLOAD", "get-set")
SECONDS = float(ENV("PROFILE_SECONDS", "4"))
REQUESTS = int(ENV("REQUESTS", "100000"))
TOP = int(ENV("TOP", "12"))
OUT_DIR = compare.OUT_DIR


def servers_wanted():
    spec = ENV("SERVERS", f"memcached=memcached,cppmemcached={compare.CPPMEMCACHED}")
    return [tuple(pair.split("=", 1)) for pair in spec.split(",")]


def generator(server, flags, extra):
    return subprocess.Popen(pin(CLIENT_CPU) + [str(compare.BIN_DIR / "cppmc_bench"), "--servers",
                                               f"127.0.0.1:{server.port}", *flags, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(child):
    _, err = child.communicate(timeout=SECONDS + 600)
    if child.returncode != 0:
        raise RuntimeError(f"cppmc_bench failed: {err.decode()}")


def perf_profile(server, flags):
    """Samples of the server while the generator runs; returns (ops, CPU s, rows)."""
    with tempfile.TemporaryDirectory() as directory:
        data, result = Path(directory, "perf.data"), Path(directory, "bench.json")
        child = generator(server, flags, ["--duration", str(SECONDS + 2), "--warmup", "1",
                                          "--json", str(result)])
        time.sleep(1.5)
        before = cpu_seconds(server.pid)
        subprocess.run(["perf", "record", "-o", str(data), "-p", str(server.pid), "--", "sleep",
                        str(SECONDS)], check=True, capture_output=True)
        cpu = cpu_seconds(server.pid) - before
        finish(child)
        ops = json.loads(result.read_text())["ops_per_sec"] * SECONDS
        report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                                 "--sort", "dso,sym", "-g", "none"],
                                capture_output=True, text=True, check=True).stdout
    rows = []
    for line in report.splitlines():
        found = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.+)", line)
        if found:
            rows.append((float(found.group(1)), found.group(2), found.group(3).strip()))
    return ops, cpu, rows


def syscall_counts(server, flags):
    """System calls per request over REQUESTS requests, from strace -c."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out.name, "-p", str(server.pid)],
                                  stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # strace attaches to every thread before the requests start
        finish(generator(server, flags, ["--requests", str(REQUESTS)]))
        tracer.send_signal(2)  # SIGINT: strace detaches and writes its table
        tracer.wait(timeout=30)
        table = Path(out.name).read_text()
    counts = {}
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[-1].isidentifier() and fields[3].isdigit() \
                and fields[-1] != "total":
            counts[fields[-1]] = int(fields[3])
    return {name: n / REQUESTS for name, n in counts.items() if n / REQUESTS >= 0.01}


def library(dso):
    if dso.startswith("[kernel"):
        return "kernel"
    return "C library" if dso.startswith("libc.") else "program and its libraries"


def markdown(results, description):
    lines = [f"# Where the CPU goes: {WORKLOAD} ({description})", "",
             f"{compare.machine()['cpu']}; servers on core {SERVER_CPU} (`-t 1`), cppmc_bench on "
             f"core {CLIENT_CPU}; perf samples over {SECONDS:g} s; system calls counted by "
             f"strace over {REQUESTS:,} requests.", "",
             "| server | CPU µs/request | kernel | C library | program | system calls per request |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, r in results.items():
        split = {}
        for share, dso, _ in r["rows"]:
            split[library(dso)] = split.get(library(dso), 0) + share
        calls = f"{sum(r['syscalls'].values()):.2f}: " + ", ".join(
            f"{call} {n:.2f}" for call, n in sorted(r["syscalls"].items(), key=lambda i: -i[1]))
        lines.append(f"| {name} | {r['cpu'] * 1e6 / r['ops']:.2f} | {split.get('kernel', 0):.0f} % "
                     f"| {split.get('C library', 0):.0f} % "
                     f"| {split.get('program and its libraries', 0):.0f} % | {calls} |")
    for name, r in results.items():
        lines += ["", f"## {name}: the top {TOP} symbols", "", "| share | where | symbol |",
                  "| ---: | --- | --- |"]
        lines += [f"| {share:.1f} % | {dso} | `{symbol[:90]}` |"
                  for share, dso, symbol in r["rows"][:TOP]]
    return "\n".join(lines) + "\n"


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    _, description, flags, _ = next(w for w in compare.WORKLOADS if w[0] == WORKLOAD)
    results = {}
    for name, binary in servers_wanted():
        log(f"{name}: perf record for {SECONDS:g} s, then strace -c for {REQUESTS:,} requests")
        server = start_server(name, binary, threads=1)
        try:
            finish(generator(server, flags, ["--prefill", "--requests", "1"]))
            ops, cpu, rows = perf_profile(server, flags)
            results[name] = {"ops": ops, "cpu": cpu, "rows": rows,
                             "syscalls": syscall_counts(server, flags)}
        finally:
            server.stop()
    text = markdown(results, description)
    (OUT_DIR / "profile.md").write_text(text)
    print(text)
    log(f"wrote {OUT_DIR}/profile.md")


if __name__ == "__main__":
    main()
