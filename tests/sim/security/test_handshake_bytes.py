"""The set-up's byte sizes are the real libraries' bytes: Kafka frames by kio, TLS flights by a real OpenSSL session."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from kio.schema.errors import ErrorCode
from kio.static.primitive import i16, i64

from app.sim import encode_batch
from app.sim.security import handshake_bytes as hb
from app.sim.security.certs import Pki
from app.sim.security.tls import run_session
from app.sim.security.wire import (
    api_versions_request, api_versions_response, frame_response, kio_class, produce_request, sasl_authenticate_request,
    sasl_authenticate_response, sasl_handshake_request, sasl_handshake_response,
)

CLIENT_IDS = ["alice", "producer-1", "consumer-finance-reports-1", "x" * 130]


@pytest.mark.parametrize("client_id", CLIENT_IDS)
@pytest.mark.parametrize("version", [0, 4])
def test_api_versions_request(client_id: str, version: int) -> None:
    assert hb.api_versions_request(version, client_id) == len(api_versions_request(version, client_id=client_id).data)


def test_api_versions_responses_list_a_4_0_brokers_apis() -> None:
    assert hb.API_VERSIONS_V0_RESPONSE == len(api_versions_response(list(hb.BROKER_APIS), 0).data) == 392
    cls = kio_class("api_versions", 4, "response")
    api = kio_class("api_versions", 4, "response", "ApiVersion")
    supported = kio_class("api_versions", 4, "response", "SupportedFeatureKey")
    finalized = kio_class("api_versions", 4, "response", "FinalizedFeatureKey")
    assert {f.name for f in dataclasses.fields(cls)} >= {"supported_features", "finalized_features"}
    body = cls(error_code=ErrorCode(0), throttle_time=datetime.timedelta(0),
               api_keys=tuple(api(api_key=i16(k), min_version=i16(lo), max_version=i16(hi)) for k, lo, hi in hb.BROKER_APIS),
               supported_features=tuple(supported(name=n, min_version=i16(a), max_version=i16(b))
                                        for n, a, b in hb.SUPPORTED_FEATURES),
               finalized_features_epoch=i64(100),
               finalized_features=tuple(finalized(name=n, max_version_level=i16(v), min_version_level=i16(v))
                                        for n, v in hb.FINALIZED_FEATURES),
               zk_migration_ready=False)
    assert hb.API_VERSIONS_V4_RESPONSE == len(frame_response(body).data)
    # Kafka's own keys: Produce up to v11, Fetch up to v17, SaslHandshake v1, ApiVersions v4, SaslAuthenticate v2.
    keys = {k: hi for k, _, hi in hb.BROKER_APIS}
    assert (keys[0], keys[1], keys[17], keys[18], keys[36]) == (11, 17, 1, 4, 2)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"])
@pytest.mark.parametrize("client_id", CLIENT_IDS[:3])
def test_sasl_handshake(mechanism: str, client_id: str) -> None:
    assert hb.sasl_handshake_request(mechanism, client_id) == len(sasl_handshake_request(mechanism, client_id=client_id).data)
    enabled = ("SCRAM-SHA-512", mechanism)
    assert hb.sasl_handshake_response(enabled) == len(sasl_handshake_response(enabled).data)
    assert hb.sasl_handshake_response(()) == len(sasl_handshake_response(()).data)


@pytest.mark.parametrize("auth", [0, 1, 41, 126, 127, 200, 5000])
def test_sasl_authenticate(auth: int) -> None:
    assert hb.sasl_authenticate_request(auth, "alice") == len(sasl_authenticate_request(b"a" * auth, client_id="alice").data)
    assert hb.sasl_authenticate_response(auth) == len(sasl_authenticate_response(b"s" * auth).data)
    message = "Authentication failed: Invalid username or password"
    assert hb.sasl_authenticate_response(auth, message) == len(
        sasl_authenticate_response(b"s" * auth, error_code=58, error_message=message).data)


@pytest.mark.parametrize("version", ["TLSv1.3", "TLSv1.2"])
@pytest.mark.parametrize("mtls", [False, True])
def test_tls_flights_are_a_real_sessions(pki: Pki, version: str, mtls: bool) -> None:
    request = produce_request("finance", 0, encode_batch([(b"k", b"v" * 50, 1_700_000_000_000, [])])).data
    session = run_session(pki, request, version=version, mtls=mtls, repeats=1)
    real = [(sender, len(data)) for sender, data in session.flights]
    fixed = [("server" if f.sender == "broker" else "client", f.bytes) for f in hb.TLS_FLIGHTS[(version, mtls)]]
    assert [s for s, _ in real] == [s for s, _ in fixed]
    for (_, got), (_, want) in zip(real, fixed):
        assert abs(got - want) <= 8, (real, fixed)  # ECDSA signatures vary by a byte or two
    # The request's records cost exactly the overhead this module adds.
    wire = sum(len(r.data) for r in session.request_records)
    assert wire == hb.tls_wire_bytes(len(request), version)


def test_tls_records_split_at_16_kib() -> None:
    assert hb.tls_wire_bytes(16384, "TLSv1.3") == 16384 + 22
    assert hb.tls_wire_bytes(16385, "TLSv1.3") == 16385 + 44
    assert hb.tls_wire_bytes(100, "TLSv1.2") == 129
