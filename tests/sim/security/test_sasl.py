"""SASL mechanisms: PLAIN bytes, SCRAM against the RFC vectors and scramp, OAUTHBEARER tokens, re-authentication."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random

import pytest
import scramp

from app.sim.security.kerberos import gssapi_steps
from app.sim.security.oauthbearer import (
    client_initial_response, decode_token, java_double, parse_client_initial_response, unsecured_token, validate_token,
)
from app.sim.security.plain import plain_client_response, plain_server_evaluate, plain_spans
from app.sim.security.reauth import reauth_schedule, session_lifetime_ms, token_refresh_at_ms
from app.sim.security.scram import (
    invalid_credentials_message, kafka_nonce, make_credential, scram_exchange,
)

# -- PLAIN -----------------------------------------------------------------------------------------


def test_plain_bytes_exact() -> None:
    assert plain_client_response("alice", "alice-secret") == b"\x00alice\x00alice-secret"
    assert plain_client_response("alice", "pw", authorization_id="alice") == b"alice\x00alice\x00pw"
    spans = plain_spans(b"\x00alice\x00alice-secret")
    assert spans[-1] == (7, 12, "passwd (password, in clear)", "alice-secret")


def test_plain_server() -> None:
    users = {"alice": "alice-secret"}
    assert plain_server_evaluate(b"\x00alice\x00alice-secret", users).principal == "User:alice"
    assert plain_server_evaluate(b"\x00alice\x00wrong", users).error_message == \
        "Authentication failed: Invalid username or password"
    assert plain_server_evaluate(b"\x00alice", users).error_message == \
        "Invalid SASL/PLAIN response: expected 3 tokens, got 2"
    assert plain_server_evaluate(b"bob\x00alice\x00alice-secret", users).error_message == \
        "Authentication failed: Client requested an authorization id that is different from username"


# -- SCRAM -----------------------------------------------------------------------------------------

RFC7677 = {"user": "user", "password": "pencil", "c_nonce": "rOprNGfwEbeRWgbNEkqO",
           "s_nonce": "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "salt": "W22ZaJ0SNY7soEsUEjb6gQ==", "i": 4096,
           "proof": "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
           "signature": "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="}


def test_scram_sha_256_rfc_7677_vector() -> None:
    cred = make_credential("SCRAM-SHA-256", RFC7677["password"], 4096, salt=base64.b64decode(RFC7677["salt"]))
    ex = scram_exchange("SCRAM-SHA-256", "user", "pencil", {"user": cred}, client_nonce=RFC7677["c_nonce"],
                        server_nonce=RFC7677["s_nonce"])
    nonce = RFC7677["c_nonce"] + RFC7677["s_nonce"]
    assert ex.messages == [
        ("client", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
        ("server", f"r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
        ("client", f"c=biws,r={nonce},p={RFC7677['proof']}"),
        ("server", f"v={RFC7677['signature']}"),
    ]
    assert ex.ok and ex.principal == "User:user" and ex.client_verified_server


def _rfc5802_by_hand(password: bytes, salt: bytes, i: int, auth_message: bytes) -> tuple[str, str]:
    """RFC 5802 section 3 with hashlib, SHA-1: ClientProof and ServerSignature."""
    salted = hashlib.pbkdf2_hmac("sha1", password, salt, i)
    client_key = hmac.new(salted, b"Client Key", "sha1").digest()
    stored_key = hashlib.sha1(client_key).digest()
    signature = hmac.new(stored_key, auth_message, "sha1").digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    server_key = hmac.new(salted, b"Server Key", "sha1").digest()
    return base64.b64encode(proof).decode(), base64.b64encode(hmac.new(server_key, auth_message, "sha1").digest()).decode()


def test_scram_algorithm_rfc_5802_sha_1_vector() -> None:
    # RFC 5802 section 5 (SHA-1 is not a Kafka mechanism; it checks the algorithm scramp and we rely on).
    nonce = "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j"
    auth_message = (b"n=user,r=fyko+d2lbbFgONRv9qkxdawL,"
                    b"r=" + nonce.encode() + b",s=QSXCR+Q6sek8bf92,i=4096,c=biws,r=" + nonce.encode())
    proof, signature = _rfc5802_by_hand(b"pencil", base64.b64decode("QSXCR+Q6sek8bf92"), 4096, auth_message)
    assert proof == "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    assert signature == "rmF9pqV8S7suAoZWja4dJRkFsKQ="
    client = scramp.ScramClient(["SCRAM-SHA-1"], "user", "pencil", c_nonce="fyko+d2lbbFgONRv9qkxdawL")
    assert client.get_client_first() == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
    client.set_server_first(f"r={nonce},s=QSXCR+Q6sek8bf92,i=4096")
    assert client.get_client_final() == f"c=biws,r={nonce},p={proof}"
    client.set_server_final(f"v={signature}")


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_scram_against_scramp_server_and_wrong_password(mechanism: str) -> None:
    rng = random.Random(7)
    cred = make_credential(mechanism, "alice-secret", 8192, rng=rng)
    assert cred.iterations == 8192 and len(cred.stored_key) == (32 if mechanism.endswith("256") else 64)
    ok = scram_exchange(mechanism, "alice", "alice-secret", {"alice": cred}, rng=rng)
    assert ok.ok and [who for who, _ in ok.messages] == ["client", "server", "client", "server"]
    assert ok.messages[1][1].endswith(f",s={base64.b64encode(cred.salt).decode()},i=8192")
    bad = scram_exchange(mechanism, "alice", "wrong", {"alice": cred}, rng=rng)
    assert not bad.ok and len(bad.messages) == 3
    assert bad.error == ("Authentication failed during authentication due to invalid credentials with SASL mechanism "
                         + mechanism)
    unknown = scram_exchange(mechanism, "mallory", "x", {"alice": cred}, rng=rng)
    assert unknown.error == invalid_credentials_message(mechanism) and len(unknown.messages) == 1


def test_scram_credential_rules() -> None:
    with pytest.raises(ValueError, match="Too few iterations: 4095; valid values are 4096..16384"):
        make_credential("SCRAM-SHA-256", "pw", 4095)
    with pytest.raises(ValueError, match="Too many iterations: 16385"):
        make_credential("SCRAM-SHA-256", "pw", 16385)
    with pytest.raises(ValueError, match="mechanism: unknown value 'SCRAM-SHA-1'"):
        make_credential("SCRAM-SHA-1", "pw")
    cred = make_credential("SCRAM-SHA-256", "pw", salt=b"0123456789abcdef")
    assert "pw" not in str(cred.as_dict()) and cred.describe() == "SCRAM-SHA-256=iterations=4096"


def test_kafka_nonce_is_base36_of_130_bits() -> None:
    nonce = kafka_nonce(random.Random(1))
    assert nonce == kafka_nonce(random.Random(1))
    assert set(nonce) <= set("0123456789abcdefghijklmnopqrstuvwxyz") and int(nonce, 36) < 2**130


# -- OAUTHBEARER -----------------------------------------------------------------------------------

NOW = 1_700_000_000_000


def test_java_double() -> None:
    assert java_double(1.7e9) == "1.7E9"
    assert java_double(1700003600.0) == "1.7000036E9"
    assert java_double(1700000000.123) == "1.700000000123E9"
    assert java_double(3600.0) == "3600.0"
    assert java_double(0.5) == "0.5"


def test_unsecured_token_and_initial_response() -> None:
    token = unsecured_token("alice", NOW, scope=["orders.write"])
    header, claims = decode_token(token)
    assert header == {"alg": "none"}
    assert token.split(".")[0] == "eyJhbGciOiJub25lIn0" and token.endswith(".")
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()
    assert payload == '{"exp":1.7000036E9,"iat":1.7E9,"sub":"alice","scope":["orders.write"]}'
    assert claims["sub"] == "alice"
    response = client_initial_response(token)
    assert response == b"n,,\x01auth=Bearer " + token.encode() + b"\x01\x01"
    assert parse_client_initial_response(response) == (token, "", {})
    assert parse_client_initial_response(client_initial_response(token, "alice", {"traceId": "123"})) == \
        (token, "alice", {"traceId": "123"})
    with pytest.raises(ValueError, match="Invalid OAUTHBEARER client first message"):
        parse_client_initial_response(b"n,,auth=Bearer x")


def test_validator_checks() -> None:
    token = unsecured_token("alice", NOW, lifetime_seconds=60, scope=["orders.write"])
    ok = validate_token(token, NOW + 1000)
    assert ok.ok and ok.principal == "User:alice"
    expired = validate_token(token, NOW + 60_000)
    assert expired.server_response == '{"status":"invalid_token"}'
    assert expired.failure == ("The indicated time (1700000060000 ms) minus allowable clock skew (0 ms) was on or "
                               "after the Expiration Time value (1700000060.000000 seconds)")
    future = validate_token(token, NOW - 5000)
    assert future.failure is not None and future.failure.startswith("The Issued At value (1700000000.000000 seconds)")
    assert validate_token(token, NOW - 5000, allowable_clock_skew_ms=5000).ok
    scope = validate_token(token, NOW, required_scope=["orders.read"])
    assert scope.server_response == '{"status":"insufficient_scope", "scope":"[orders.read]"}'
    signed = token + "c2ln"
    assert validate_token(signed, NOW).failure == "Unsecured JWS must not contain a digital signature"


# -- Re-authentication (KIP-368) --------------------------------------------------------------------


def test_session_lifetime() -> None:
    assert session_lifetime_ms(1000) == 0
    assert session_lifetime_ms(1000, connections_max_reauth_ms=3_600_000) == 3_600_000
    assert session_lifetime_ms(1000, credential_expiration_ms=61_000) == 60_000
    assert session_lifetime_ms(1000, 30_000, credential_expiration_ms=61_000) == 30_000


def test_reauth_schedule_is_85_to_95_percent_and_deterministic() -> None:
    s1 = reauth_schedule(0, random.Random(3), connections_max_reauth_ms=100_000)
    s2 = reauth_schedule(0, random.Random(3), connections_max_reauth_ms=100_000)
    assert s1 == s2
    assert s1.client_reauth_at_ms is not None and 85_000 <= s1.client_reauth_at_ms <= 95_000
    assert s1.session_expires_at_ms == 100_000
    assert not s1.broker_closes(100_000, reauthenticated=False)  # closes only after expiry (nowNanos - exp > 0)
    assert s1.broker_closes(100_001, reauthenticated=False)
    assert not s1.broker_closes(100_001, reauthenticated=True)
    old_client = reauth_schedule(0, random.Random(3), connections_max_reauth_ms=100_000, client_supports_reauth=False)
    assert old_client.client_reauth_at_ms is None and old_client.broker_closes(200_000, reauthenticated=False)
    assert reauth_schedule(0, random.Random(3)).session_expires_at_ms is None


def test_token_refresh_window() -> None:  # ExpiringCredentialRefreshingLogin.refreshMs
    hour = 3_600_000
    at = token_refresh_at_ms(0, 0, hour, random.Random(5))
    assert 0.80 * hour <= at <= 0.85 * hour
    assert token_refresh_at_ms(0, 0, hour, random.Random(5), window_factor=0.95, window_jitter=0.0) == hour - 300_000
    short = token_refresh_at_ms(0, 0, 200_000, random.Random(5), window_jitter=0.0)
    assert short == 160_000  # under min.period + buffer: 80% of what is left
    assert token_refresh_at_ms(10, 0, 5, random.Random(5)) == 10_010


def test_gssapi_steps_name_the_service_principal() -> None:
    steps = gssapi_steps()
    assert any("kafka/broker1.example.com@EXAMPLE.COM" in s.action for s in steps)
    assert {s.actor for s in steps} == {"client", "kdc", "broker"}
