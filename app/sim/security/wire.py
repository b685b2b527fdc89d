"""Kafka protocol bytes, field by field: ApiVersions, SaslHandshake, SaslAuthenticate, Produce and Fetch.

Messages are ``kio`` entities (dataclasses generated from Kafka's JSON message schemas);
their bytes come from kio's own field writers, called here one field at a time so every
field gets a span: size prefix, request header (v1, or v2 with tagged fields when the
API version is flexible), body, nested structs and arrays, tagged fields. The frame is
what goes on the socket: ``int32 size | header | body`` (``kio.serial.entity_writer``
writes the same bytes in one go; the tests hold the two equal, and equal to
kafka-python's own encoders). A produce request carries a real v2 batch from
``app.sim.encode_batch``, itself shown record by record (:mod:`batchview`).

Defaults are the versions a Kafka 4.0 Java client uses against a 4.0 broker:
ApiVersions v4, SaslHandshake v1, SaslAuthenticate v2, Produce v11 and Fetch v17 (topic
ids instead of names from Fetch v13).
"""

from __future__ import annotations

import base64
import datetime
import importlib
import io
import uuid
from dataclasses import MISSING, fields
from typing import Any

from kio.serial import entity_writer
from kio.serial._implicit_defaults import get_tagged_field_default
from kio.serial._introspect import EntityField, EntityTupleField, classify_field, get_field_tag, is_optional
from kio.serial._serialize import get_field_writer
from kio.serial.writers import write_compact_array_length, write_int8, write_legacy_array_length, \
    write_tagged_field, write_unsigned_varint
from kio.schema.errors import ErrorCode
from kio.static.primitive import i8, i16, i32, i64, uvarint

from app.sim.security.batchview import batch_spans
from app.sim.security.hexview import Span

__all__ = ["Frame", "frame_request", "frame_response", "kio_class", "api_versions_request", "api_versions_response",
           "sasl_handshake_request", "sasl_handshake_response", "sasl_authenticate_request",
           "sasl_authenticate_response", "produce_request", "produce_response", "fetch_request", "fetch_response",
           "kafka_uuid", "DEFAULT_VERSIONS"]

DEFAULT_VERSIONS = {"api_versions": 4, "sasl_handshake": 1, "sasl_authenticate": 2, "produce": 11, "fetch": 17}
_API_KEYS = {"produce": 0, "fetch": 1, "sasl_handshake": 17, "api_versions": 18, "sasl_authenticate": 36}


def kio_class(api: str, version: int, kind: str, name: str | None = None) -> Any:
    """A kio schema class: ``kio_class("produce", 11, "request")`` or a nested one by name."""
    module = importlib.import_module(f"kio.schema.{api}.v{version}.{kind}")
    return getattr(module, name or "".join(p.capitalize() for p in api.split("_")) + kind.capitalize())


def kafka_uuid(value: uuid.UUID | None) -> str:
    """Kafka's Uuid.toString: URL-safe Base64 of the 16 bytes, no padding (zero: AAAAAAAAAAAAAAAAAAAAAA)."""
    raw = (value or uuid.UUID(int=0)).bytes
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _show(value: Any) -> str:
    if isinstance(value, ErrorCode):
        return f"{value.value} {value.name.upper()}"
    if isinstance(value, datetime.timedelta):
        return f"{int(value.total_seconds() * 1000)} ms"
    if isinstance(value, uuid.UUID):
        return kafka_uuid(value)
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes" if len(value) > 24 else (bytes(value).hex(" ") or "(empty)")
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, tuple):
        return f"[{', '.join(map(str, value))}]"
    return str(value)


class _Annotator:
    """Writes an entity with kio's field writers, recording a span per field."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def entity(self, entity: Any, name: str) -> Span:
        cls = type(entity)
        start = self.buf.tell()
        children = []
        tagged = []
        for field in fields(cls):
            tag = get_field_tag(field)
            if tag is not None:
                tagged.append((tag, field))
                continue
            children.append(self.field(cls, field, getattr(entity, field.name)))
        if cls.__flexible__:
            children.append(self.tagged_fields(cls, entity, sorted(tagged, key=lambda t: t[0])))
        return Span(start, self.buf.tell() - start, name, cls.__name__, tuple(children))

    def field(self, cls: Any, field: Any, value: Any) -> Span:
        start = self.buf.tell()
        kind = classify_field(field)
        flexible = cls.__flexible__
        if isinstance(kind, EntityTupleField):
            if flexible:
                write_compact_array_length(self.buf, None if value is None else len(value))
            else:
                write_legacy_array_length(self.buf, i32(-1 if value is None else len(value)))
            length = Span(start, self.buf.tell() - start, "length", "null" if value is None else str(len(value)))
            items = [self.entity(item, f"{field.name}[{i}]") for i, item in enumerate(value or ())]
            return Span(start, self.buf.tell() - start, field.name, f"{len(value or ())} item(s)", (length, *items))
        if isinstance(kind, EntityField):
            if is_optional(field):
                write_int8(self.buf, i8(-1 if value is None else 1))
                if value is None:
                    return Span(start, 1, field.name, "null")
            inner = self.entity(value, field.name)
            return Span(start, self.buf.tell() - start, field.name, inner.value, inner.children)
        get_field_writer(field, flexible=flexible, is_request_header=cls.__name__ == "RequestHeader",
                         is_tag=False)(self.buf, value)
        span = Span(start, self.buf.tell() - start, field.name, _show(value))
        if field.metadata.get("kafka_type") == "records" and value:
            prefix = span.length - len(value)
            return Span(start, span.length, field.name, f"{len(value)} bytes",
                        (Span(start, prefix, "length", str(len(value))), batch_spans(bytes(value), start + prefix)))
        return span

    def tagged_fields(self, cls: Any, entity: Any, tagged: list[tuple[int, Any]]) -> Span:
        """kio's rule: a tagged field equal to its default is left out; the rest are counted and written."""
        start = self.buf.tell()
        body = io.BytesIO()
        written = []
        for tag, field in tagged:
            value = getattr(entity, field.name)
            if value == field.default or (field.default == MISSING and value == get_tagged_field_default(field)):
                continue
            writer = get_field_writer(field, flexible=True, is_request_header=False, is_tag=True)
            write_tagged_field(buffer=body, tag=tag, writer=writer, value=value)
            written.append(field.name)
        write_unsigned_varint(self.buf, uvarint(len(written)))
        self.buf.write(body.getvalue())
        return Span(start, self.buf.tell() - start, "_tagged_fields",
                    f"{len(written)} tagged field(s)" + (f": {', '.join(written)}" if written else ""))


class Frame:
    """One message on the socket: its bytes and the span tree that explains them."""

    def __init__(self, data: bytes, span: Span, body: Any, header: Any) -> None:
        self.data, self.span, self.body, self.header = data, span, body, header

    def body_bytes(self) -> bytes:
        """The body alone, as ``entity_writer`` writes it (what kafka-python's encode(header=False) gives)."""
        out = io.BytesIO()
        entity_writer(type(self.body))(out, self.body)
        return out.getvalue()


def _frame(header: Any, body: Any, title: str) -> Frame:
    ann = _Annotator()
    ann.buf.write(b"\0\0\0\0")  # the size, filled in below
    header_span = ann.entity(header, f"header (v{type(header).__version__})")
    body_span = ann.entity(body, "body")
    data = bytearray(ann.buf.getvalue())
    data[:4] = (len(data) - 4).to_bytes(4, "big", signed=True)
    size = Span(0, 4, "size", str(len(data) - 4))
    return Frame(bytes(data), Span(0, len(data), title, f"{len(data)} bytes", (size, header_span, body_span)),
                 body, header)


def frame_request(body: Any, correlation_id: int = 1, client_id: str | None = "producer-1") -> Frame:
    header_cls = body.__header_schema__
    header = header_cls(request_api_key=i16(body.__api_key__), request_api_version=i16(body.__version__),
                        correlation_id=i32(correlation_id), client_id=client_id)
    return _frame(header, body, f"{type(body).__name__} v{body.__version__}")


def frame_response(body: Any, correlation_id: int = 1) -> Frame:
    header = body.__header_schema__(correlation_id=i32(correlation_id))
    return _frame(header, body, f"{type(body).__name__} v{body.__version__}")


def _ms(value: int) -> datetime.timedelta:
    return datetime.timedelta(milliseconds=value)


def _make(api: str, version: int, kind: str, class_name: str | None = None, /, **values: Any) -> Any:
    """A kio entity of that version from the values its schema has (older versions lack some fields)."""
    cls = kio_class(api, version, kind, class_name)
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


# -- builders (plain Python in, framed bytes out) ----------------------------------------------------


def api_versions_request(version: int = 4, software_name: str = "apache-kafka-java", software_version: str = "4.0.0",
                         **header: Any) -> Frame:
    return frame_request(_make("api_versions", version, "request", client_software_name=software_name,
                               client_software_version=software_version), **header)


def api_versions_response(api_keys: list[tuple[int, int, int]], version: int = 4, error_code: int = 0,
                          **header: Any) -> Frame:
    keys = tuple(_make("api_versions", version, "response", "ApiVersion", api_key=i16(k), min_version=i16(lo),
                       max_version=i16(hi)) for k, lo, hi in api_keys)
    return frame_response(_make("api_versions", version, "response", error_code=ErrorCode(error_code),
                                api_keys=keys, throttle_time=_ms(0)), **header)


def sasl_handshake_request(mechanism: str, version: int = 1, **header: Any) -> Frame:
    return frame_request(kio_class("sasl_handshake", version, "request")(mechanism=mechanism), **header)


def sasl_handshake_response(mechanisms: tuple[str, ...], error_code: int = 0, version: int = 1, **header: Any) -> Frame:
    return frame_response(_make("sasl_handshake", version, "response", error_code=ErrorCode(error_code),
                                mechanisms=tuple(mechanisms)), **header)


def sasl_authenticate_request(auth_bytes: bytes, version: int = 2, **header: Any) -> Frame:
    return frame_request(kio_class("sasl_authenticate", version, "request")(auth_bytes=auth_bytes), **header)


def sasl_authenticate_response(auth_bytes: bytes = b"", error_code: int = 0, error_message: str | None = None,
                               session_lifetime_ms: int = 0, version: int = 2, **header: Any) -> Frame:
    return frame_response(_make("sasl_authenticate", version, "response", error_code=ErrorCode(error_code),
                                error_message=error_message, auth_bytes=auth_bytes,
                                session_lifetime=_ms(session_lifetime_ms)), **header)


def produce_request(topic: str, partition: int, records: bytes, acks: int = -1, timeout_ms: int = 30000,
                    version: int = 11, transactional_id: str | None = None, **header: Any) -> Frame:
    """A ProduceRequest carrying one batch (``records``: a v2 batch, e.g. from ``app.sim.encode_batch``)."""
    part = _make("produce", version, "request", "PartitionProduceData", index=i32(partition), records=records)
    topic_data = _make("produce", version, "request", "TopicProduceData", name=topic, partition_data=(part,))
    body = _make("produce", version, "request", transactional_id=transactional_id, acks=i16(acks),
                 timeout=_ms(timeout_ms), topic_data=(topic_data,))
    return frame_request(body, **header)


def produce_response(topic: str, partition: int, base_offset: int, error_code: int = 0, log_start_offset: int = 0,
                     error_message: str | None = None, version: int = 11, **header: Any) -> Frame:
    part = _make("produce", version, "response", "PartitionProduceResponse",
        index=i32(partition), error_code=ErrorCode(error_code), base_offset=i64(base_offset), log_append_time=None,
        log_start_offset=i64(log_start_offset), record_errors=(), error_message=error_message)
    topic_resp = _make("produce", version, "response", "TopicProduceResponse", name=topic,
                       partition_responses=(part,))
    body = _make("produce", version, "response", responses=(topic_resp,), throttle_time=_ms(0))
    return frame_response(body, **header)


def _topic_key(topic: str, topic_id: uuid.UUID | None, version: int) -> dict[str, Any]:
    if version >= 13 and topic_id is None:
        raise ValueError(f"topic_id: Fetch v{version} names topics by id (v13+, KIP-516); give the topic's id")
    return {"topic": topic, "topic_id": topic_id}


def fetch_request(topic: str, partition: int, fetch_offset: int, topic_id: uuid.UUID | None = None,
                  version: int = 17, max_wait_ms: int = 500, min_bytes: int = 1, max_bytes: int = 52428800,
                  partition_max_bytes: int = 1048576, **header: Any) -> Frame:
    """A consumer's FetchRequest for one partition (v13+: by topic id; fetch.max.wait.ms etc. as defaults)."""
    part = _make("fetch", version, "request", "FetchPartition",
        partition=i32(partition), current_leader_epoch=i32(-1), fetch_offset=i64(fetch_offset),
        last_fetched_epoch=i32(-1), log_start_offset=i64(-1), partition_max_bytes=i32(partition_max_bytes))
    topic_data = _make("fetch", version, "request", "FetchTopic", partitions=(part,),
                       **_topic_key(topic, topic_id, version))
    body = _make("fetch", version, "request",
        max_wait=_ms(max_wait_ms), min_bytes=i32(min_bytes), max_bytes=i32(max_bytes), isolation_level=i8(0),
        session_id=i32(0), session_epoch=i32(-1), topics=(topic_data,), forgotten_topics_data=(), rack_id="",
        replica_id=i32(-1))
    return frame_request(body, **header)


def fetch_response(topic: str, partition: int, records: bytes | None, high_watermark: int,
                   topic_id: uuid.UUID | None = None, error_code: int = 0, version: int = 17, **header: Any) -> Frame:
    part = _make("fetch", version, "response", "PartitionData",
        partition_index=i32(partition), error_code=ErrorCode(error_code), high_watermark=i64(high_watermark),
        last_stable_offset=i64(high_watermark), log_start_offset=i64(0), aborted_transactions=None,
        preferred_read_replica=i32(-1), records=records)
    topic_data = _make("fetch", version, "response", "FetchableTopicResponse", partitions=(part,),
                       **_topic_key(topic, topic_id, version))
    body = _make("fetch", version, "response", throttle_time=_ms(0), error_code=ErrorCode(0), session_id=i32(0),
                 responses=(topic_data,))
    return frame_response(body, **header)
