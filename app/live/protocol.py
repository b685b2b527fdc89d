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
    "load": {"seed": ((int,), False), "settings": ((dict,), False), "log": ((list,), False)},
    "ack": {"seq": ((int,), True)},
    "command": {"line": ((str,), True)},
    "signal": {"name": ((str,), True)},
}
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "an object",
               list: "a list", type(None): "null"}


class ProtocolError(ValueError):
    """A message the session refuses; ``code`` is stable for the page, ``message`` is for a person."""

    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        if len(message) > MAX_ERROR_CHARS:
            message = message[: MAX_ERROR_CHARS - 1] + "…"
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref

    def frame(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": "error", "code": self.code, "message": self.message}
        if self.ref is not None:
            out["ref"] = self.ref
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
    kind = msg.get("type")
    ref = kind if isinstance(kind, str) else None
    if "v" not in msg:
        raise ProtocolError("bad_version", f'missing "v": this server speaks version {PROTOCOL_VERSION}', ref)
    if msg["v"] != PROTOCOL_VERSION or type(msg["v"]) is not int:
        raise ProtocolError("bad_version", f"unsupported version {msg['v']!r}: this server speaks version {PROTOCOL_VERSION}", ref)
    if not isinstance(kind, str) or kind not in FIELDS:
        raise ProtocolError("unknown_type", f"unknown message type {kind!r}; expected one of: {', '.join(FIELDS)}", ref)
    fields = FIELDS[kind]
    extra = sorted(k for k in msg if k not in fields and k not in ("v", "type"))
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
    return msg
