#!/usr/bin/python3
"""Where a server's CPU goes on one non-pipelined workload: `make profile` runs this.

The servers run pinned to SERVER_CPU with `-t 1`, as in `make compare`, while cppmc_bench
drives WORKLOAD (compare.py's name, default get-set) from CLIENT_CPU. After a prefill, windows
of PROFILE_SECONDS (4) each:

- Counted, in ROUNDS (3) alternating rounds: the server's user and system time per request
  (/proc/PID/stat), how busy the generator was (at 100 % it is the limit, and the server
  waits between requests), and the server's system calls per request, counted by perf on the
  `syscalls:sys_enter_*` tracepoints. Counting costs the server almost nothing, so it runs as
  in `make compare`; strace would slow every call, and a slower server finds its next request
  already waiting, which changes the very counts being taken. Each server's row is its median
  round.
- Sampled, once per server: `perf record`; the report splits the samples into the kernel, the
  C library and the program, and lists the TOP (12) symbols. On a virtual machine without
  hardware counters perf samples the CPU clock, which is what is wanted here: time.

SERVERS names the servers: comma-separated `name=binary` pairs (`memcached` is started as
memcached is), default memcached and BIN_DIR/cppmemcached. Pass another build of cppmemcached
to see a change's before and after, e.g. the io_uring build of chapter 6:
SERVERS=memcached=memcached,epoll=build/release/bin/cppmemcached,io_uring=build/uring/bin/cppmemcached.

Writes OUT_DIR/profile.md. Needs perf (linux-perf, in `make deps`).
"""

import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import compare
from compare import CLIENT_CPU, SERVER_CPU, cpu_seconds, cpu_times, log, pin, start_server

ENV = os.environ.get
WORKLOAD = ENV("WORKLOAD", "get-set")
SECONDS = float(ENV("PROFILE_SECONDS", "4"))
TOP = int(ENV("TOP", "12"))
ROUNDS = compare.ROUNDS
OUT_DIR = compare.OUT_DIR

# The calls a server may make per request or per wake-up; perf counts each one's entries.
SYSCALLS = ("read", "recvfrom", "recvmsg", "readv", "write", "writev", "sendto", "sendmsg",
            "epoll_wait", "epoll_pwait", "epoll_ctl", "io_uring_enter", "futex",
            "clock_nanosleep", "timerfd_settime", "madvise", "accept4")


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


def window(server, flags, command, read):
    """Runs the generator and, once it is past its warm-up, `command(out)` (a perf command that
    writes `out` and ends by itself after SECONDS) on the server. Returns the requests answered
    in that window, the server's (user, system) seconds in it, the generator's CPU share, and
    `read(out)`."""
    with tempfile.TemporaryDirectory() as directory:
        result, out = Path(directory, "bench.json"), Path(directory, "perf.out")
        child = generator(server, flags, ["--duration", str(SECONDS + 2), "--warmup", "1",
                                          "--json", str(result)])
        time.sleep(1.5)
        server_before, client_before = cpu_times(server.pid), cpu_seconds(child.pid)
        started = time.monotonic()
        subprocess.run(command(out), check=True, capture_output=True)
        wall = time.monotonic() - started
        server_after, client_after = cpu_times(server.pid), cpu_seconds(child.pid)
        finish(child)
        requests = json.loads(result.read_text())["ops_per_sec"] * wall
        times = tuple(after - before for after, before in zip(server_after, server_before))
        return requests, times, (client_after - client_before) / wall, read(out)


def counted(server, flags):
    """CPU per request split into user and system time (µs), the generator's CPU share, and
    the server's system calls per request."""
    events = ",".join(["task-clock"] + [f"syscalls:sys_enter_{call}" for call in SYSCALLS])
    requests, (user, system), client, csv = window(
        server, flags,
        lambda out: ["perf", "stat", "-x,", "-o", str(out), "-p", str(server.pid), "-e", events,
                     "--", "sleep", str(SECONDS)],
        lambda out: out.read_text())
    counts = {}
    for line in csv.splitlines():
        fields = line.split(",")  # count,unit,event,...
        if len(fields) > 2 and re.fullmatch(r"[\d.]+", fields[0]):
            counts[fields[2].removeprefix("syscalls:sys_enter_")] = float(fields[0])
    # perf attaches a little after the window opens, so it saw fewer requests than the window:
    # its CPU time (task-clock, ms) over the window's CPU time per request.
    requests_seen = counts.pop("task-clock") / 1e3 / ((user + system) / requests)
    calls = {call: n / requests_seen for call, n in counts.items() if n / requests_seen >= 0.01}
    return {"user": user * 1e6 / requests, "system": system * 1e6 / requests,
            "client": client, "syscalls": calls}


def perf_report(data):
    return subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                           "--sort", "dso,sym", "-g", "none"],
                          capture_output=True, text=True, check=True).stdout


def sampled(server, flags):
    """The server's perf samples as (share %, dso, symbol) rows, largest first."""
    *_, report = window(
        server, flags,
        lambda out: ["perf", "record", "-o", str(out), "-p", str(server.pid), "--", "sleep",
                     str(SECONDS)],
        perf_report)
    rows = []
    for line in report.splitlines():
        found = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.+)", line)
        if found:
            rows.append((float(found.group(1)), found.group(2), found.group(3).strip()))
    return rows


def library(dso):
    if dso.startswith("[kernel"):
        return "kernel"
    return "C library" if dso.startswith("libc.") else "program and its libraries"


def markdown(results, description):
    lines = [f"# Where the CPU goes: {WORKLOAD} ({description})", "",
             f"{compare.machine()['cpu']}; servers on core {SERVER_CPU} (`-t 1`), cppmc_bench on "
             f"core {CLIENT_CPU}. CPU time and system calls counted in {ROUNDS} alternating "
             f"rounds of {SECONDS:g} s; each row is a server's median round, with the range of "
             f"its rounds. Then perf samples each server for another {SECONDS:g} s (the shares "
             "of kernel, C library and program).", "",
             "| server | CPU µs/request (range) | user | system | generator busy "
             "| kernel | C library | program | system calls per request |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, r in results.items():
        split = {}
        for share, dso, _ in r["rows"]:
            split[library(dso)] = split.get(library(dso), 0) + share
        calls = f"{sum(r['syscalls'].values()):.2f}: " + ", ".join(
            f"{call} {n:.2f}" for call, n in sorted(r["syscalls"].items(), key=lambda i: -i[1]))
        low, high = r["range"]
        lines.append(f"| {name} | {r['user'] + r['system']:.2f} ({low:.1f}–{high:.1f}) "
                     f"| {r['user']:.2f} "
                     f"| {r['system']:.2f} | {r['client'] * 100:.0f} % "
                     f"| {split.get('kernel', 0):.0f} % | {split.get('C library', 0):.0f} % "
                     f"| {split.get('program and its libraries', 0):.0f} % | {calls} |")
    for name, r in results.items():
        lines += ["", f"## {name}: the top {TOP} symbols", "", "| share | where | symbol |",
                  "| ---: | --- | --- |"]
        lines += [f"| {share:.1f} % | {dso} | `{symbol[:90]}` |"
                  for share, dso, symbol in r["rows"][:TOP]]
    return "\n".join(lines) + "\n"


def median_round(rounds):
    """The round whose CPU per request is the median, with the range of all rounds."""
    ordered = sorted(rounds, key=lambda r: r["user"] + r["system"])
    totals = [r["user"] + r["system"] for r in ordered]
    return ordered[(len(ordered) - 1) // 2] | {"range": (totals[0], totals[-1])}


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    _, description, flags, _ = next(w for w in compare.WORKLOADS if w[0] == WORKLOAD)
    servers = []
    try:
        for name, binary in servers_wanted():
            servers.append(start_server(name, binary, threads=1))
            finish(generator(servers[-1], flags, ["--prefill", "--requests", "1"]))
        # The counts in alternating rounds, as make compare measures: on a shared machine one
        # window can cost a third more than the next, for every server alike.
        rounds = {server.name: [] for server in servers}
        for number in range(ROUNDS):
            for server in servers if number % 2 == 0 else reversed(servers):
                log(f"round {number + 1}: {server.name}, counting for {SECONDS:g} s")
                rounds[server.name].append(counted(server, flags))
        results = {}
        for server in servers:
            log(f"{server.name}: perf record for {SECONDS:g} s")
            results[server.name] = median_round(rounds[server.name]) | {
                "rows": sampled(server, flags)}
    finally:
        for server in servers:
            server.stop()
    text = markdown(results, description)
    (OUT_DIR / "profile.md").write_text(text)
    print(text)
    log(f"wrote {OUT_DIR}/profile.md")


if __name__ == "__main__":
    main()
