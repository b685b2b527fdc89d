"""A real TLS session between a Kafka client and broker, made with Python's ssl over memory BIOs.

Both ends run OpenSSL through ``ssl.SSLContext.wrap_bio``; every byte they exchange is
kept, split into records (:mod:`tls_records`) and shown. After the handshake the client
sends the Kafka request it was given (a real ProduceRequest from :mod:`wire`); the
records carrying it are real ciphertext, and the broker's side of the same session
decrypts them back, which is the honest "decrypt with the session's keys". For TLS 1.3
the client's key log also lets a third party decrypt them (:mod:`tls_decrypt`).

Kafka's client does what ``check_hostname`` does here: with
``ssl.endpoint.identification.algorithm=https`` (the default since 2.0, KIP-294) the broker
certificate's SANs must hold the host the client connected to. With
``ssl.client.auth=required`` the broker asks for the client's certificate and builds the
principal from its DN with ``ssl.principal.mapping.rules``.

Costs are measured, not simulated: bytes on the wire, and CPU per request with
``time.process_time`` over repeated round trips. They vary by machine and run, so keep
them out of anything that must be deterministic. Not modelled: session resumption,
TLS 1.2 renegotiation, the JDK's own cipher suite preferences.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import time
from dataclasses import dataclass, field

from app.sim.security.certs import Pki, distinguished_name
from app.sim.security.principal import SslPrincipalMapper
from app.sim.security.tls_records import TlsRecord, parse_records

__all__ = ["TlsSession", "TlsCosts", "run_session", "client_hello_record", "hostname_failure", "HostnameFailure",
           "plaintext_into_tls_server", "TLS_VERSIONS"]

TLS_VERSIONS = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


@dataclass(frozen=True, slots=True)
class TlsCosts:
    handshake_bytes_client: int
    handshake_bytes_server: int
    request_plaintext_bytes: int
    request_wire_bytes: int  # the records that carried the request
    handshake_cpu_ms: float  # both ends, measured
    request_cpu_us: float  # encrypt + decrypt of one request, measured over repeats

    @property
    def request_overhead_bytes(self) -> int:
        return self.request_wire_bytes - self.request_plaintext_bytes


@dataclass(slots=True)
class TlsSession:
    version: str
    cipher: str
    flights: list[tuple[str, bytes]] = field(default_factory=list)  # (sender, bytes) in the order sent
    handshake_records: list[TlsRecord] = field(default_factory=list)
    request_records: list[TlsRecord] = field(default_factory=list)
    request_plaintext: bytes = b""
    broker_decrypted: bytes = b""  # what the broker's end of the session read back
    client_principal: str | None = None  # mTLS: mapped from the client's certificate
    client_dn: str | None = None
    keylog: str = ""
    costs: TlsCosts | None = None


def _contexts(pki: Pki, version: str, mtls: bool, keylog_path: str | None) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    if version not in TLS_VERSIONS:
        raise ValueError(f"version: unknown value {version!r}; valid values are {', '.join(TLS_VERSIONS)}")
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname on: endpoint identification "https"
    for ctx in (server, client):
        ctx.minimum_version = ctx.maximum_version = TLS_VERSIONS[version]
    pki.broker.configure_cert(server)
    pki.ca.configure_trust(client)
    if mtls:  # ssl.client.auth=required
        server.verify_mode = ssl.CERT_REQUIRED
        pki.ca.configure_trust(server)
        pki.client.configure_cert(client)
    if keylog_path is not None:
        client.keylog_filename = keylog_path
    return server, client


class _Pipe:
    """Client and server SSLObjects joined by memory BIOs, with every byte each side sent kept."""

    def __init__(self, server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext, server_hostname: str) -> None:
        self.c_in, self.c_out, self.s_in, self.s_out = (ssl.MemoryBIO() for _ in range(4))
        self.client = client_ctx.wrap_bio(self.c_in, self.c_out, server_hostname=server_hostname)
        self.server = server_ctx.wrap_bio(self.s_in, self.s_out, server_side=True)
        self.flights: list[tuple[str, bytes]] = []

    def _move(self) -> bool:
        moved = False
        for sender, out, into in (("client", self.c_out, self.s_in), ("server", self.s_out, self.c_in)):
            data = out.read()
            if data:
                self.flights.append((sender, data))
                into.write(data)
                moved = True
        return moved

    def handshake(self) -> None:
        done = {"client": False, "server": False}
        for _ in range(16):
            for name, end in (("client", self.client), ("server", self.server)):
                if not done[name]:
                    try:
                        end.do_handshake()
                        done[name] = True
                    except ssl.SSLWantReadError:
                        pass
                    finally:
                        self._move()
            if all(done.values()):
                self._move()
                return
        raise RuntimeError("TLS handshake did not finish in 16 rounds")

    def send_request(self, payload: bytes, sender: str = "client") -> tuple[bytes, bytes]:
        """(ciphertext ``sender`` sent, plaintext the other end read back); the broker's end is the server."""
        src, out, into, dst = ((self.client, self.c_out, self.s_in, self.server) if sender == "client"
                               else (self.server, self.s_out, self.c_in, self.client))
        src.write(payload)
        wire = out.read()
        into.write(wire)
        got = b""
        while len(got) < len(payload):
            got += dst.read(len(payload) - len(got))
        return wire, got


def run_session(pki: Pki, payload: bytes, version: str = "TLSv1.3", mtls: bool = False,
                server_hostname: str | None = None, principal_rules: str = "DEFAULT",
                repeats: int = 50, sender: str = "client") -> TlsSession:
    """A full session: handshake, then ``payload`` (a Kafka request, or from ``sender="broker"`` a response) sent
    once and measured ``repeats`` times. ``broker_decrypted`` is what the other end read back."""
    if sender not in ("client", "broker"):
        raise ValueError(f"sender: unknown value {sender!r}; valid values are client, broker")
    direction = sender  # the loops below name each flight's sender
    host = server_hostname or pki.broker_names[0]
    with tempfile.TemporaryDirectory() as tmp:
        keylog_path = os.path.join(tmp, "keylog.txt")
        server_ctx, client_ctx = _contexts(pki, version, mtls, keylog_path)
        pipe = _Pipe(server_ctx, client_ctx, host)
        cpu0 = time.process_time()
        pipe.handshake()
        handshake_cpu = time.process_time() - cpu0
        with open(keylog_path, encoding="ascii") as fh:
            keylog = fh.read()
    cipher = pipe.client.cipher()
    session = TlsSession(pipe.client.version() or version, cipher[0] if cipher else "", list(pipe.flights))
    tls13 = session.version == "TLSv1.3"
    offsets = {"client": 0, "server": 0}
    keys = {"client": False, "server": False}
    for sender, data in pipe.flights:
        records, keys[sender] = parse_records(sender, data, offsets[sender], keys[sender], tls13)
        session.handshake_records += records
        offsets[sender] += len(data)
    side = "client" if direction == "client" else "server"
    wire, session.broker_decrypted = pipe.send_request(payload, direction)
    session.request_plaintext = payload
    session.request_records, _ = parse_records(side, wire, offsets[side], True, tls13)
    session.keylog = keylog
    if mtls:
        der = pipe.server.getpeercert(binary_form=True)
        if der is not None:
            session.client_dn = distinguished_name(ssl.DER_cert_to_PEM_cert(der).encode("ascii"))
            session.client_principal = SslPrincipalMapper(principal_rules).principal(session.client_dn)
    cpu0 = time.process_time()
    for _ in range(repeats):
        pipe.send_request(payload, direction)
    per_request = (time.process_time() - cpu0) / max(repeats, 1)
    hs = {s: sum(len(d) for who, d in pipe.flights if who == s) for s in ("client", "server")}
    session.costs = TlsCosts(hs["client"], hs["server"], len(payload), len(wire), handshake_cpu * 1000,
                             per_request * 1e6)
    return session


def client_hello_record(server_hostname: str = "localhost") -> bytes:
    """The first bytes a TLS client sends (its ClientHello record); no certificates needed to make it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    out = ssl.MemoryBIO()
    client = ctx.wrap_bio(ssl.MemoryBIO(), out, server_hostname=server_hostname)
    try:
        client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


@dataclass(frozen=True, slots=True)
class HostnameFailure:
    """A failed endpoint identification: what Python's ssl said, what a Java client says."""

    python_error: str
    java_cause: str
    kafka_client_log: str


def hostname_failure(pki: Pki, server_hostname: str, ip: str = "127.0.0.1", port: int = 9093,
                     version: str = "TLSv1.3") -> HostnameFailure | None:
    """Connect as a client that asked for ``server_hostname``; None if the broker's SANs cover it.

    Java's HostnameChecker words it "No subject alternative DNS name matching <host> found."
    (for an IP: "No subject alternative names matching IP address <ip> found"); the Kafka
    client fails with SslAuthenticationException "SSL handshake failed" and logs it.
    """
    server_ctx, client_ctx = _contexts(pki, version, False, None)
    pipe = _Pipe(server_ctx, client_ctx, server_hostname)
    try:
        pipe.handshake()
    except ssl.SSLCertVerificationError as exc:
        is_ip = server_hostname.replace(".", "").isdigit() or ":" in server_hostname
        cause = (f"No subject alternative names matching IP address {server_hostname} found" if is_ip
                 else f"No subject alternative DNS name matching {server_hostname} found.")
        log = (f"ERROR Connection to node -1 ({server_hostname}/{ip}:{port}) failed authentication due to: "
               "SSL handshake failed")
        return HostnameFailure(str(exc), f"javax.net.ssl.SSLHandshakeException: {cause}", log)
    return None


def plaintext_into_tls_server(pki: Pki, request: bytes) -> tuple[str, bytes]:
    """Feed a plain Kafka request to a real TLS server: (OpenSSL's error, the bytes it answered with)."""
    server_ctx, _ = _contexts(pki, "TLSv1.3", False, None)
    s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    s_in.write(request)
    try:
        server.do_handshake()
    except ssl.SSLError as exc:
        return str(exc), s_out.read()
    raise RuntimeError("the TLS server accepted plain Kafka bytes")
