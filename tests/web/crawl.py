"""A link checker: crawls a site through a TestClient from `/`, following every
internal href and src (and ES module imports in scripts), and checks that each
`#fragment` names an id on its target page."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from fastapi.testclient import TestClient

_JS_REFERENCE = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bfetch\(\s*)["'`]([^"'`$]+)["'`]""")


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif name in ("href", "src") or (tag == "form" and name == "action"):
                self.links.append(value)


@dataclass
class CrawlReport:
    pages: dict[str, int] = field(default_factory=dict)  # path -> status
    broken: list[str] = field(default_factory=list)


def _internal(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def crawl(client: TestClient, start: str = "/") -> CrawlReport:
    report = CrawlReport()
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []  # (target path, fragment, found on)
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    while queue:
        path, source = queue.popleft()
        if path in report.pages:
            continue
        response = client.get(path)
        report.pages[path] = response.status_code
        if response.status_code == 405 and source.endswith(".js"):
            # A script's fetch() may POST: 405 to a GET says the route is there, for another method.
            continue
        if response.status_code != 200:
            report.broken.append(f"{path} -> {response.status_code} (linked from {source})")
            continue
        kind = response.headers.get("content-type", "")
        found: list[str] = []
        if kind.startswith("text/html"):
            parser = _PageParser()
            parser.feed(response.text)
            ids[path] = parser.ids
            found = parser.links
        elif "javascript" in kind and not path.startswith("/static/vendor/"):
            # Our own modules: their imports and fetches. Vendored code is not ours to read.
            found = [ref for ref in _JS_REFERENCE.findall(response.text) if ref.startswith(("./", "../", "/"))]
        for link in found:
            if not link or link.startswith(("data:", "mailto:", "javascript:")) or not _internal(link):
                continue
            absolute, fragment = urldefrag(urljoin(path, link))
            target = urlsplit(absolute)
            target_path = target.path + (f"?{target.query}" if target.query else "")
            if fragment:
                fragments.append((target_path, fragment, path))
            queue.append((target_path, path))
    for target, fragment, source in fragments:
        if target in ids and fragment not in ids[target]:
            report.broken.append(f"{target}#{fragment} -> no element with that id (linked from {source})")
    return report
