"""TLS records as they cross the wire: header fields and the handshake messages one can still read.

A record is ``content type (1) | legacy version (2) | length (2) | fragment``
(RFC 8446 section 5.1, RFC 5246 section 6.2). Handshake fragments sent in the clear
hold ``msg_type (1) | length (3) | body`` messages (ClientHello, ServerHello, and in TLS
1.2 Certificate, ServerKeyExchange, ServerHelloDone, ClientKeyExchange); once a side
has switched keys (after ServerHello in TLS 1.3, after ChangeCipherSpec in TLS 1.2)
its records are ciphertext and only their headers can be read.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.sim.security.hexview import Span

__all__ = ["TlsRecord", "parse_records", "record_spans", "CONTENT_TYPES", "HANDSHAKE_TYPES", "VERSIONS"]

CONTENT_TYPES = {20: "ChangeCipherSpec", 21: "Alert", 22: "Handshake", 23: "ApplicationData"}
HANDSHAKE_TYPES = {0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket",
                   8: "EncryptedExtensions", 11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest",
                   14: "ServerHelloDone", 15: "CertificateVerify", 16: "ClientKeyExchange", 20: "Finished"}
VERSIONS = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}


@dataclass(frozen=True, slots=True)
class TlsRecord:
    """One record; ``messages`` names the readable handshake messages, or is empty when encrypted."""

    sender: str  # client | server
    offset: int  # where the record starts in its sender's byte stream
    content_type: int
    version: int
    length: int
    encrypted: bool
    messages: tuple[str, ...]
    data: bytes  # the whole record, header included

    @property
    def content_type_name(self) -> str:
        return CONTENT_TYPES.get(self.content_type, f"unknown({self.content_type})")

    @property
    def version_name(self) -> str:
        return f"{VERSIONS.get(self.version, 'unknown')} (0x{self.version:04x})"

    def describe(self) -> str:
        inner = ", ".join(self.messages) if self.messages else ("encrypted" if self.encrypted else "")
        return f"{self.content_type_name} {self.version_name} len={self.length}" + (f": {inner}" if inner else "")


def _handshake_messages(fragment: bytes) -> tuple[str, ...]:
    names, pos = [], 0
    while pos + 4 <= len(fragment):
        msg_type, length = fragment[pos], int.from_bytes(fragment[pos + 1: pos + 4], "big")
        names.append(HANDSHAKE_TYPES.get(msg_type, f"unknown({msg_type})"))
        pos += 4 + length
    return tuple(names)


def parse_records(sender: str, stream: bytes, start_offset: int = 0, keys_active: bool = False,
                  tls13: bool = False) -> tuple[list[TlsRecord], bool]:
    """Split a sender's bytes into records; returns them and whether that sender has switched keys.

    ``keys_active`` carries the sender's state from its earlier flights. In TLS 1.3 the
    server switches right after ServerHello; a ChangeCipherSpec switches a TLS 1.2 sender
    (and is a middlebox-compatibility no-op in TLS 1.3, RFC 8446 D.4).
    """
    records, pos = [], 0
    while pos + 5 <= len(stream):
        ctype, version, length = stream[pos], int.from_bytes(stream[pos + 1: pos + 3], "big"), \
            int.from_bytes(stream[pos + 3: pos + 5], "big")
        data = stream[pos: pos + 5 + length]
        encrypted = ctype == 23 or (keys_active and ctype != 20)
        messages = _handshake_messages(data[5:]) if ctype == 22 and not encrypted else ()
        records.append(TlsRecord(sender, start_offset + pos, ctype, version, length, encrypted, messages, data))
        if ctype == 20 and not tls13:
            keys_active = True
        if tls13 and "ServerHello" in messages:
            keys_active = True
        pos += 5 + length
    return records, keys_active


def record_spans(record: TlsRecord) -> Span:
    """The record as nested spans for the byte view (header fields, then the fragment)."""
    base = record.offset
    children = [
        Span(base, 1, "content_type", f"{record.content_type} ({record.content_type_name})"),
        Span(base + 1, 2, "legacy_record_version", record.version_name),
        Span(base + 3, 2, "length", str(record.length)),
    ]
    if record.messages:
        children.append(Span(base + 5, record.length, "handshake", ", ".join(record.messages)))
    else:
        children.append(Span(base + 5, record.length, "encrypted_fragment" if record.encrypted else "fragment",
                             f"{record.length} bytes of ciphertext" if record.encrypted else record.data[5:].hex()))
    return Span(base, 5 + record.length, f"TLS record: {record.content_type_name}", record.describe(),
                tuple(children))
