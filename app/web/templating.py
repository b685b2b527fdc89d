"""The Jinja2 environment: templates/ plus the filters the pages need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from app import __version__
from app.configs import KAFKA_VERSIONS, ConfigDef
from app.configs.registry import LATEST
from app.course.lessons import TRACKS
from app.course.markdown import render_inline


def kafka_value(value: Any) -> str:
    """A default as Kafka's docs print it: true/false, null, comma-separated lists."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) if value else '""'
    if value == "":
        return '""'
    return str(value)


def breakable(value: Any) -> Markup:
    """Text a narrow table cell may wrap after its dots and commas (max.in.flight.requests.per.connection,
    [0,...,2147483647]) instead of anywhere, so a column is never squeezed to a few letters."""
    return Markup(str(escape(str(value))).replace(".", ".<wbr>").replace(",", ",<wbr>"))


def older_defaults(config: ConfigDef) -> list[tuple[str, Any]]:
    """(version, default) for each older Kafka version whose default differs from the newest."""
    latest = config.default_for(LATEST)
    return [(v, config.default_for(v)) for v in reversed(KAFKA_VERSIONS[:-1]) if config.default_for(v) != latest]


def make_templates(directory: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=directory)
    env = templates.env
    env.filters["kafka_value"] = kafka_value
    env.filters["breakable"] = breakable
    env.filters["inline_markdown"] = render_inline  # self-check text from our own lessons: trusted
    env.globals.update(
        version=__version__,
        tracks=TRACKS,
        latest_kafka=LATEST,
        older_defaults=older_defaults,
        htmx="/static/vendor/htmx-2.0.11.min.js",
    )
    return templates
