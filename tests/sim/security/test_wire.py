"""Kafka protocol bytes, byte for byte against kafka-python's encoders and kio's, and their field spans."""

from __future__ import annotations

import io
import uuid
import warnings

import pytest
from kio.serial import entity_writer

from app.sim import decode_batch, encode_batch
from app.sim.security.hexview import check_spans, hex_rows
from app.sim.security.wire import (
    Frame, api_versions_request, api_versions_response, fetch_request, fetch_response, produce_request,
    produce_response, sasl_authenticate_request, sasl_authenticate_response, sasl_handshake_request,
    sasl_handshake_response,
)

BATCH = encode_batch([(b"order-1", b'{"amount": 42}', 1_700_000_000_000, [("trace", b"t1")]),
                      (None, b"second", 1_700_000_000_005, [])])
TOPIC_ID = uuid.UUID("7c7d1c36-5fd3-4a7b-9d0c-2a3f6b1e9a10")
CLIENT = "producer-1"

with warnings.catch_warnings():
    # kafka-python 3.0 reads its protocol schemas with importlib.resources read_text at import
    # time, deprecated since Python 3.11 (as in tests/sim/test_murmur2.py).
    warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
    from kafka.protocol.consumer import FetchRequest, FetchResponse
    from kafka.protocol.metadata import ApiVersionsRequest, ApiVersionsResponse
    from kafka.protocol.producer import ProduceRequest, ProduceResponse
    from kafka.protocol.sasl import (
        SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
    )


def kp_request(message: object, correlation_id: int = 1) -> bytes:
    message.with_header(correlation_id=correlation_id, client_id=CLIENT)  # type: ignore[attr-defined]
    return message.encode(header=True, framed=True)  # type: ignore[attr-defined]


def kp_response(message: object, correlation_id: int = 1) -> bytes:
    message.with_header(correlation_id=correlation_id)  # type: ignore[attr-defined]
    return message.encode(header=True, framed=True)  # type: ignore[attr-defined]


def assert_frame(frame: Frame, expected: bytes) -> None:
    assert frame.data == expected
    check_spans(frame.span)
    out = io.BytesIO()
    entity_writer(type(frame.header))(out, frame.header)
    entity_writer(type(frame.body))(out, frame.body)
    assert frame.data[4:] == out.getvalue()  # the field-by-field writer agrees with kio's own


@pytest.mark.parametrize("version", range(0, 5))
def test_api_versions_request(version: int) -> None:
    expected = kp_request(ApiVersionsRequest[version](client_software_name="apache-kafka-java",
                                                      client_software_version="4.0.0"))
    assert_frame(api_versions_request(version, client_id=CLIENT), expected)


@pytest.mark.parametrize("version", range(0, 5))
def test_api_versions_response_header_is_always_v0(version: int) -> None:
    keys = [(0, 3, 11), (1, 4, 17), (17, 0, 1), (18, 0, 4), (36, 0, 2)]
    kp = ApiVersionsResponse[version](error_code=0, api_keys=[
        ApiVersionsResponse.ApiVersion(api_key=k, min_version=lo, max_version=hi) for k, lo, hi in keys],
        throttle_time_ms=0)
    frame = api_versions_response(keys, version)
    assert_frame(frame, kp_response(kp))
    assert frame.span.children[1].name == "header (v0)"


@pytest.mark.parametrize("version", [0, 1])
def test_sasl_handshake(version: int) -> None:
    assert_frame(sasl_handshake_request("SCRAM-SHA-256", version, client_id=CLIENT),
                 kp_request(SaslHandshakeRequest[version](mechanism="SCRAM-SHA-256")))
    assert_frame(sasl_handshake_response(("PLAIN", "SCRAM-SHA-256"), 33, version),
                 kp_response(SaslHandshakeResponse[version](error_code=33, mechanisms=["PLAIN", "SCRAM-SHA-256"])))


@pytest.mark.parametrize("version", [0, 1, 2])
def test_sasl_authenticate(version: int) -> None:
    token = b"n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL"
    assert_frame(sasl_authenticate_request(token, version, client_id=CLIENT),
                 kp_request(SaslAuthenticateRequest[version](auth_bytes=token)))
    message = "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"
    kp = SaslAuthenticateResponse[version](error_code=58, error_message=message, auth_bytes=b"",
                                           session_lifetime_ms=0)
    assert_frame(sasl_authenticate_response(b"", 58, message, 0, version), kp_response(kp))


@pytest.mark.parametrize("version", range(3, 13))
def test_produce_request_carries_the_simulator_batch(version: int) -> None:
    kp = ProduceRequest[version](transactional_id=None, acks=-1, timeout_ms=30000, topic_data=[
        ProduceRequest.TopicProduceData(name="finance", partition_data=[
            ProduceRequest.TopicProduceData.PartitionProduceData(index=2, records=BATCH)])])
    frame = produce_request("finance", 2, BATCH, version=version, client_id=CLIENT)
    assert_frame(frame, kp_request(kp))
    batch = frame.span.find("RecordBatch (magic 2)")
    assert frame.data[batch.start: batch.end] == BATCH
    assert decode_batch(frame.data[batch.start: batch.end]).records_count == 2


@pytest.mark.parametrize("version", range(3, 13))
def test_produce_response(version: int) -> None:
    PR = ProduceResponse.TopicProduceResponse.PartitionProduceResponse
    kp = ProduceResponse[version](responses=[ProduceResponse.TopicProduceResponse(name="finance", partition_responses=[
        PR(index=2, error_code=29, base_offset=-1, log_append_time_ms=-1, log_start_offset=-1, record_errors=[],
           error_message=None)])], throttle_time_ms=0)
    assert_frame(produce_response("finance", 2, -1, error_code=29, log_start_offset=-1, version=version),
                 kp_response(kp))


@pytest.mark.parametrize("version", range(4, 18))
def test_fetch_request(version: int) -> None:
    FT = FetchRequest.FetchTopic
    kp = FetchRequest[version](replica_id=-1, max_wait_ms=500, min_bytes=1, max_bytes=52428800, isolation_level=0,
                               session_id=0, session_epoch=-1, rack_id="", forgotten_topics_data=[], topics=[
        FT(topic="finance", topic_id=TOPIC_ID, partitions=[FT.FetchPartition(
            partition=2, current_leader_epoch=-1, fetch_offset=42, last_fetched_epoch=-1, log_start_offset=-1,
            partition_max_bytes=1048576)])])
    assert_frame(fetch_request("finance", 2, 42, TOPIC_ID, version, client_id=CLIENT), kp_request(kp))


@pytest.mark.parametrize("version", range(4, 18))
def test_fetch_response(version: int) -> None:
    FR = FetchResponse.FetchableTopicResponse
    kp = FetchResponse[version](throttle_time_ms=0, error_code=0, session_id=0, responses=[FR(
        topic="finance", topic_id=TOPIC_ID, partitions=[FR.PartitionData(
            partition_index=2, error_code=0, high_watermark=44, last_stable_offset=44, log_start_offset=0,
            aborted_transactions=None, preferred_read_replica=-1, records=BATCH)])])
    assert_frame(fetch_response("finance", 2, BATCH, 44, TOPIC_ID, version=version), kp_response(kp))


def test_fetch_v13_needs_a_topic_id() -> None:
    with pytest.raises(ValueError, match="topic_id: Fetch v13 names topics by id"):
        fetch_request("finance", 0, 0, version=13)


def test_plaintext_values_are_readable_in_the_byte_view() -> None:
    frame = produce_request("finance", 0, BATCH)
    value = frame.span.find("value")
    assert value.value == "'{\"amount\": 42}'"
    assert frame.data[value.start: value.end] == b'{"amount": 42}'
    rows = hex_rows(frame.data, [frame.span])
    text = "".join(str(r["ascii"]) for r in rows)
    assert '{"amount": 42}' in text.replace("\n", "")
    assert rows[0]["fields"][:4] == ["size"] * 4  # type: ignore[index]
    assert frame.span.find("request_api_version").value == "11"
    assert frame.span.find("header (v2)").find("_tagged_fields").length == 1


def test_compressed_batch_is_one_span_and_spans_are_checked() -> None:
    lz4 = encode_batch([(b"k", b"v" * 200, 1_700_000_000_000, [])], compression_type="lz4")
    frame = produce_request("finance", 0, lz4)
    compressed = frame.span.find("records (compressed)")
    assert compressed.value.endswith("bytes of lz4")
    from app.sim.security.hexview import Span
    with pytest.raises(ValueError, match="outside or overlaps"):
        check_spans(Span(0, 4, "outer", "", (Span(2, 4, "inner", ""),)))
