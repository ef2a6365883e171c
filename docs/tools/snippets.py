#!/usr/bin/env python3
"""Keep the code and diagrams the chapters show identical to their sources.

A chapter quotes code with a marker comment followed by a fenced block:

    <!-- snippet: 01-echo/src/echo_server.cpp accept-loop -->
    ```cpp
    ...the lines between the two `// [accept-loop]` markers of that file...
    ```

and shows a diagram with a marker comment followed by an image made from a Graphviz source:

    <!-- diagram: 02-framework/images/connection_lifecycle.dot -->
    ![A connection's states](images/connection_lifecycle.svg)

--write regenerates every block (and turns a bare `\\snippet path name` line into one) and
renders every diagram; --check changes nothing and fails, naming each block that differs.
The Markdown then reads the same on GitHub as in the Doxygen site, and cannot drift.
"""

import argparse
import difflib
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SNIPPET = re.compile(r"^(?P<indent>[ \t]*)<!-- snippet: (?P<path>\S+) (?P<name>[\w.-]+) -->$")
BARE = re.compile(r"^(?P<indent>[ \t]*)\\snippet (?P<path>\S+) (?P<name>[\w.-]+)\s*$")
DIAGRAM = re.compile(r"^[ \t]*<!-- diagram: (?P<path>\S+\.dot) -->$")
SOURCE_MARK = re.compile(r"^\s*//!?\s*\[(?P<name>[\w.-]+)\]\s*$")
LANGUAGES = {".cpp": "cpp", ".hpp": "cpp", ".h": "cpp", ".py": "python", ".cmake": "cmake"}


class DocError(Exception):
    pass


def chapters():
    """Every Markdown file git tracks (the build folders are not tracked)."""
    out = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, check=True, text=True,
                         capture_output=True).stdout
    return [ROOT / line for line in out.splitlines()]


def extract(path, name):
    """The lines between the two `// [name]` markers, without other markers, dedented."""
    source = ROOT / path
    if not source.is_file():
        raise DocError(f"{path}: no such file")
    lines = source.read_text().splitlines()
    marks = [i for i, line in enumerate(lines)
             if (m := SOURCE_MARK.match(line)) and m["name"] == name]
    if len(marks) != 2:
        raise DocError(f"{path}: marker [{name}] found {len(marks)} times, expected 2")
    body = [line for line in lines[marks[0] + 1:marks[1]] if not SOURCE_MARK.match(line)]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    width = min((len(l) - len(l.lstrip()) for l in body if l.strip()), default=0)
    return [l[width:] if l.strip() else "" for l in body]


def fenced(indent, path, name):
    code = extract(path, name)
    fence = "```"
    while any(line.lstrip().startswith(fence) for line in code):
        fence += "`"
    language = LANGUAGES.get(pathlib.PurePath(path).suffix, "")
    block = [f"<!-- snippet: {path} {name} -->", fence + language, *code, fence]
    return [indent + line if line else "" for line in block]


def regenerate(text, where):
    """The Markdown with every snippet block rebuilt from its source."""
    lines = text.splitlines()
    out = []
    i = 0
    fence = None  # the fence of an ordinary code block we are in: markers there are examples
    while i < len(lines):
        line = lines[i]
        opening = re.match(r"^[ \t]*(`{3,})", line)
        if fence is not None:
            if opening and line.strip() == fence:
                fence = None
            out.append(line)
            i += 1
            continue
        if opening:
            fence = opening[1]
            out.append(line)
            i += 1
            continue
        m = SNIPPET.match(line) or BARE.match(line)
        if not m:
            out.append(line)
            i += 1
            continue
        try:
            out.extend(fenced(m["indent"], m["path"], m["name"]))
        except DocError as error:
            raise DocError(f"{where}:{i + 1}: {error}") from None
        i += 1
        if SNIPPET.match(line):  # skip the old fenced block that follows the marker
            if i >= len(lines) or not lines[i].strip().startswith("```"):
                raise DocError(f"{where}:{i + 1}: a snippet marker must be followed by a fence")
            block_fence = lines[i].strip()
            block_fence = block_fence[:len(block_fence) - len(block_fence.lstrip("`"))]
            i += 1
            while i < len(lines) and lines[i].strip() != block_fence:
                i += 1
            if i == len(lines):
                raise DocError(f"{where}: unterminated code block after line {i}")
            i += 1
    return "\n".join(out) + "\n"


def outside_code(text):
    """The lines that are not inside a fenced code block."""
    fence = None
    for line in text.splitlines():
        opening = re.match(r"^[ \t]*(`{3,})", line)
        if fence is None and opening:
            fence = opening[1]
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            yield line


def diagram_sources(text):
    return [m["path"] for line in outside_code(text) if (m := DIAGRAM.match(line))]


def render(dot_path):
    """The SVG Graphviz makes from a .dot file, without its version comment."""
    if shutil.which("dot") is None:
        raise DocError("Graphviz's dot is missing (make deps installs it)")
    svg = subprocess.run(["dot", "-Tsvg", str(ROOT / dot_path)], check=True, text=True,
                         capture_output=True).stdout
    return re.sub(r"<!-- Generated by graphviz.*?-->\n", "", svg)


def image_for(dot_path):
    """The SVG sits next to its source, so the chapter links it as images/<name>.svg."""
    return (ROOT / dot_path).with_suffix(".svg")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail if any block has drifted")
    mode.add_argument("--write", action="store_true", help="regenerate every block")
    args = parser.parse_args()

    drifted = []
    blocks = 0
    try:
        for md in chapters():
            where = md.relative_to(ROOT)
            text = md.read_text()
            fresh = regenerate(text, where)
            blocks += sum(1 for line in outside_code(fresh) if SNIPPET.match(line))
            if fresh != text:
                if args.write:
                    md.write_text(fresh)
                else:
                    old, new = text.splitlines(), fresh.splitlines()
                    for group in difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(0):
                        first = group[0][1]
                        above = [l for l in old[:first + 1] if SNIPPET.match(l) or BARE.match(l)]
                        label = above[-1].strip() if above else "(no marker)"
                        drifted.append(f"{where}:{first + 1}: {label}")
            for dot in diagram_sources(fresh):
                svg = render(dot)
                image = image_for(dot)
                if image.is_file() and image.read_text() == svg:
                    continue
                if args.write:
                    image.write_text(svg)
                else:
                    drifted.append(f"{where}: {image.relative_to(ROOT)} is not rendered from {dot}")
    except (DocError, subprocess.CalledProcessError) as error:
        print(f"snippets: {error}", file=sys.stderr)
        return 1
    if drifted:
        print("snippets: these blocks differ from their sources (run `make snippets`):",
              file=sys.stderr)
        for line in drifted:
            print("  " + line, file=sys.stderr)
        return 1
    print(f"snippets: {blocks} code blocks {'written' if args.write else 'match their sources'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
