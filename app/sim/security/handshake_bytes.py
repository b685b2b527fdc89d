"""How many bytes each message of a connection's set-up takes on the wire: fixed, taken from real bytes.

The simulator's connections (app/sim/channel.py) send these messages before their first
request. Their sizes are worked out once here, from the real libraries' bytes, and never
measured during a run, so a run stays deterministic:

- Kafka frames (ApiVersions, SaslHandshake, SaslAuthenticate) are sized by Kafka's own
  encoding rules, written out below field by field (int32 size, request header v1 or v2 with
  tagged fields, the body); tests/sim/security/test_handshake_bytes.py builds the same frames
  with ``kio`` (app/sim/security/wire.py) and holds every size here equal to them.
- The ApiVersions responses list the APIs a Kafka 4.0 broker offers (``BROKER_APIS``: every
  message schema whose listeners include ``broker``, from Kafka's
  clients/src/main/resources/common/message/*Request.json, unstable latest versions left out).
- TLS flights are the bytes of a real handshake between two OpenSSL ends over memory BIOs
  (app/sim/security/tls.py) with this lab's throwaway ECDSA P-256 certificates (trustme), one
  run per version, with and without a client certificate; the test runs the handshake again
  and finds the same sizes within a few bytes (signatures vary in length by a byte or two).
  A Kafka broker's JSSE sends slightly different flights; the round trips are the same.
- After the handshake every record costs its header and AEAD tag: TLS 1.3 5 + 1 + 16 bytes
  (TLS_AES_256_GCM_SHA384: the inner content type and the tag), TLS 1.2 5 + 8 + 16 (the
  explicit nonce of ECDHE-ECDSA-AES256-GCM-SHA384), per record of at most 16384 bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["BROKER_APIS", "API_VERSIONS_V0_RESPONSE", "API_VERSIONS_V4_RESPONSE", "TlsFlight", "TLS_FLIGHTS",
           "TLS_RECORD_OVERHEAD", "TLS_MAX_RECORD", "TLS_ALERT", "tls_wire_bytes", "api_versions_request",
           "sasl_handshake_request", "sasl_handshake_response", "sasl_authenticate_request",
           "sasl_authenticate_response", "SOFTWARE_NAME", "SOFTWARE_VERSION"]

#: (api key, min version, max version) of every API a Kafka 4.0 broker answers ApiVersions with.
BROKER_APIS: tuple[tuple[int, int, int], ...] = (
    (0, 0, 11), (1, 0, 17), (2, 0, 10), (3, 0, 12), (8, 0, 9), (9, 0, 9), (10, 0, 6), (11, 0, 9), (12, 0, 4),
    (13, 0, 5), (14, 0, 5), (15, 0, 5), (16, 0, 5), (17, 0, 1), (18, 0, 4), (19, 0, 7), (20, 0, 6), (21, 0, 2),
    (22, 0, 5), (23, 0, 4), (24, 0, 5), (25, 0, 4), (26, 0, 4), (27, 0, 1), (28, 0, 4), (29, 0, 3), (30, 0, 3),
    (31, 0, 3), (32, 0, 4), (33, 0, 2), (34, 0, 2), (35, 0, 4), (36, 0, 2), (37, 0, 3), (38, 0, 3), (39, 0, 2),
    (40, 0, 2), (41, 0, 3), (42, 0, 2), (43, 0, 2), (44, 0, 1), (45, 0, 0), (46, 0, 0), (47, 0, 0), (48, 0, 1),
    (49, 0, 1), (50, 0, 0), (51, 0, 0), (55, 0, 2), (57, 0, 2), (60, 0, 1), (61, 0, 0), (64, 0, 0), (65, 0, 0),
    (66, 0, 1), (68, 0, 0), (69, 0, 0), (71, 0, 0), (72, 0, 0), (74, 0, 0), (75, 0, 0), (80, 0, 0), (81, 0, 0))
#: The features a 4.0 broker reports in ApiVersions v3+ (supported min..max) and the levels finalized.
SUPPORTED_FEATURES = (("metadata.version", 1, 25), ("kraft.version", 0, 1), ("group.version", 0, 1),
                      ("transaction.version", 0, 2))
FINALIZED_FEATURES = (("metadata.version", 25), ("group.version", 1), ("transaction.version", 2))
#: What a Java client says it is in ApiVersionsRequest v3+ (client_software_name / _version).
SOFTWARE_NAME, SOFTWARE_VERSION = "apache-kafka-java", "4.0.0"

#: ApiVersionsResponse v0 (what SaslClientAuthenticator asks for first: always v0) with BROKER_APIS:
#: size 4, correlation id 4, error 2, array length 4, 6 bytes an API.
API_VERSIONS_V0_RESPONSE = 4 + 4 + 2 + 4 + 6 * len(BROKER_APIS)
#: ApiVersionsResponse v4 (NetworkClient's, once the channel is ready), with the features above.
API_VERSIONS_V4_RESPONSE = 624


def _uvarint_len(n: int) -> int:
    return max(1, math.ceil(n.bit_length() / 7))


def _header_v1(client_id: str) -> int:
    """Size prefix, api key, version, correlation id, client id (int16-prefixed)."""
    return 4 + 2 + 2 + 4 + 2 + len(client_id.encode())


def api_versions_request(version: int, client_id: str) -> int:
    """v0: header v1 and an empty body; v3+: header v2 and the client's software name and version."""
    if version < 3:
        return _header_v1(client_id)
    body = (1 + len(SOFTWARE_NAME)) + (1 + len(SOFTWARE_VERSION)) + 1
    return _header_v1(client_id) + 1 + body


def sasl_handshake_request(mechanism: str, client_id: str) -> int:
    """SaslHandshakeRequest v1 (not flexible): header v1, the mechanism as an int16-prefixed string."""
    return _header_v1(client_id) + 2 + len(mechanism)


def sasl_handshake_response(mechanisms: tuple[str, ...]) -> int:
    """SaslHandshakeResponse v1: size, correlation id, error code, the enabled mechanisms (int32 array)."""
    return 4 + 4 + 2 + 4 + sum(2 + len(m) for m in mechanisms)


def sasl_authenticate_request(auth_bytes: int, client_id: str) -> int:
    """SaslAuthenticateRequest v2 (flexible): header v2, auth_bytes as compact bytes, tagged fields."""
    return _header_v1(client_id) + 1 + _uvarint_len(auth_bytes + 1) + auth_bytes + 1


def sasl_authenticate_response(auth_bytes: int, error_message: str | None = None) -> int:
    """SaslAuthenticateResponse v2: size, correlation id, tagged fields (header v1), error code, the error
    message (compact nullable string), auth_bytes (compact bytes), session_lifetime_ms (int64), tagged fields."""
    message = 1 if error_message is None else _uvarint_len(len(error_message.encode()) + 1) + len(error_message.encode())
    return 4 + 4 + 1 + 2 + message + _uvarint_len(auth_bytes + 1) + auth_bytes + 8 + 1


@dataclass(frozen=True, slots=True)
class TlsFlight:
    """One side's bytes in a TLS handshake before it waits for the other side."""

    sender: str  # "client" or "broker"
    bytes: int
    messages: str  # the handshake messages it carries


# (version, mTLS) -> the flights in order, from real OpenSSL sessions (see the module's docstring).
TLS_FLIGHTS: dict[tuple[str, bool], tuple[TlsFlight, ...]] = {
    ("TLSv1.3", False): (
        TlsFlight("client", 253, "ClientHello"),
        TlsFlight("broker", 934, "ServerHello, ChangeCipherSpec, then encrypted: EncryptedExtensions, Certificate, "
                                 "CertificateVerify, Finished"),
        TlsFlight("client", 80, "ChangeCipherSpec, Finished (encrypted)"),
        TlsFlight("broker", 510, "NewSessionTicket x2 (encrypted)"),
    ),
    ("TLSv1.3", True): (
        TlsFlight("client", 253, "ClientHello"),
        TlsFlight("broker", 1413, "ServerHello, ChangeCipherSpec, then encrypted: EncryptedExtensions, "
                                  "CertificateRequest, Certificate, CertificateVerify, Finished"),
        TlsFlight("client", 1172, "ChangeCipherSpec, then encrypted: Certificate, CertificateVerify, Finished"),
        TlsFlight("broker", 1598, "NewSessionTicket x2 (encrypted)"),
    ),
    ("TLSv1.2", False): (
        TlsFlight("client", 190, "ClientHello"),
        TlsFlight("broker", 777, "ServerHello, Certificate, ServerKeyExchange, ServerHelloDone"),
        TlsFlight("client", 93, "ClientKeyExchange, ChangeCipherSpec, Finished (encrypted)"),
        TlsFlight("broker", 242, "NewSessionTicket, ChangeCipherSpec, Finished (encrypted)"),
    ),
    ("TLSv1.2", True): (
        TlsFlight("client", 190, "ClientHello"),
        TlsFlight("broker", 1244, "ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone"),
        TlsFlight("client", 1145, "Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, "
                                  "Finished (encrypted)"),
        TlsFlight("broker", 786, "NewSessionTicket, ChangeCipherSpec, Finished (encrypted)"),
    ),
}
#: A fatal TLS alert: 7 bytes in the clear (TLS 1.2, and 1.3 before keys), 24 once encrypted (TLS 1.3).
TLS_ALERT = {"TLSv1.2": 7, "TLSv1.3": 24}
TLS_RECORD_OVERHEAD = {"TLSv1.3": 5 + 1 + 16, "TLSv1.2": 5 + 8 + 16}
TLS_MAX_RECORD = 16384


def tls_wire_bytes(plaintext: int, version: str) -> int:
    """``plaintext`` bytes of Kafka frames as TLS application records: each record adds its overhead."""
    records = max(1, math.ceil(plaintext / TLS_MAX_RECORD))
    return plaintext + records * TLS_RECORD_OVERHEAD[version]
