"""The security lab's byte view: the real bytes of a message the eavesdropper captured, as it saw them.

The page sends a capture (app/live/labs/security_watch.py: its type, ends, whether its connection was
encrypted, and what rebuilds it: the batch's own bytes, the mechanism). This module builds the Kafka
frame with the wire library (kio: app/sim/security/wire.py) and, where the connection used TLS, sends that
frame through a real TLS session between two OpenSSL ends with the lab's throwaway certificates
(app/sim/security/tls.py), so the eavesdropper's view is real ciphertext of the same message; the other end
of the session decrypts it back, and for a client's TLS 1.3 records the session's key log decrypts them
independently (app/sim/security/tls_decrypt.py). The cost of TLS is measured there: bytes and CPU.

Nothing here is part of a run (TLS keys are random, CPU is measured): it is what a page asks for when a
learner selects a message, answered by ``POST /api/labs/security/bytes``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from functools import lru_cache
from typing import Any

from app.live.labs.security_cast import CLAIMS, PASSWORDS
from app.sim.records import decode_batch
from app.sim.security import wire
from app.sim.security.certs import Pki, make_pki
from app.sim.security.handshake_bytes import BROKER_APIS, TLS_FLIGHTS
from app.sim.security.hexview import Span, hex_rows
from app.sim.security.oauthbearer import client_initial_response, unsecured_token
from app.sim.security.plain import plain_client_response
from app.sim.security.scram import make_credential, scram_exchange
from app.sim.security.tls import run_session
from app.sim.security.tls_decrypt import decrypt_records, traffic_secret
from app.sim.security.tls_records import record_spans

#: The largest batch the view decodes (the lab's batches are a few hundred bytes).
MAX_BATCH_BYTES = 65536
TYPES = ("produce", "fetch.response", "sasl_authenticate", "sasl_handshake", "api_versions", "tls")


class ByteViewError(ValueError):
    """A capture the view cannot rebuild: the message names the field and what it must be."""


@lru_cache(maxsize=1)
def lab_pki() -> Pki:
    """One throwaway CA, broker and client certificate per process (key generation is the slow part)."""
    return make_pki(("kafka-0.internal", "kafka-1.internal", "kafka-2.internal", "localhost"))


def _field(capture: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str = "capture") -> Any:
    value = capture.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ByteViewError(f"{where}.{name} is missing or of the wrong type: {value!r}")
    return value


def _batch(recipe: dict[str, Any]) -> bytes:
    text = _field(recipe, "batch", str, "recipe")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ByteViewError("recipe.batch must be base64") from None
    if len(data) > MAX_BATCH_BYTES:
        raise ByteViewError(f"recipe.batch must be at most {MAX_BATCH_BYTES} bytes; got {len(data)}")
    try:
        decode_batch(data)  # a real v2 batch: its CRC and layout are checked before anything is shown
    except Exception as exc:
        raise ByteViewError(f"recipe.batch is not a record batch: {exc}") from None
    return data


def _owner(client: str) -> str:
    """The cast member a client belongs to: bob-admin is bob's application."""
    return client.removesuffix("-admin")


def _sasl(capture: dict[str, Any], recipe: dict[str, Any], sender: str, client: str) -> wire.Frame:
    mechanism = recipe.get("mechanism") or "PLAIN"
    label = str(recipe.get("label") or "")
    user, password = CLAIMS.get(_owner(client), ("", ""))
    if capture["type"] == "sasl_handshake":
        return (wire.sasl_handshake_request(mechanism, client_id=client) if sender == "client"
                else wire.sasl_handshake_response((mechanism,)))
    if mechanism == "PLAIN":
        auth = plain_client_response(user, password)
    elif mechanism == "OAUTHBEARER":
        auth = client_initial_response(unsecured_token(user, 1_700_000_000_000))
    else:  # a real SCRAM exchange for these credentials; the message the label names
        credential = make_credential(mechanism, PASSWORDS.get(user, "x"), salt=b"lab-salt-of-" + user.encode())
        messages = [text for _, text in scram_exchange(mechanism, user, password, {user: credential}).messages]
        index = 0 if "client-first" in label else 1 if "server-first" in label else 2 if "client-final" in label else 3
        auth = messages[min(index, len(messages) - 1)].encode()
    if sender == "client":
        return wire.sasl_authenticate_request(auth, client_id=client)
    if "failed" in label:
        return wire.sasl_authenticate_response(b"", error_code=58, error_message=label.split("response: ", 1)[-1])
    return wire.sasl_authenticate_response(auth if mechanism.startswith("SCRAM") else b"")


def kafka_frame(capture: dict[str, Any]) -> wire.Frame:
    """The captured message as Kafka frames it (before any TLS)."""
    kind = _field(capture, "type", str)
    if kind not in TYPES:
        raise ByteViewError(f"capture.type must be one of {', '.join(TYPES)}; got {kind!r}")
    recipe = _field(capture, "recipe", dict)
    client = _field(capture, "client", str)
    sender = "client" if isinstance(capture.get("src"), str) else "broker"
    if kind == "produce":
        return wire.produce_request(_field(recipe, "topic", str, "recipe"), _field(recipe, "partition", int, "recipe"),
                                    _batch(recipe), acks=int(recipe.get("acks", -1)), client_id=client)
    if kind == "fetch.response":
        topic_id = recipe.get("topic_id")
        tid = uuid.UUID(bytes=base64.urlsafe_b64decode(topic_id + "==")) if isinstance(topic_id, str) else uuid.UUID(int=1)
        return wire.fetch_response(_field(recipe, "topic", str, "recipe"), _field(recipe, "partition", int, "recipe"),
                                   _batch(recipe), int(recipe.get("high_watermark", 0)), topic_id=tid)
    if kind == "api_versions":
        version = 0 if "v0" in str(recipe.get("label")) else 4
        return (wire.api_versions_request(version, client_id=client) if sender == "client"
                else wire.api_versions_response(list(BROKER_APIS), version))
    return _sasl(capture, recipe, sender, client)


def _layer(name: str, data: bytes, spans: list[Span], readable: bool) -> dict[str, Any]:
    return {"name": name, "bytes": len(data), "rows": hex_rows(data, spans), "spans": [s.to_dict() for s in spans],
            "readable": readable}


def _readable(frame: wire.Frame) -> list[dict[str, str]]:
    """What anyone on the path reads off the plain frame: record keys and values, user names and passwords."""
    out = []
    for _, span in frame.span.walk():
        if span.name == "auth_bytes":  # PLAIN's NUL-separated name and password, as text
            raw = frame.data[span.start: span.end].decode("utf-8", "replace")
            # NUL separates PLAIN's fields (shown as a middle dot); the length prefix is not text
            text = "".join("\u00b7" if c == "\0" else c for c in raw if c == "\0" or c.isprintable())
            out.append({"field": span.name, "text": text})
        elif span.name in ("key", "value", "mechanism", "client_id"):
            out.append({"field": span.name, "text": span.value})
    return out[:12]


def _tls_flight(capture: dict[str, Any]) -> dict[str, Any]:
    """A handshake flight of a real session: its records, parsed (ClientHello, ServerHello, ... or ciphertext)."""
    version = capture.get("tls") if capture.get("tls") in ("TLSv1.3", "TLSv1.2") else "TLSv1.3"
    said = str(capture["recipe"].get("label") or "").split(": ", 1)[-1]
    mtls, index = False, 0
    for with_cert in (False, True):
        found = next((i for i, f in enumerate(TLS_FLIGHTS[(version, with_cert)]) if f.messages == said), None)
        if found is not None:
            mtls, index = with_cert, found
            break
    flights = TLS_FLIGHTS[(version, mtls)]
    session = run_session(lab_pki(), b"\0\0\0\0", version=version, mtls=mtls, repeats=1)
    sender = "client" if flights[index].sender == "client" else "server"
    # The n-th flight of that side: the records it sent in it, at their offsets in its stream.
    nth = sum(1 for f in flights[:index] if f.sender == flights[index].sender)
    sent = [d for s, d in session.flights if s == sender]
    offset = sum(len(d) for d in sent[:nth])
    data = sent[nth] if nth < len(sent) else b""
    records = [r for r in session.handshake_records if r.sender == sender and offset <= r.offset < offset + len(data)]
    spans = [record_spans(r).shifted(-offset) for r in records]
    return {"title": f"TLS {version[3:]} handshake: {flights[index].messages}", "tls": version,
            "layers": [_layer(f"On the wire: {len(records)} TLS record(s), {len(data)} bytes", data, spans, True)],
            "readable": [{"field": "handshake", "text": ", ".join(m for r in records for m in r.messages) or "encrypted"}],
            "note": "Bytes of a real handshake made now between two OpenSSL ends with the lab's certificates; "
                    "a broker's JSSE sends the same messages in slightly different sizes."}


#: TLS alert descriptions (RFC 8446, 6): what a broker answers a handshake it refuses with.
_ALERTS = {"unexpected_message": 10, "bad_certificate": 42, "protocol_version": 70, "certificate_required": 116}


def _alert(label: str) -> dict[str, Any]:
    """A fatal alert record as the eavesdropper sees it before encryption (TLS 1.2, or a TLS 1.3 refusal in the clear)."""
    name = label.removeprefix("TLS alert: ").split(",")[0].strip()
    code = _ALERTS.get(name, 10)
    data = bytes([21, 3, 3, 0, 2, 2, code])
    span = Span(0, 7, "TLS record: Alert", f"fatal {name}", (
        Span(0, 1, "content_type", "21 (Alert)"), Span(1, 2, "legacy_record_version", "TLS 1.2 (0x0303)"),
        Span(3, 2, "length", "2"), Span(5, 1, "level", "2 (fatal)"), Span(6, 1, "description", f"{code} ({name})")))
    return {"title": f"TLS alert: {name}", "tls": None, "layers": [_layer("On the wire: a TLS alert, 7 bytes", data, [span], True)],
            "readable": [{"field": "alert", "text": f"fatal {name}"}],
            "note": "The broker refuses the handshake with a fatal alert and closes the connection."}


def byte_view(capture: Any) -> dict[str, Any]:
    """The capture's bytes as the eavesdropper saw them, and, if they were encrypted, what they carry."""
    if not isinstance(capture, dict):
        raise ByteViewError(f"capture must be an object; got {type(capture).__name__}")
    if capture.get("type") == "tls":
        recipe = _field(capture, "recipe", dict)
        if str(recipe.get("label") or "").startswith("TLS alert"):
            return _alert(str(recipe["label"]))
        return _tls_flight(capture)
    frame = kafka_frame(capture)
    title = f"{frame.span.name} from {capture.get('src')} to {capture.get('dst')}"
    plain = _layer(f"The Kafka frame: {len(frame.data)} bytes", frame.data, [frame.span], True)
    version = capture.get("tls")
    if not capture.get("encrypted") or version not in ("TLSv1.3", "TLSv1.2"):
        return {"title": title, "tls": None, "layers": [plain], "readable": _readable(frame),
                "note": "No TLS: these are the bytes on the wire. Everything in the ASCII column can be read by anyone "
                        "on the path."}
    sender = "client" if isinstance(capture.get("src"), str) else "broker"
    session = run_session(lab_pki(), frame.data, version=version, repeats=20, sender=sender)
    wire_bytes = b"".join(r.data for r in session.request_records)
    base = session.request_records[0].offset if session.request_records else 0
    spans = [record_spans(r).shifted(-base) for r in session.request_records]
    check = None
    if version == "TLSv1.3" and sender == "client":
        decrypted = decrypt_records([r.data for r in session.request_records], traffic_secret(session.keylog),
                                    session.cipher)
        check = b"".join(p for _, p in decrypted) == frame.data
    costs = session.costs
    assert costs is not None
    plain["name"] = f"Inside: the Kafka frame, {len(frame.data)} bytes, as the other end of the session decrypted it"
    return {"title": title, "tls": version, "cipher": session.cipher,
            "layers": [_layer(f"On the wire: {len(session.request_records)} TLS record(s), {len(wire_bytes)} bytes of "
                              "ciphertext", wire_bytes, spans, False), plain],
            "readable": [], "decrypted_matches": session.broker_decrypted == frame.data, "keylog_decrypts": check,
            "costs": {"plaintext_bytes": costs.request_plaintext_bytes, "wire_bytes": costs.request_wire_bytes,
                      "cpu_us": round(costs.request_cpu_us, 1), "handshake_cpu_ms": round(costs.handshake_cpu_ms, 2),
                      "handshake_bytes": costs.handshake_bytes_client + costs.handshake_bytes_server},
            "note": f"Real ciphertext: the frame was sent through a {version} session ({session.cipher}) made now between "
                    "two OpenSSL ends with the lab's certificates. The eavesdropper sees only the top layer."}
