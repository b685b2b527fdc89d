"""JSON request bodies read with a cap: a body over the route's limit is refused before it is in memory."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


class BodyError(Exception):
    """A body refused before the route looks at it: ``status`` 413 (too large) or 422 (not JSON)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail

    def response(self) -> JSONResponse:
        return JSONResponse({"detail": self.detail}, status_code=self.status)


def _too_large(limit: int) -> BodyError:
    return BodyError(413, f"the request body must be at most {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, at most ``limit`` bytes: refused on its Content-Length, or as soon as the stream passes the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    # Content-Length may be absent (chunked) or understate the body: count what actually arrives.
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def parse_json(body: bytes) -> Any:
    """The body's JSON value (an empty body is ``{}``); BodyError 422 when it is not JSON this server reads."""
    try:
        return json.loads(body or b"{}")
    except RecursionError:  # the C scanner refuses deep nesting ("[" * 5000) this way, not with a ValueError
        raise BodyError(422, "the body is not JSON this server reads: it is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, an integer of more than 4300 digits
        raise BodyError(422, f"the body is not JSON: {exc}") from None


async def read_json(request: Request, limit: int) -> Any:
    return parse_json(await read_body(request, limit))
