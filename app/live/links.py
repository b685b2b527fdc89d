"""How long a run's link is: the query string the page writes for it (static/js/lab/urlstate.js), counted as
the page encodes it, so the server can refuse an action that would make the link longer than MAX_LINK_CHARS.

Not a Kafka class. The page writes ``seed``, every start setting (``String(value)``) and ``log``
(``JSON.stringify(log)``) with URLSearchParams, which encodes as application/x-www-form-urlencoded:
each UTF-8 byte stays itself when it is an ASCII letter, a digit or one of ``*-._``, a space becomes
``+``, and every other byte becomes ``%XX``. So ``é`` costs 6 characters and ``"`` costs 3.
"""

from __future__ import annotations

import json
from typing import Any

from app.live.protocol import MAX_LINK_CHARS, ProtocolError

_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-._ ")


def form_chars(text: str) -> int:
    """Characters ``text`` takes in a URL query, as URLSearchParams writes it."""
    return sum(1 if byte in _PLAIN else 3 for byte in text.encode("utf-8", "surrogatepass"))


def _js(value: Any) -> Any:
    """``value`` as JavaScript would print it: a whole float without its ``.0`` (1203.0 is 1203)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, list):
        return [_js(v) for v in value]
    return value


def js_string(value: Any) -> str:
    """JavaScript's ``String(value)`` for the values a lab setting holds (text, integers, whole floats)."""
    value = _js(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def js_json(value: Any) -> str:
    """JavaScript's ``JSON.stringify(value)``: no spaces, non-ASCII text as it is."""
    return json.dumps(_js(value), ensure_ascii=False, separators=(",", ":"))


def link_chars(seed: int, settings: dict[str, Any], log: list[list[Any]]) -> int:
    """Characters of the link's query: ``seed=…&name=value&…&log=[…]`` (``log`` only when it holds something)."""
    pairs = [("seed", str(seed)), *((name, js_string(value)) for name, value in settings.items())]
    if log:
        pairs.append(("log", js_json(log)))
    return sum(form_chars(k) + 1 + form_chars(v) for k, v in pairs) + len(pairs) - 1


def check_link(seed: int, settings: dict[str, Any], log: list[list[Any]], ref: str, hint: str) -> None:
    """A ProtocolError (``link_too_long``) naming the length and MAX_LINK_CHARS when the link would be longer."""
    chars = link_chars(seed, settings, log)
    if chars > MAX_LINK_CHARS:
        raise ProtocolError("link_too_long", f"the run's link would be {chars} characters, over the {MAX_LINK_CHARS} a link "
                            f"may hold (it carries the seed, the start settings and every action); {hint}", ref)
