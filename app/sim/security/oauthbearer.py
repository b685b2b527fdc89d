"""SASL/OAUTHBEARER (KIP-255, RFC 7628) with Kafka's unsecured tokens: what the client sends, what the broker checks.

OAuthBearerUnsecuredLoginCallbackHandler makes an unsecured JWS: header ``{"alg":"none"}``,
claims ``exp`` and ``iat`` (seconds, written as Java doubles: ``1.7E9``), ``sub`` and any
configured claims such as ``scope``, Base64URL without padding, an empty signature (the
token ends with a dot). The client's initial response (OAuthBearerClientInitialResponse)
is ``n,,\\x01auth=Bearer <token>\\x01\\x01``. OAuthBearerUnsecuredValidatorCallbackHandler
checks, in order: the JWS shape, the principal claim, ``iat`` not in the future, ``exp``
not passed, ``exp`` after ``iat``, the required scope (OAuthBearerValidationUtils). A
failed check makes the broker answer ``{"status":"invalid_token"}`` (or
``insufficient_scope`` with the scope); the client replies ``\\x01`` and the broker fails
the authentication with that JSON as the message. Time is passed in (``now_ms``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["unsecured_token", "client_initial_response", "parse_client_initial_response", "validate_token",
           "TokenValidation", "java_double", "decode_token"]

SEPARATOR = "\x01"
_SASLNAME = r"(?:[\x01-\x2B\x2D-\x3C\x3E-\x7F]|=2C|=3D)+"  # [\x01-\x7F&&[^=,]]
_KEY = r"[A-Za-z]+"
_VALUE = r"[\x21-\x7E \t\r\n]+"
_KVPAIRS = f"(?:{_KEY}={_VALUE}{SEPARATOR})*"
_CLIENT_INITIAL_RESPONSE = re.compile(
    f"n,(?:a=(?P<authzid>{_SASLNAME}))?,{SEPARATOR}(?P<kvpairs>{_KVPAIRS}){SEPARATOR}")
_AUTH = re.compile(r"(?P<scheme>\w+)[ ]+(?P<token>[-_~+/.a-zA-Z0-9]+(=*))")


def java_double(value: float) -> str:
    """Double.toString: plain between 10^-3 and 10^7, else ``d.dddE<n>``, shortest round-trip digits."""
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    dec = Decimal(repr(float(value))).normalize()
    sign, digits, exponent = dec.as_tuple()
    assert isinstance(exponent, int)
    prefix = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        text = format(abs(dec), "f")
        return prefix + (text if "." in text else text + ".0")
    sci = len(digits) + exponent - 1
    mantissa = "".join(map(str, digits))
    return f"{prefix}{mantissa[0]}.{mantissa[1:] or '0'}E{sci}"


def _b64url(data: str) -> str:
    return base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def _json_string(value: str) -> str:
    # The handler's escape(): only " and \ are escaped.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unsecured_token(sub: str, now_ms: int, lifetime_seconds: int = 3600, scope: Sequence[str] | None = None,
                    string_claims: Mapping[str, str] | None = None) -> str:
    """The JWS OAuthBearerUnsecuredLoginCallbackHandler builds for ``unsecuredLoginStringClaim_sub=<sub>``.

    ``scope`` stands for ``unsecuredLoginListClaim_scope``; claims come in the order exp,
    iat, then the configured ones (Kafka iterates its options map; here: sub, scope, others).
    """
    claims = {"sub": sub, **(string_claims or {})}
    if "iat" in claims or "exp" in claims:
        raise ValueError("claims: Cannot explicitly set the 'iat' or 'exp' claim; they are computed")
    header = '{"alg":"none"}'
    parts = [f'"exp":{java_double(now_ms / 1000.0 + lifetime_seconds)}', f'"iat":{java_double(now_ms / 1000.0)}']
    parts += [f"{_json_string(k)}:{_json_string(v)}" for k, v in claims.items()]
    if scope is not None:
        parts.append(f'"scope":[{",".join(_json_string(s) for s in scope)}]')
    return f"{_b64url(header)}.{_b64url('{' + ','.join(parts) + '}')}."


def client_initial_response(token: str, authorization_id: str = "",
                            extensions: Mapping[str, str] | None = None) -> bytes:
    """OAuthBearerClientInitialResponse.toBytes: ``n,,\\x01auth=Bearer <token>\\x01\\x01``."""
    authzid = f"a={authorization_id}" if authorization_id else ""
    ext = SEPARATOR.join(f"{k}={v}" for k, v in (extensions or {}).items())
    ext = SEPARATOR + ext if ext else ""
    return f"n,{authzid},{SEPARATOR}auth=Bearer {token}{ext}{SEPARATOR}{SEPARATOR}".encode("utf-8")


def parse_client_initial_response(response: bytes) -> tuple[str, str, dict[str, str]]:
    """(token, authorization id, extensions) as the broker parses them; ValueError with Kafka's message otherwise."""
    m = _CLIENT_INITIAL_RESPONSE.fullmatch(response.decode("utf-8"))
    if m is None:
        raise ValueError("Invalid OAUTHBEARER client first message")
    pairs = [p for p in m.group("kvpairs").split(SEPARATOR) if p]
    properties = dict(p.split("=", 1) for p in pairs)
    auth = properties.pop("auth", None)
    if auth is None:
        raise ValueError("Invalid OAUTHBEARER client first message: 'auth' not specified")
    am = _AUTH.fullmatch(auth)
    if am is None:
        raise ValueError("Invalid OAUTHBEARER client first message: invalid 'auth' format")
    if am.group("scheme").lower() != "bearer":
        raise ValueError(f"Invalid scheme in OAUTHBEARER client first message: {am.group('scheme')}")
    return am.group("token"), m.group("authzid") or "", properties


def decode_token(token: str) -> tuple[dict[str, object], dict[str, object]]:
    """(header, claims) of a compact JWS, checked as OAuthBearerUnsecuredJws's constructor checks it."""
    if ".." in token:
        raise ValueError("Malformed compact serialization contains '..'")
    splits = token.split(".")
    if len(splits) != 3:
        raise ValueError("Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values")
    decode = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))  # noqa: E731
    header, claims = decode(splits[0]), decode(splits[1])
    if header.get("alg") != "none":
        raise ValueError("Unsecured JWS must have 'none' for an algorithm")
    if splits[2]:
        raise ValueError("Unsecured JWS must not contain a digital signature")
    return header, claims


@dataclass(frozen=True, slots=True)
class TokenValidation:
    """The validator's verdict: the principal, or the failure and the JSON the broker sends back."""

    ok: bool
    principal: str | None
    failure: str | None
    server_response: str | None  # {"status":"invalid_token"} or {"status":"insufficient_scope", "scope":"[...]"}


def _fail(description: str, scope: str | None = None) -> TokenValidation:
    status = '{"status":"%s"' % ("insufficient_scope" if scope is not None else "invalid_token")
    if scope is not None:
        status += ', "scope":"%s"' % scope
    return TokenValidation(False, None, description, status + "}")


def validate_token(token: str, now_ms: int, required_scope: Sequence[str] = (), allowable_clock_skew_ms: int = 0,
                   principal_claim: str = "sub", scope_claim: str = "scope") -> TokenValidation:
    """OAuthBearerUnsecuredValidatorCallbackHandler.handleCallback (unsecuredValidator* options as arguments)."""
    if allowable_clock_skew_ms < 0:
        raise ValueError(f"allowable_clock_skew_ms: Allowable clock skew millis must not be negative: "
                         f"{allowable_clock_skew_ms}")
    try:
        _, claims = decode_token(token)
    except ValueError as exc:
        return _fail(str(exc))
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)):
        return _fail("No expiration time in JWT")
    principal = claims.get(principal_claim)
    if not isinstance(principal, str) or not principal.strip():
        return _fail(f"No principal name in JWT claim: {principal_claim}")
    if isinstance(iat, (int, float)) and 1000 * iat > now_ms + allowable_clock_skew_ms:
        return _fail(f"The Issued At value ({iat:f} seconds) was after the indicated time ({now_ms} ms) plus "
                     f"allowable clock skew ({allowable_clock_skew_ms} ms)")
    if now_ms - allowable_clock_skew_ms >= 1000 * exp:
        return _fail(f"The indicated time ({now_ms} ms) minus allowable clock skew ({allowable_clock_skew_ms} ms) "
                     f"was on or after the Expiration Time value ({exp:f} seconds)")
    if isinstance(iat, (int, float)) and exp <= iat:
        return _fail(f"The Expiration Time time ({exp:f} seconds) was not after the Issued At time ({iat:f} seconds)")
    raw_scope = claims.get(scope_claim)
    # OAuthBearerScopeUtils: a list claim, or a space-delimited string.
    token_scope = raw_scope if isinstance(raw_scope, list) else (
        raw_scope.split() if isinstance(raw_scope, str) else [])
    for element in required_scope:
        if element not in token_scope:
            required = "[" + ", ".join(required_scope) + "]"
            return _fail(f"The provided scope ([{', '.join(token_scope)}]) was missing a required scope ({element}).  "
                         f"All required scope elements: {required}", scope=required)
    return TokenValidation(True, "User:" + principal, None, None)
