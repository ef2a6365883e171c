#!/usr/bin/env python3
"""Run the chapters' runnable console blocks and check their output, like Rust's doc tests.

A block is runnable when the line before its ```console fence is a marker:

    <!-- runnable -->                       run it as written
    <!-- runnable ports=11311,11312 -->     the same, on free ports chosen now
    <!-- runnable fixed-ports=11311 -->     on these very ports, which must be free (for
                                            output that depends on them, like key placement)

Inside, `$ command` lines are typed at a bash prompt in the repository's root, one shell per
block (so `export` and `exec 3<>...` carry over to the next line), and the lines after a
command are what it prints (stdout and stderr together). In those lines `[...]` stands for any
text within a line (a pid, a time) and a line of just `...` for any number of lines. A command
that shows no output must print nothing, and every command must exit with status 0: the text
writes `; echo "exit $?"` where a failure is the point.

Programs write to a file, line-buffered as on a terminal (stdbuf), so stdout and stderr
interleave as a reader at a prompt sees them.

A command ending in `&` starts a server: its output goes to a log, the lines shown after it must
appear there, and each listed port it names must accept connections before the next command
runs (a bounded poll, no sleeping and hoping). Every port listed in ports= is replaced, in the
commands and in the output, by a free port on 127.0.0.1, so blocks never collide with a running
server or with each other. When the block ends, everything it started is stopped by its process group.

usage: run_commands.py [FILE.md ...]   (default: every chapter and page git tracks)
"""

import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- runnable(?: ports=(?P<ports>[\d,]+))?"
                    r"(?: fixed-ports=(?P<fixed>[\d,]+))? -->$")
DEADLINE_SECONDS = 20  # for a server to listen, and for what it prints to appear
COMMAND_SECONDS = 600  # for one foreground command (a ctest run included)


class Block:
    def __init__(self, path, line, ports, fixed, text):
        self.path, self.line, self.ports, self.fixed, self.text = path, line, ports, fixed, text

    def where(self):
        shown = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{shown}:{self.line}"


def blocks_in(path):
    lines = path.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        if i + 1 >= len(lines) or lines[i + 1].strip() != "```console":
            raise SystemExit(f"{path}:{i + 1}: a runnable marker must precede a ```console block")
        end = i + 2
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        ports = [p for p in (m["ports"] or "").split(",") if p]
        fixed = [p for p in (m["fixed"] or "").split(",") if p]
        found.append(Block(path, i + 1, ports, fixed, lines[i + 2:end]))
    return found


def commands_of(block):
    """[(command, [expected lines])], joining lines that end with a backslash."""
    steps = []
    lines = iter(block.text)
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + "\n" + next(lines)
            steps.append((command, []))
        elif steps:
            steps[-1][1].append(line)
        else:
            raise SystemExit(f"{block.where()}: output before the first command")
    return steps


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def line_pattern(expected):
    return re.compile("".join(".*" if part == "[...]" else re.escape(part)
                              for part in re.split(r"(\[\.\.\.\])", expected)) + r"\Z")


def matches(expected, actual):
    """Whether the actual lines match the expected ones, `...` lines spanning any number."""
    if not expected:
        return not actual
    head = expected[0]
    if head == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and line_pattern(head).match(actual[0]) is not None and \
        matches(expected[1:], actual[1:])


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition, what, seconds=DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"gave up after {seconds} s waiting for {what}")


def workspace():
    """A folder that looks like the repository's root (its entries are links to it), so files
    a block writes land there and not in the clone."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="chapter-commands-"))
    for entry in ROOT.iterdir():
        if entry.name != ".git":
            (folder / entry.name).symlink_to(entry)
    return folder


def run_block(block):
    substitutions = {port: str(free_port()) for port in block.ports}
    for port in block.fixed:
        if listening(int(port)):
            raise RuntimeError(f"port {port} is taken: this block needs it free")
    awaited = list(substitutions.values()) + block.fixed

    def localize(text):
        for port, free in substitutions.items():
            text = re.sub(rf"\b{port}\b", free, text)
        return text

    folder = workspace()
    # stdbuf's line buffering reaches every program the shell starts: their output lands in a
    # file, but interleaves with stderr as it would on a terminal.
    shell = subprocess.Popen(["stdbuf", "-oL", "bash", "--norc", "--noprofile"],
                             stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
                             text=True, start_new_session=True)
    try:
        for n, (command, expected) in enumerate(commands_of(block)):
            command, expected = localize(command), [localize(e) for e in expected]
            out, done = folder / f".out{n}", folder / f".status{n}"
            background = command.rstrip().endswith("&") and not command.rstrip().endswith("&&")
            if background:
                line = f"{command.rstrip()[:-1]} >{out} 2>&1 &\n"
            else:
                line = f"{{ {command}\n}} >{out} 2>&1 </dev/null\n"
            # The status is written then renamed, so it is never read half-written.
            line += f"echo $? >{done}.tmp && mv {done}.tmp {done}\n"
            shell.stdin.write(line)
            shell.stdin.flush()
            wait_for(done.exists, f"the command to finish: {command}", COMMAND_SECONDS)
            status = int(done.read_text().strip())
            shown = "\n".join(["$ " + command] + expected)
            if background:
                for port in awaited:
                    if re.search(rf"\b{port}\b", command):
                        wait_for(lambda p=int(port): listening(p), f"port {port}: {command}")
                wait_for(lambda: matches(expected + ["..."], read_lines(out)),
                         f"the output shown, from: {command}")
                continue
            actual = read_lines(out)
            if status != 0:
                raise RuntimeError(f"exit status {status}\n{shown}\n--- got\n" + "\n".join(actual))
            if not matches(expected, actual):
                raise RuntimeError(f"unexpected output\n{shown}\n--- got\n" + "\n".join(actual))
    finally:
        stop(shell)
        shutil.rmtree(folder, ignore_errors=True)


def read_lines(path):
    try:
        return [line.rstrip() for line in path.read_text(errors="replace").splitlines()]
    except FileNotFoundError:
        return []


def stop(shell):
    """SIGTERM to the block's process group (the shell and whatever it started), then
    SIGKILL if it has not gone within the deadline."""
    try:
        shell.stdin.close()
    except OSError:
        pass
    try:
        os.killpg(shell.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(shell.pid, 0)
        except ProcessLookupError:
            break
        shell.poll()
        time.sleep(0.05)
    else:
        try:
            os.killpg(shell.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shell.wait()


def main():
    files = [pathlib.Path(a).resolve() for a in sys.argv[1:]]
    if not files:
        listed = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, check=True, text=True,
                                capture_output=True).stdout.split()
        files = [ROOT / f for f in listed]
    if not (ROOT / "build/release/bin").is_dir():
        print("run_commands: build/release/bin is missing: run `make build` first",
              file=sys.stderr)
        return 1
    failures = 0
    blocks = [b for f in files for b in blocks_in(f)]
    for block in blocks:
        started = time.monotonic()
        try:
            run_block(block)
            print(f"ok   {block.where()} ({time.monotonic() - started:.1f} s)")
        except RuntimeError as error:
            failures += 1
            print(f"FAIL {block.where()}: {error}\n")
    print(f"run_commands: {len(blocks) - failures} of {len(blocks)} runnable blocks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
