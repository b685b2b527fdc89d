"""The plan of a connection's set-up: which messages, in which order, and who the client is at the end."""

from __future__ import annotations

import pytest

from app.sim.security.handshake import Certificate, ClientSecurity, ListenerSecurity, plan, reauth_steps
from app.sim.security.jaas import JaasConfigError, parse_jaas_config
from app.sim.security.scram import make_credential

CRED = make_credential("SCRAM-SHA-512", "alice-secret", salt=b"0123456789abcdef")


def listener(protocol: str, **kw: object) -> ListenerSecurity:
    kw.setdefault("enabled_mechanisms", ("SCRAM-SHA-512", "PLAIN"))
    return ListenerSecurity("CLIENT", protocol, plain_users={"alice": "alice-secret"},  # type: ignore[arg-type]
                            scram={("SCRAM-SHA-512", "alice"): CRED}, **kw)


def kinds(h: object) -> list[str]:
    return [f"{s.sender[0]}:{s.type}" for s in h.steps]  # type: ignore[attr-defined]


def test_plaintext_is_tcp_and_api_versions_and_anonymous() -> None:
    h = plan(ClientSecurity(), listener("PLAINTEXT"), "alice")
    assert kinds(h) == ["c:tcp", "b:tcp", "c:api_versions", "b:api_versions.response"]
    assert h.ok and h.principal == "User:ANONYMOUS" and h.tls_version is None


def test_tls13_takes_one_round_trip_and_tls12_two() -> None:
    h13 = plan(ClientSecurity("SSL"), listener("SSL"), "alice")
    assert kinds(h13) == ["c:tcp", "b:tcp", "c:tls", "b:tls", "c:tls", "c:api_versions", "b:api_versions.response"]
    finished = h13.steps[4]
    assert not finished.waits and finished.reply is not None and finished.reply.sender == "broker"  # the tickets
    h12 = plan(ClientSecurity("SSL"), listener("SSL", tls_versions=("TLSv1.2",)), "alice")
    assert h12.tls_version == "TLSv1.2"
    assert kinds(h12) == ["c:tcp", "b:tcp", "c:tls", "b:tls", "c:tls", "b:tls", "c:api_versions", "b:api_versions.response"]
    assert all(s.waits for s in h12.steps)
    assert h13.principal == h12.principal == "User:ANONYMOUS"  # TLS without a client certificate proves nobody


def test_mtls_principal_is_the_mapped_certificate_name() -> None:
    cert = Certificate("CN=alice,OU=finance,O=Example")
    h = plan(ClientSecurity("SSL", certificate=cert), listener("SSL", client_auth="required"), "alice")
    assert h.principal == "User:CN=alice,OU=finance,O=Example"  # DEFAULT keeps the whole DN
    mapped = plan(ClientSecurity("SSL", certificate=cert),
                  listener("SSL", client_auth="required", principal_rules="RULE:^CN=(.*?),.*$/$1/,DEFAULT"), "alice")
    assert mapped.principal == "User:alice"
    assert "CertificateRequest" in mapped.steps[3].label
    # ssl.client.auth=none: the certificate is never asked for.
    assert plan(ClientSecurity("SSL", certificate=cert), listener("SSL"), "alice").principal == "User:ANONYMOUS"


def test_mtls_refuses_a_self_signed_or_missing_certificate() -> None:
    for cert, alert in ((Certificate("CN=alice", trusted=False), "bad_certificate"), (None, "certificate_required")):
        h = plan(ClientSecurity("SSL", certificate=cert), listener("SSL", client_auth="required"), "mallory")
        assert not h.ok and h.failure is not None
        assert (h.failure.exception, h.failure.message, h.failure.retriable) == (
            "SslAuthenticationException", "SSL handshake failed", False)
        assert h.steps[-1].label == f"TLS alert: {alert}"
        assert h.failure.client_log.endswith("failed authentication due to: SSL handshake failed")


def test_sasl_ssl_ignores_the_broker_wide_ssl_client_auth() -> None:
    """KIP-684 (ChannelBuilders): on SASL_SSL only a listener-prefixed ssl.client.auth would ask for a certificate."""
    sec = ClientSecurity("SASL_SSL", "SCRAM-SHA-512", "alice", "alice-secret")
    h = plan(sec, listener("SASL_SSL", client_auth="required"), "alice")
    assert h.ok and h.principal == "User:alice"


@pytest.mark.parametrize("mechanism, trips", [("PLAIN", 1), ("SCRAM-SHA-512", 2)])
def test_sasl_round_trips_and_principal(mechanism: str, trips: int) -> None:
    h = plan(ClientSecurity("SASL_SSL", mechanism, "alice", "alice-secret"), listener("SASL_SSL"), "alice")
    sasl = [s for s in h.steps if s.type.startswith("sasl_authenticate")]
    assert len(sasl) == 2 * trips and h.principal == "User:alice"
    after_tls = kinds(h)[5:]  # TCP (2 messages), TLS 1.3 (3: the tickets ride on the client's Finished)
    assert after_tls == ["c:api_versions", "b:api_versions.response", "c:sasl_handshake", "b:sasl_handshake.response"] + [
        "c:sasl_authenticate", "b:sasl_authenticate.response"] * trips + ["c:api_versions", "b:api_versions.response"]
    # SaslClientAuthenticator's ApiVersions is v0 (19 bytes for client.id alice), NetworkClient's the latest (45).
    assert [s.bytes for s in h.steps if s.type == "api_versions"] == [19, 45]


def test_plain_sends_the_password_scram_never_does() -> None:
    plain = plan(ClientSecurity("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret"), listener("SASL_PLAINTEXT"), "a")
    first = next(s for s in plain.steps if s.type == "sasl_authenticate")
    assert first.bytes == 15 + 1 + 1 + len(b"\0alice\0alice-secret") + 1  # header, compact length, bytes, tags
    scram = plan(ClientSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", "alice", "alice-secret"), listener("SASL_PLAINTEXT"), "a")
    assert [s.label.split(": ", 1)[1] for s in scram.steps if s.type.startswith("sasl_authenticate")] == [
        "client-first (user name, nonce)", "server-first (salt, iterations)", "client-final (proof: no password)",
        "server-final (server signature)"]


@pytest.mark.parametrize("mechanism, message", [
    ("PLAIN", "Authentication failed: Invalid username or password"),
    ("SCRAM-SHA-512", "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                      "SCRAM-SHA-512")])
def test_a_wrong_password_fails_with_kafkas_message(mechanism: str, message: str) -> None:
    h = plan(ClientSecurity("SASL_SSL", mechanism, "alice", "guess"), listener("SASL_SSL"), "mallory")
    assert h.failure is not None and not h.failure.retriable
    assert (h.failure.exception, h.failure.message, h.failure.error_code) == ("SaslAuthenticationException", message, 58)
    assert h.steps[-1].type == "sasl_authenticate.response" and message in h.steps[-1].label


def test_oauthbearer_unsecured_token_names_the_principal_and_expires() -> None:
    sec = ClientSecurity("SASL_PLAINTEXT", "OAUTHBEARER", oauth_sub="alice", oauth_lifetime_s=600)
    h = plan(sec, listener("SASL_PLAINTEXT", enabled_mechanisms=("OAUTHBEARER",)), "alice")
    assert h.principal == "User:alice" and h.credential_lifetime_ms == 600_000


def test_mismatches_fail_as_the_client_does() -> None:
    to_tls = plan(ClientSecurity("PLAINTEXT"), listener("SASL_SSL"), "anon")
    assert to_tls.failure.retriable and to_tls.failure.client_log.startswith("WARN Bootstrap broker")
    assert to_tls.steps[-1].label.startswith("TLS alert")
    from_tls = plan(ClientSecurity("SSL"), listener("PLAINTEXT"), "anon")
    assert from_tls.failure.retriable and "terminated during authentication" in from_tls.failure.client_log
    no_sasl = plan(ClientSecurity("SASL_PLAINTEXT", "PLAIN", "a", "b"), listener("PLAINTEXT"), "anon")
    assert (no_sasl.failure.exception, no_sasl.failure.retriable) == ("IllegalSaslStateException", False)
    wrong_mech = plan(ClientSecurity("SASL_PLAINTEXT", "OAUTHBEARER", oauth_sub="a"), listener("SASL_PLAINTEXT"), "x")
    assert wrong_mech.failure.exception == "UnsupportedSaslMechanismException"
    assert wrong_mech.failure.message.endswith("enabled mechanisms are [SCRAM-SHA-512, PLAIN]")
    missing = plan(ClientSecurity("PLAINTEXT"), listener("SASL_PLAINTEXT"), "anon")
    assert missing.failure.retriable and missing.steps[-2].type == "metadata"


def test_reauthentication_skips_api_versions() -> None:
    steps = reauth_steps(ClientSecurity("SASL_SSL", "SCRAM-SHA-512", "alice", "alice-secret"), listener("SASL_SSL"), "a")
    assert [s.type for s in steps] == ["sasl_handshake", "sasl_handshake.response"] + [
        "sasl_authenticate", "sasl_authenticate.response"] * 2


def test_jaas_config_as_kafka_reads_it() -> None:
    entry = parse_jaas_config('org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" '
                              'password="a;b=c";')
    assert (entry.login_module, entry.control_flag, entry.username, entry.password) == (
        "org.apache.kafka.common.security.scram.ScramLoginModule", "REQUIRED", "alice", "a;b=c")
    for text, message in (("", "Login module not specified in JAAS config"),
                          ("M", "Login module control flag not specified in JAAS config"),
                          ("M maybe;", "Invalid login module control flag 'maybe' in JAAS config"),
                          ("M required username;", "Value not specified for key 'username' in JAAS config"),
                          ('M required username="a"', "JAAS config entry not terminated by semi-colon")):
        with pytest.raises(JaasConfigError, match=message):
            parse_jaas_config(text)
