"""Real TLS sessions (Python's ssl over memory BIOs): handshake records, ciphertext, decryption, SANs, mTLS."""

from __future__ import annotations

import pytest

from app.sim import encode_batch
from app.sim.security.certs import Pki
from app.sim.security.connection import connect
from app.sim.security.hexview import check_spans
from app.sim.security.tls import client_hello_record, hostname_failure, plaintext_into_tls_server, run_session
from app.sim.security.tls_decrypt import decrypt_records, traffic_secret
from app.sim.security.tls_records import record_spans
from app.sim.security.wire import api_versions_request, produce_request

REQUEST = produce_request("finance", 0, encode_batch([(b"acct-7", b"salary=123456", 1_700_000_000_000, [])])).data


@pytest.mark.parametrize("version", ["TLSv1.3", "TLSv1.2"])
def test_handshake_completes_and_request_is_ciphertext(pki: Pki, version: str) -> None:
    session = run_session(pki, REQUEST, version=version, repeats=5)
    assert session.version == version
    first = session.handshake_records[0]
    assert (first.sender, first.content_type_name, first.messages) == ("client", "Handshake", ("ClientHello",))
    assert session.handshake_records[1].messages == ("ServerHello",)
    if version == "TLSv1.3":  # after ServerHello the server's records are encrypted
        later = [r for r in session.handshake_records[2:] if r.sender == "server" and r.content_type != 20]
        assert later and all(r.encrypted and r.content_type == 23 for r in later)
    else:  # TLS 1.2 shows Certificate and the key exchange in the clear
        seen = [m for r in session.handshake_records for m in r.messages]
        assert {"Certificate", "ServerKeyExchange", "ServerHelloDone", "ClientKeyExchange"} <= set(seen)
    wire = b"".join(r.data for r in session.request_records)
    assert all(r.content_type == 23 and r.encrypted for r in session.request_records)
    assert b"salary=123456" not in wire and REQUEST not in wire
    assert session.broker_decrypted == REQUEST  # the broker's end of the same session reads it back
    costs = session.costs
    assert costs is not None and costs.request_wire_bytes > costs.request_plaintext_bytes == len(REQUEST)
    assert costs.handshake_bytes_client > 0 and costs.handshake_bytes_server > 0
    for record in session.handshake_records + session.request_records:
        check_spans(record_spans(record))


def test_tls13_records_decrypt_with_the_key_log(pki: Pki) -> None:
    session = run_session(pki, REQUEST, version="TLSv1.3", repeats=1)
    secret = traffic_secret(session.keylog)
    decrypted = decrypt_records([r.data for r in session.request_records], secret, session.cipher)
    assert [ctype for ctype, _ in decrypted] == [23] * len(decrypted)
    assert b"".join(plain for _, plain in decrypted) == REQUEST
    with pytest.raises(Exception):  # a wrong key does not decrypt (AEAD tag check)
        decrypt_records([r.data for r in session.request_records], bytes(len(secret)), session.cipher)


def test_mtls_principal_from_the_client_certificate(pki: Pki) -> None:
    session = run_session(pki, REQUEST, mtls=True, principal_rules="RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/U,DEFAULT",
                          repeats=1)
    assert session.client_dn == "CN=alice,OU=ServiceUsers,O=Brokerlab"
    assert session.client_principal == "User:ALICE"
    default = run_session(pki, REQUEST, mtls=True, version="TLSv1.2", repeats=1)
    assert default.client_principal == "User:CN=alice,OU=ServiceUsers,O=Brokerlab"


def test_wrong_san_fails_verification(pki: Pki) -> None:
    assert hostname_failure(pki, "broker1.example.com") is None
    failure = hostname_failure(pki, "kafka.other.example", ip="10.0.0.5")
    assert failure is not None
    assert "Hostname mismatch" in failure.python_error and "CERTIFICATE_VERIFY_FAILED" in failure.python_error
    assert failure.java_cause == ("javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching "
                                  "kafka.other.example found.")
    assert failure.kafka_client_log.endswith("(kafka.other.example/10.0.0.5:9093) failed authentication due to: "
                                             "SSL handshake failed")
    ip = hostname_failure(pki, "10.9.9.9")
    assert ip is not None and "IP address mismatch" in ip.python_error


def test_plaintext_kafka_bytes_into_a_tls_server(pki: Pki) -> None:
    error, answer = plaintext_into_tls_server(pki, api_versions_request().data)
    assert "WRONG_VERSION_NUMBER" in error or "wrong version number" in error
    assert isinstance(answer, bytes)


def test_tls_client_to_plaintext_listener_reads_client_hello_as_a_size() -> None:
    hello = client_hello_record("broker1.example.com")
    assert hello[0] == 0x16 and hello[1:3] == b"\x03\x01"
    out = connect("SSL", "PLAINTEXT", client_hello=hello, port=9092)
    size = int.from_bytes(hello[:4], "big")
    assert not out.ok and f"Invalid receive (size = {size} larger than 104857600)" in " ".join(out.steps)
    assert out.client_log is not None and "terminated during authentication" in out.client_log
