"""The Host names the server answers to: a guard against DNS rebinding.

A page on another site can point its own name at 127.0.0.1 (DNS rebinding) and then
read our answers as same-origin; its requests still carry its own name in Host. So
only loopback names, the address the server was told to bind and the names listed in
``allowed_hosts`` (BROKERLAB_ALLOWED_HOSTS) get an answer, pages and lab sockets alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.settings import Settings

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

# host[:port], the host a name or a bracketed IPv6 address; anything else (user info, paths, spaces) is no Host.
_HOST = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{1,5})?")


def host_name(value: str | None) -> str | None:
    """The name in a Host header or an Origin's netloc, lowercased and without brackets or port; None if malformed."""
    match = _HOST.fullmatch(value or "")
    return match["name"].strip("[]").lower() if match else None


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The loopback names, the configured ``host`` and ``allowed_hosts``, in host_name's form (any port)."""
    names: Iterable[str] = (*LOOPBACK_NAMES, settings.host, *settings.allowed_hosts)
    return frozenset(name.strip().strip("[]").lower() for name in names)


class TrustedHostMiddleware:
    """Refuses HTTP requests and websockets whose Host is not one of ``allowed`` (400, naming the setting)."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host")
        if host_name(host) in self.allowed:
            await self.app(scope, receive, send)
            return
        # A websocket gets the same answer, as an HTTP denial of the handshake.
        await PlainTextResponse(self.refusal(host), status_code=400)(scope, receive, send)

    def refusal(self, host: str | None) -> str:
        shown = "no Host header" if host is None else f"Host {host[:100]!r}"
        return (f"{shown} is not a name this server answers to ({', '.join(sorted(self.allowed))}). "
                "To serve it under another name, list that name in BROKERLAB_ALLOWED_HOSTS, "
                "a JSON list such as '[\"192.168.1.20\"]'.")
