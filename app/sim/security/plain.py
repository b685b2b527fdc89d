"""SASL/PLAIN (RFC 4616) as Kafka's PlainSaslServer reads it: one message, the password in clear.

The client's only message is ``authzid NUL authcid NUL passwd`` (UTF-8); Kafka's client
sends an empty authzid. The broker answers with an empty token on success, or fails the
SaslAuthenticate request with Kafka's own message. Nothing in the exchange is hashed or
encrypted: on a SASL_PLAINTEXT listener anyone on the path reads the password, which is
why PLAIN belongs on SASL_SSL (the TLS layer is what hides it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["plain_client_response", "PlainResult", "plain_server_evaluate", "plain_spans"]


def plain_client_response(username: str, password: str, authorization_id: str = "") -> bytes:
    """PlainSaslClient's initial response (Kafka sends an empty authorization id)."""
    return f"{authorization_id}\0{username}\0{password}".encode("utf-8")


@dataclass(frozen=True, slots=True)
class PlainResult:
    """The broker's verdict: the principal on success, else Kafka's error message for the client."""

    ok: bool
    principal: str | None
    error_message: str | None


def plain_server_evaluate(response: bytes, users: Mapping[str, str]) -> PlainResult:
    """PlainSaslServer.evaluateResponse against ``users`` (the JAAS ``user_<name>="<password>"`` entries).

    These exceptions are SaslAuthenticationExceptions: their text reaches the client as is.
    """
    text = response.decode("utf-8")
    tokens = text.split("\0", 3)
    if len(tokens) != 3:
        return PlainResult(False, None, f"Invalid SASL/PLAIN response: expected 3 tokens, got {min(len(tokens), 4)}")
    authorization_id, username, password = tokens
    if not username:
        return PlainResult(False, None, "Authentication failed: username not specified")
    if not password:
        return PlainResult(False, None, "Authentication failed: password not specified")
    if users.get(username) != password:
        return PlainResult(False, None, "Authentication failed: Invalid username or password")
    if authorization_id and authorization_id != username:
        return PlainResult(False, None, "Authentication failed: Client requested an authorization id that is "
                           "different from username")
    return PlainResult(True, "User:" + username, None)


def plain_spans(response: bytes) -> list[tuple[int, int, str, str]]:
    """(offset, length, field, decoded value) of the three tokens and their NUL separators, for the byte view."""
    spans: list[tuple[int, int, str, str]] = []
    pos = 0
    for index, name in enumerate(("authzid", "authcid (username)", "passwd (password, in clear)")):
        end = response.find(b"\0", pos) if index < 2 else len(response)
        spans.append((pos, end - pos, name, response[pos:end].decode("utf-8", "replace")))
        if index < 2:
            spans.append((end, 1, "NUL", "0x00"))
        pos = end + 1
    return spans
