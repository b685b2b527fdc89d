"""What a client sees when its security.protocol or sasl.mechanism does not fit the listener.

Each outcome follows the code on both ends: the broker's SocketServer/Selector,
SslTransportLayer, SaslServerAuthenticator and KafkaApis; the client's NetworkClient,
SaslClientAuthenticator and SslTransportLayer. Log lines are Kafka's templates filled in
(``host/ip:port`` is Java's InetSocketAddress.toString, ``host:port (id: -1 rack: null)`` a
bootstrap Node). Sizes come from real bytes: a TLS client's ClientHello read as a Kafka
size prefix, a TLS broker's alert read as a response size.

- TLS client -> listener without TLS: the broker reads ``16 03 01 ..`` as a request of
  hundreds of MB: over socket.request.max.bytes (104857600) on PLAINTEXT, over
  sasl.server.max.receive.size (524288) on SASL_PLAINTEXT; it closes; the client's
  handshake hits EOF: "terminated during authentication".
- client without TLS -> TLS listener: the broker's SSLEngine fails on the Kafka bytes
  ("Unrecognized SSL message, plaintext connection?" as SslTransportLayer cites it),
  answers with a TLS alert and closes; the client reads the alert's header as a response
  size of about 336 MiB (KAFKA-4493: an OutOfMemoryError on a small heap) or sees the
  disconnect, and retries the bootstrap broker.
- SASL client -> listener without SASL: KafkaApis answers SaslHandshake with
  ILLEGAL_SASL_STATE and no mechanisms: IllegalSaslStateException.
- client without SASL -> SASL listener: ApiVersions is answered, the next request (Metadata)
  is refused during the SASL handshake and the broker closes.
- wrong mechanism: UNSUPPORTED_SASL_MECHANISM (33) with the enabled list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.sim.security.errors import SECURITY_ERRORS

__all__ = ["ConnectionOutcome", "connect", "SOCKET_REQUEST_MAX_BYTES", "SASL_SERVER_MAX_RECEIVE_SIZE"]

SOCKET_REQUEST_MAX_BYTES = 104857600  # socket.request.max.bytes default
SASL_SERVER_MAX_RECEIVE_SIZE = 524288  # sasl.server.max.receive.size default
PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# A JDK broker's fatal alert record starts 15 03 03 00 (content type 21, TLS 1.2 record version, length 2).
_JDK_ALERT_HEAD = bytes.fromhex("15030300")


@dataclass(slots=True)
class ConnectionOutcome:
    """How a connection attempt ends, as both sides log it."""

    ok: bool
    stage: str  # "connected", "tls", "sasl-handshake", "first-request"
    steps: list[str] = field(default_factory=list)
    broker_log: str | None = None
    client_log: str | None = None
    client_exception: str | None = None
    client_message: str | None = None
    error_code: int | None = None
    retries: bool = False  # the client keeps reconnecting (no fatal error surfaces)


def _size(head: bytes) -> int:
    return int.from_bytes(head[:4], "big", signed=True)


def connect(client_protocol: str, listener_protocol: str, *, client_mechanism: str = "GSSAPI",
            enabled_mechanisms: Sequence[str] = ("GSSAPI",), host: str = "localhost", ip: str = "127.0.0.1",
            port: int = 9092, client_hello: bytes | None = None) -> ConnectionOutcome:
    """The outcome of a client with ``security.protocol=client_protocol`` reaching a ``listener_protocol`` listener.

    ``client_hello`` is the first TLS record a TLS client sends; by default a real one is
    made with Python's ssl (only its first four bytes matter here).
    """
    for name, value in (("security.protocol", client_protocol), ("listener protocol", listener_protocol)):
        if value not in PROTOCOLS:
            raise ValueError(f"{name}: unknown value {value!r}; valid values are {', '.join(PROTOCOLS)}")
    remote = f"{host}/{ip}:{port}"
    node = f"{host}:{port} (id: -1 rack: null)"
    broker_desc = f"/{ip} (channelId={ip}:{port}-{ip}:54321-0)"
    client_tls, broker_tls = client_protocol in ("SSL", "SASL_SSL"), listener_protocol in ("SSL", "SASL_SSL")
    client_sasl, broker_sasl = client_protocol.startswith("SASL_"), listener_protocol.startswith("SASL_")
    if client_tls and not broker_tls:
        if client_hello is None:
            from app.sim.security.tls import client_hello_record
            client_hello = client_hello_record(host)
        size = _size(client_hello)
        if broker_sasl:
            broker_log = (f"INFO Failed authentication with {broker_desc} (Failing SASL authentication due to invalid "
                          f"receive size)")
            detail = f"Invalid receive (size = {size} larger than {SASL_SERVER_MAX_RECEIVE_SIZE})"
        else:
            broker_log = f"WARN Unexpected error from {broker_desc}; closing connection"
            detail = f"Invalid receive (size = {size} larger than {SOCKET_REQUEST_MAX_BYTES})"
        return ConnectionOutcome(
            False, "tls",
            [f"client sends a TLS ClientHello: {client_hello[:5].hex(' ')} ...",
             f"broker reads the first 4 bytes as a request size: {size} bytes", f"broker: InvalidReceiveException: "
             f"{detail}", "broker closes the connection", "client: EOF during the TLS handshake"],
            broker_log=broker_log,
            client_log=(f"WARN Connection to node -1 ({remote}) terminated during authentication. This may happen due "
                        "to any of the following reasons: (1) Firewall blocking Kafka TLS traffic (eg it may only "
                        "allow HTTPS traffic), (2) Transient network issue."),
            retries=True)
    if broker_tls and not client_tls:
        alert_size = _size(_JDK_ALERT_HEAD)
        return ConnectionOutcome(
            False, "tls",
            ["client sends ApiVersionsRequest in plain bytes (00 00 00 .. size prefix)",
             "broker's SSLEngine: javax.net.ssl.SSLException: Unrecognized SSL message, plaintext connection?",
             "broker sends a TLS alert and closes",
             f"client reads the alert header 15 03 03 00 as a response size: {alert_size} bytes "
             f"(about {alert_size // 2**20} MiB; KAFKA-4493: OutOfMemoryError on a small heap)"],
            broker_log=f"INFO Failed authentication with {broker_desc} (SSL handshake failed)",
            client_log=f"WARN Bootstrap broker {node} disconnected",
            retries=True)
    if client_sasl and not broker_sasl:
        err = SECURITY_ERRORS["ILLEGAL_SASL_STATE"]
        message = f"Unexpected handshake request with client mechanism {client_mechanism}, enabled mechanisms are []"
        return ConnectionOutcome(
            False, "sasl-handshake",
            ["client sends ApiVersionsRequest: answered", f"client sends SaslHandshakeRequest({client_mechanism})",
             f"broker (KafkaApis.handleSaslHandshakeRequest): error {err.code} {err.name}, no mechanisms"],
            client_log=f"ERROR Connection to node -1 ({remote}) failed authentication due to: {message}",
            client_exception=err.exception, client_message=message, error_code=err.code)
    if broker_sasl and not client_sasl:
        message = "Unexpected Kafka request of type METADATA during SASL handshake."
        return ConnectionOutcome(
            False, "first-request",
            ["client sends ApiVersionsRequest: answered (allowed before SASL)", "client sends MetadataRequest",
             f"broker (SaslServerAuthenticator): IllegalSaslStateException: {message}", "broker closes"],
            broker_log=f"INFO Failed authentication with {broker_desc} ({message})",
            client_log=f"WARN Bootstrap broker {node} disconnected", retries=True)
    if broker_sasl and client_mechanism not in enabled_mechanisms:
        err = SECURITY_ERRORS["UNSUPPORTED_SASL_MECHANISM"]
        enabled = "[" + ", ".join(enabled_mechanisms) + "]"
        message = (f"Client SASL mechanism '{client_mechanism}' not enabled in the server, "
                   f"enabled mechanisms are {enabled}")
        return ConnectionOutcome(
            False, "sasl-handshake",
            [f"client sends SaslHandshakeRequest({client_mechanism})",
             f"broker: error {err.code} {err.name}, mechanisms {enabled}"],
            broker_log=f"INFO Failed authentication with {broker_desc} (Unsupported SASL mechanism {client_mechanism})",
            client_log=f"ERROR Connection to node -1 ({remote}) failed authentication due to: {message}",
            client_exception=err.exception, client_message=message, error_code=err.code)
    steps = (["TLS handshake"] if client_tls else []) + (
        ["ApiVersions", f"SaslHandshake({client_mechanism})", "SaslAuthenticate"] if client_sasl else ["ApiVersions"])
    return ConnectionOutcome(True, "connected", steps)
