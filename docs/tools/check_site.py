#!/usr/bin/env python3
"""Check the Doxygen site after it is built: every chapter has its page, and no link is broken.

Doxygen exits 0 even when it silently skips the chapters (a wrong EXCLUDE_PATTERNS once did
that), and it does not check the #anchors it writes; this script does both, so `make docs`
fails instead of publishing a blank tutorial.

usage: check_site.py SOURCE_DIR HTML_DIR
"""

import html.parser
import pathlib
import re
import subprocess
import sys
import urllib.parse


class Links(html.parser.HTMLParser):
    """The links (a href=, img src=) and the anchor names (id=, name=) of one page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.anchors = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.hrefs.append(attrs["src"])


def page_name(source, md_path):
    """The HTML page Doxygen 1.9 makes of a Markdown file: its {#label} if the title has one,
    else md_ + its path with '/' and '-' as '_'."""
    title = (source / md_path).read_text().split("\n", 1)[0]
    label = re.search(r"\{#([\w-]+)\}\s*$", title)
    if label:
        return label[1] + ".html"
    return "md_" + re.sub(r"[^A-Za-z0-9]", "_", str(md_path.with_suffix(""))) + ".html"


def main():
    source, site = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    problems = []
    chapters = subprocess.run(["git", "ls-files", "[0-9]*/README.md", "docs/*.md"], cwd=source,
                              check=True, text=True, capture_output=True).stdout.split()
    index = site / "index.html"
    if not index.is_file() or "01-echo" not in index.read_text(errors="replace"):
        problems.append("index.html is missing or does not list the chapters")
    for chapter in chapters:
        page = page_name(source, pathlib.Path(chapter))
        if not (site / page).is_file():
            problems.append(f"no page for {chapter} ({page})")

    pages = {}
    for page in site.glob("*.html"):
        parser = Links()
        parser.feed(page.read_text(errors="replace"))
        pages[page.name] = parser
    for name, parser in sorted(pages.items()):
        for href in parser.hrefs:
            url = urllib.parse.urlsplit(href)
            if url.scheme or href.startswith("//") or href.startswith("javascript:"):
                continue
            target = urllib.parse.unquote(url.path) or name
            if not (site / target).exists():
                problems.append(f"{name}: link to missing {target}")
                continue
            if url.fragment and target in pages and url.fragment not in pages[target].anchors:
                problems.append(f"{name}: link to missing anchor {target}#{url.fragment}")
    if problems:
        print(f"check_site: {len(problems)} problem(s) in {site}:", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print(f"check_site: {len(chapters)} chapter pages, {len(pages)} pages, every link resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
