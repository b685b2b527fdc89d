"""Where the templates, static assets and lessons are.

In a source checkout they sit at the top level of the repository; an installed
wheel carries them inside the package (pyproject's force-include). The first
place that has them wins.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    for base in (_PACKAGE, _PACKAGE.parent):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"Brokerlab cannot find its {name!r} folder next to {_PACKAGE}")


TEMPLATES_DIR = _resource("templates")
STATIC_DIR = _resource("static")
CONTENT_DIR = _resource("content")
