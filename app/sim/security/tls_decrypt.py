"""Decrypting TLS 1.3 application records with the session's own keys (as Wireshark does with a key log).

The client's SSLContext writes an NSS key log (``SSLContext.keylog_filename``); its
``CLIENT_TRAFFIC_SECRET_0`` line holds the secret the client's application records are
sealed with. RFC 8446 section 7.3 derives the record key and IV from it with
HKDF-Expand-Label; each record's nonce is the IV XOR its 64-bit sequence number
(from 0 for the first application record), and the 5-byte record header is the
additional data. The plaintext ends with the real content type and any zero padding
(TLSInnerPlaintext). AES-GCM and ChaCha20-Poly1305 suites, by ``cryptography``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

__all__ = ["traffic_secret", "record_key_iv", "decrypt_records", "SUITES"]

# suite -> (AEAD, key length, hash)
SUITES = {
    "TLS_AES_128_GCM_SHA256": (AESGCM, 16, hashes.SHA256),
    "TLS_AES_256_GCM_SHA384": (AESGCM, 32, hashes.SHA384),
    "TLS_CHACHA20_POLY1305_SHA256": (ChaCha20Poly1305, 32, hashes.SHA256),
}


def traffic_secret(keylog: str, label: str = "CLIENT_TRAFFIC_SECRET_0") -> bytes:
    """The secret of ``label`` in an NSS key log (``LABEL <client random> <secret>`` lines)."""
    for line in keylog.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == label:
            return bytes.fromhex(parts[2])
    raise KeyError(f"{label} is not in the key log (TLS 1.3 sessions write it; TLS 1.2 writes CLIENT_RANDOM)")


def _expand_label(secret: bytes, label: str, length: int, hash_cls: type[hashes.HashAlgorithm]) -> bytes:
    full = b"tls13 " + label.encode("ascii")
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"  # empty context
    return HKDFExpand(hash_cls(), length, info).derive(secret)


def record_key_iv(secret: bytes, suite: str) -> tuple[bytes, bytes]:
    """RFC 8446 7.3: key = HKDF-Expand-Label(secret, "key", "", key_length), iv likewise with "iv" and 12."""
    if suite not in SUITES:
        raise ValueError(f"suite: unknown value {suite!r}; valid values are {', '.join(SUITES)}")
    _, key_length, hash_cls = SUITES[suite]
    return _expand_label(secret, "key", key_length, hash_cls), _expand_label(secret, "iv", 12, hash_cls)


def decrypt_records(records: Sequence[bytes], secret: bytes, suite: str,
                    first_sequence: int = 0) -> list[tuple[int, bytes]]:
    """(real content type, plaintext) of each whole record (header included), in order."""
    aead_cls, _, _ = SUITES[suite]
    key, iv = record_key_iv(secret, suite)
    aead = aead_cls(key)
    out = []
    for seq, record in enumerate(records, start=first_sequence):
        nonce = bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))
        inner = aead.decrypt(nonce, record[5:], record[:5]).rstrip(b"\x00")
        out.append((inner[-1], inner[:-1]))
    return out
