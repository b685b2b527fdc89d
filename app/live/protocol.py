"""The lab protocol's messages in: parsed, checked, or a ProtocolError naming the problem (docs/protocol.md)."""

from __future__ import annotations

import json
from typing import Any

import orjson

#: Every message in and every frame out carries ``"v": PROTOCOL_VERSION``.
PROTOCOL_VERSION = 1
#: A control message longer than this is refused unread (a shared link's log fits easily).
MAX_MESSAGE_BYTES = 65536
#: An error's message is cut to this many characters: it may quote what arrived, which can be long.
MAX_ERROR_CHARS = 300
#: JSON numbers are doubles in the browser: integers beyond 2**53 are not exact there, and a huge
#: one cannot even become a float here.
MAX_SAFE_INTEGER = 2**53
#: Actions (settings changed, faults injected, terminal lines) a run's log holds at most: each is a mark on the
#: timeline and an entry in the run's link, so a learner who clicks Flush 400 times is told, not handed
#: a 20 KB link.
MAX_ACTIONS = 100
#: Characters of a run's link at most: the part of the page's URL that carries the run (seed, start
#: settings, actions; static/js/lab/urlstate.js), counted as the page encodes it (app/live/links.py).
#: With the lesson's address it stays under the 8 KB request line that common web servers and proxies
#: accept (nginx's large_client_header_buffers, Apache's LimitRequestLine).
MAX_LINK_CHARS = 6000

#: Frames are most of what a server with a classroom on it does: orjson writes one in a fraction of json's
#: time. Some of a frame's tables are keyed by broker id (ints), which JSON writes as strings, as json does.
_ENCODE_OPTIONS = orjson.OPT_NON_STR_KEYS


def encode(message: dict[str, Any]) -> str:
    """A message out (a frame, hello, an error) as the JSON text of a websocket text frame."""
    return orjson.dumps(message, option=_ENCODE_OPTIONS).decode()


_NUMBER = (int, float)
_SCALAR = (str, int, float, bool)
#: type -> {field: (accepted Python types, required)}; None in the types means null is fine.
FIELDS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "set_config": {"name": ((str,), True), "value": (_SCALAR, True)},
    "fault": {"action": ((str,), True), "broker": ((int, type(None)), False), "target": ((str,), False)},
    "speed": {"value": (_NUMBER, True)},
    "pause": {},
    "resume": {},
    "step": {},
    "restart": {},
    "reset": {},
    "seek": {"t": (_NUMBER, True)},
    "load": {"seed": ((int,), False), "settings": ((dict,), False), "log": ((list,), False), "t": (_NUMBER, False)},
    "ack": {"seq": ((int,), True)},
    "command": {"line": ((str,), True)},
    "signal": {"name": ((str,), True)},
}
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "an object",
               list: "a list", type(None): "null"}


class ProtocolError(ValueError):
    """A message the session refuses; ``code`` is stable for the page, ``message`` is for a person.

    ``id``: the refused message's own ``id`` (the page matches the refusal to what it sent);
    ``retry_ms``: for ``rate_limited``, when the next control would be taken.
    """

    def __init__(self, code: str, message: str, ref: str | None = None, retry_ms: float | None = None) -> None:
        if len(message) > MAX_ERROR_CHARS:
            message = message[: MAX_ERROR_CHARS - 1] + "…"
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref
        self.id: int | None = None
        self.retry_ms = retry_ms

    def frame(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": "error", "code": self.code, "message": self.message}
        if self.ref is not None:
            out["ref"] = self.ref
        if self.id is not None:
            out["id"] = self.id
        if self.retry_ms is not None:
            out["retry_ms"] = round(self.retry_ms, 1)
        return out


def _describe(types: tuple[type, ...]) -> str:
    names = [_TYPE_NAMES[t] for t in types if t in _TYPE_NAMES]
    return " or ".join(dict.fromkeys(names))


class _HugeInteger(ValueError):
    pass


def _parse_int(digits: str) -> int:
    value = int(digits)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _HugeInteger(digits)
    return value


def parse(text: str) -> dict[str, Any]:
    """One control message: a JSON object with ``v``, ``type`` and that type's fields, and nothing else."""
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", f"a message may be at most {MAX_MESSAGE_BYTES} bytes of UTF-8, got {size}")
    try:
        msg = json.loads(text, parse_int=_parse_int)
    except _HugeInteger as exc:
        digits = str(exc)
        shown = digits if len(digits) <= 24 else f"{digits[:20]}… ({len(digits)} digits)"
        raise ProtocolError("bad_value", f"the integer {shown} is too large: numbers must be within ±2^53") from None
    except RecursionError:
        raise ProtocolError("bad_json", "not JSON this server reads: nested too deeply") from None
    except ValueError as exc:
        raise ProtocolError("bad_json", f"not JSON: {exc}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("bad_message", f"a message is a JSON object, got {type(msg).__name__}")
    ident = msg.get("id")
    try:
        _check(msg)
    except ProtocolError as exc:
        # The page matches a refusal to the message it sent by its id (a valid one).
        exc.id = ident if _valid_id(ident) else None
        raise
    return msg


def _valid_id(ident: Any) -> bool:
    return type(ident) is int and 0 <= ident <= MAX_SAFE_INTEGER


def _check(msg: dict[str, Any]) -> None:
    """``v``, ``type``, that type's fields and an optional ``id``, each of the right JSON type, and nothing else."""
    kind = msg.get("type")
    ref = kind if isinstance(kind, str) else None
    if "v" not in msg:
        raise ProtocolError("bad_version", f'missing "v": this server speaks version {PROTOCOL_VERSION}', ref)
    if msg["v"] != PROTOCOL_VERSION or type(msg["v"]) is not int:
        raise ProtocolError("bad_version", f"unsupported version {msg['v']!r}: this server speaks version {PROTOCOL_VERSION}", ref)
    if not isinstance(kind, str) or kind not in FIELDS:
        raise ProtocolError("unknown_type", f"unknown message type {kind!r}; expected one of: {', '.join(FIELDS)}", ref)
    fields = FIELDS[kind]
    extra = sorted(k for k in msg if k not in fields and k not in ("v", "type", "id"))
    if extra:
        raise ProtocolError("bad_field", f"{kind}: unknown field {extra[0]!r}; expected: {', '.join(fields) or 'no fields'}", ref)
    for name, (types, required) in fields.items():
        if name not in msg:
            if required:
                raise ProtocolError("bad_field", f"{kind}: missing field {name!r} ({_describe(types)})", ref)
            continue
        value = msg[name]
        # JSON true is a Python int; a bool is only accepted where the field says so.
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            raise ProtocolError("bad_field", f"{kind}.{name} must be {_describe(types)}, got {json.dumps(value)}", ref)
    if "id" in msg and not _valid_id(msg["id"]):
        raise ProtocolError("bad_field", f"{kind}.id must be an integer from 0 to 2^53; got {json.dumps(msg['id'])}", ref)
