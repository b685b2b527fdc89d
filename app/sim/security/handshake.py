"""What a client's new connection says before its first request, and who it is at the end: the plan of a handshake.

Pure and deterministic: the client's security configs and the listener's go in, the list of
messages each side sends comes out (their bytes from :mod:`handshake_bytes`), with the outcome:
the principal the broker gives the connection, or the failure a real client reports. The
simulator plays the messages on its network (app/sim/channel.py); nothing here takes time.

The order follows the code on both ends (Kafka 4.0):

1. TCP: the client's SYN, the broker's SYN-ACK (Selector.connect / finishConnect).
2. TLS (``SSL``, ``SASL_SSL``; SslTransportLayer): TLS 1.3 takes one round trip before the client
   may send (its Finished leaves with its first Kafka bytes), TLS 1.2 two. With
   ``ssl.client.auth=required`` (or ``requested``) the client sends its certificate; one the
   broker's truststore does not trust ends the handshake with an alert (SslAuthenticationException:
   "SSL handshake failed"). For SASL_SSL the broker-wide ``ssl.client.auth`` does not apply
   (ChannelBuilders: only a listener-prefixed one would, KIP-684).
3. SASL (``SASL_PLAINTEXT``, ``SASL_SSL``; SaslClientAuthenticator): ApiVersions v0, SaslHandshake
   (the mechanism; the broker answers with its enabled list), then SaslAuthenticate v2 round trips:
   one for PLAIN and OAUTHBEARER, two for SCRAM (client-first/server-first,
   client-final/server-final); a refusal is SASL_AUTHENTICATION_FAILED with the broker's message.
4. ApiVersions (NetworkClient, latest version) once the channel is ready; then the requests.

The principal (DefaultKafkaPrincipalBuilder): SASL's authorization id (``User:alice``); with SSL
and a client certificate, its DN through ``ssl.principal.mapping.rules``; otherwise
``User:ANONYMOUS``. A mismatch of security.protocol and listener fails as app/sim/security/connection.py
says, with the messages that lead to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from app.sim.security import handshake_bytes as hb
from app.sim.security.connection import ConnectionOutcome, connect
from app.sim.security.errors import SECURITY_ERRORS
from app.sim.security.oauthbearer import client_initial_response, unsecured_token
from app.sim.security.plain import plain_client_response, plain_server_evaluate
from app.sim.security.principal import SslPrincipalMapper
from app.sim.security.scram import ScramCredential, ScramExchange, scram_exchange

__all__ = ["Certificate", "ClientSecurity", "ListenerSecurity", "Step", "Failure", "Handshake", "plan",
           "reauth_steps", "ANONYMOUS", "TLS_CLIENT_HELLO_HEAD"]

ANONYMOUS = "User:ANONYMOUS"
#: The first bytes of the ClientHello in TLS_FLIGHTS (content type 22, version 0x0301, length 248): what a
#: listener without TLS reads as a size. Fixed, so a run never depends on this machine's OpenSSL.
TLS_CLIENT_HELLO_HEAD = bytes.fromhex("16030100f8")
# Nonces of the SCRAM exchange: Kafka's are 26 base-36 digits of a 130-bit random number
# (ScramFormatter.secureRandomString); fixed here so the messages, and their sizes, are the same every run.
_CLIENT_NONCE = "4nj1rqkgwvpxq2b7zkm0c5dt8e"
_SERVER_NONCE = "0w9ghs3ax6cyf1lu5ievbo2mpn"
#: OAUTHBEARER tokens are sized as if made at this instant (the simulator's virtual time 0).
_TOKEN_AT_MS = 1_700_000_000_000


@dataclass(frozen=True)
class Certificate:
    """The certificate in a client's keystore: its subject DN, and whether the cluster's CA issued it."""

    subject: str
    trusted: bool = True


@dataclass(frozen=True)
class ClientSecurity:
    """The client side: ``security.protocol``, ``sasl.mechanism`` and what ``sasl.jaas.config`` holds."""

    protocol: str = "PLAINTEXT"
    mechanism: str = "GSSAPI"
    username: str | None = None
    password: str | None = None
    #: OAUTHBEARER (unsecured login module): the token's subject and lifetime
    oauth_sub: str | None = None
    oauth_lifetime_s: int = 3600
    certificate: Certificate | None = None
    tls_versions: tuple[str, ...] = ("TLSv1.2", "TLSv1.3")


@dataclass(frozen=True)
class ListenerSecurity:
    """The broker side of one listener: its protocol and the configs that apply to it."""

    name: str
    protocol: str
    host: str = "localhost"
    ip: str = "127.0.0.1"
    port: int = 9092
    enabled_mechanisms: tuple[str, ...] = ("GSSAPI",)
    client_auth: str = "none"
    principal_rules: str = "DEFAULT"
    max_reauth_ms: int = 0
    tls_versions: tuple[str, ...] = ("TLSv1.2", "TLSv1.3")
    #: PLAIN's users (the JAAS user_<name>="<password>" entries) and SCRAM's stored credentials
    plain_users: Mapping[str, str] = field(default_factory=dict)
    scram: Mapping[tuple[str, str], ScramCredential] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One message of the set-up. ``waits``: the next step leaves when this one has arrived; otherwise at once."""

    sender: str  # "client" or "broker"
    type: str  # the message type on the network: "tcp", "tls", "api_versions", "sasl_authenticate.response", ...
    bytes: int
    label: str
    waits: bool = True
    #: what the other side sends back when this one arrives, without anybody waiting for it (TLS 1.3's tickets)
    reply: "Step | None" = None


@dataclass(frozen=True)
class Failure:
    """How the attempt ends, as the client reports it; ``retriable``: it reconnects after a backoff."""

    stage: str
    retriable: bool
    client_log: str | None
    broker_log: str | None = None
    exception: str | None = None
    message: str | None = None
    error_code: int | None = None


@dataclass(frozen=True)
class Handshake:
    steps: tuple[Step, ...]
    principal: str | None = None
    failure: Failure | None = None
    tls_version: str | None = None
    mechanism: str | None = None
    #: when the credential expires, in ms after authentication (an OAUTHBEARER token), or None
    credential_lifetime_ms: int | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _tls_version(client: ClientSecurity, listener: ListenerSecurity) -> str | None:
    common = [v for v in ("TLSv1.3", "TLSv1.2") if v in client.tls_versions and v in listener.tls_versions]
    return common[0] if common else None


def _client_auth(listener: ListenerSecurity) -> str:
    return "none" if listener.protocol == "SASL_SSL" else listener.client_auth


def _tls_steps(version: str, mtls: bool, refused: str | None = None) -> list[Step]:
    """The TLS flights. TLS 1.3: the client sends its Finished and its first Kafka bytes together (one round
    trip); the broker's tickets answer the Finished and nobody waits for them. TLS 1.2: the client waits for
    the broker's Finished (two round trips). ``refused``: the broker's alert answers the client's certificate."""
    flights = [Step(f.sender, "tls", f.bytes, f"TLS {version[3:]}: {f.messages}") for f in hb.TLS_FLIGHTS[(version, mtls)]]
    if refused is not None:
        return flights[:3] + [Step("broker", "tls", hb.TLS_ALERT[version], f"TLS alert: {refused}")]
    if version == "TLSv1.3":
        finished, tickets = flights[2], flights[3]
        return flights[:2] + [Step(finished.sender, "tls", finished.bytes, finished.label, waits=False, reply=tickets)]
    return flights


def _sasl_exchange(client: ClientSecurity, listener: ListenerSecurity, client_id: str,
                   enc: str | None) -> tuple[list[Step], str | None, str | None, int | None]:
    """The SaslAuthenticate round trips: (steps, principal or None, the broker's error message, credential lifetime)."""
    mech = client.mechanism
    req, resp = hb.sasl_authenticate_request, hb.sasl_authenticate_response
    tag = f"SaslAuthenticate ({mech})"
    if mech == "PLAIN":
        message = plain_client_response(client.username or "", client.password or "")
        verdict = plain_server_evaluate(message, listener.plain_users)
        shown = "the user name and password in clear" + (", inside TLS" if enc else "")
        steps = [Step("client", "sasl_authenticate", req(len(message), client_id), f"{tag}: {shown}"),
                 Step("broker", "sasl_authenticate.response", resp(0, verdict.error_message),
                      f"{tag} response: {verdict.error_message or 'authenticated'}")]
        return steps, verdict.principal, verdict.error_message, None
    if mech.startswith("SCRAM-"):
        user = client.username or ""
        exchange = _scram(mech, user, client.password or "", listener.scram.get((mech, user)))
        steps = []
        names = ("client-first (user name, nonce)", "server-first (salt, iterations)",
                 "client-final (proof: no password)", "server-final (server signature)")
        for (sender, text), name in zip(exchange.messages, names):
            if sender == "client":
                steps.append(Step("client", "sasl_authenticate", req(len(text), client_id), f"{tag}: {name}"))
            else:
                steps.append(Step("broker", "sasl_authenticate.response", resp(len(text)), f"{tag} response: {name}"))
        if exchange.error is not None:
            steps.append(Step("broker", "sasl_authenticate.response", resp(0, exchange.error),
                              f"{tag} response: {exchange.error}"))
        return steps, exchange.principal, exchange.error, None
    # OAUTHBEARER with the unsecured login module: the token says who the client is, signed by nobody.
    sub = client.oauth_sub or ""
    token = unsecured_token(sub, _TOKEN_AT_MS, client.oauth_lifetime_s)
    message = client_initial_response(token)
    steps = [Step("client", "sasl_authenticate", req(len(message), client_id), f"{tag}: an unsigned token, sub={sub}"),
             Step("broker", "sasl_authenticate.response", resp(0), f"{tag} response: authenticated")]
    return steps, f"User:{sub}", None, client.oauth_lifetime_s * 1000


@lru_cache(maxsize=256)
def _scram(mechanism: str, username: str, password: str, credential: ScramCredential | None) -> ScramExchange:
    """The real exchange, computed once per input (PBKDF2 costs a few ms; a run reconnects often)."""
    creds = {username: credential} if credential is not None else {}
    return scram_exchange(mechanism, username, password, creds, client_nonce=_CLIENT_NONCE, server_nonce=_SERVER_NONCE)


def plan(client: ClientSecurity, listener: ListenerSecurity, client_id: str) -> Handshake:
    """The messages of one connection attempt from ``client`` to ``listener``, and how it ends."""
    steps = [Step("client", "tcp", 0, "TCP SYN"), Step("broker", "tcp", 0, "TCP SYN-ACK")]
    outcome = connect(client.protocol, listener.protocol, client_mechanism=client.mechanism,
                      enabled_mechanisms=listener.enabled_mechanisms, host=listener.host, ip=listener.ip,
                      port=listener.port,
                      client_hello=TLS_CLIENT_HELLO_HEAD)
    client_tls = client.protocol in ("SSL", "SASL_SSL")
    client_sasl = client.protocol.startswith("SASL_")
    version = _tls_version(client, listener) if client_tls else None
    if not outcome.ok:
        return _mismatch(steps, client, listener, client_id, outcome, version)
    enc = None
    principal = ANONYMOUS
    if client_tls:
        if version is None:
            return Handshake(tuple(steps + [Step("client", "tls", hb.TLS_FLIGHTS[("TLSv1.3", False)][0].bytes,
                                                 "TLS: ClientHello"),
                                            Step("broker", "tls", hb.TLS_ALERT["TLSv1.2"], "TLS alert: protocol_version")]),
                             failure=_ssl_failed(listener, "no TLS version both ends enable"))
        auth = _client_auth(listener)
        cert = client.certificate if auth != "none" else None
        mtls = cert is not None or auth == "required"
        if auth == "required" and (cert is None or not cert.trusted) or auth == "requested" and cert and not cert.trusted:
            why = ("no client certificate" if cert is None
                   else f"the client certificate ({cert.subject}) is not issued by a CA the broker trusts")
            alert = "certificate_required" if cert is None else "bad_certificate"
            return Handshake(tuple(steps + _tls_steps(version, mtls, refused=alert)), failure=_ssl_failed(listener, why),
                             tls_version=version)
        steps += _tls_steps(version, mtls)
        enc = version
        if cert is not None:
            principal = SslPrincipalMapper(listener.principal_rules).principal(cert.subject)
    lifetime = None
    if client_sasl:
        mech = client.mechanism
        steps += [Step("client", "api_versions", hb.api_versions_request(0, client_id), "ApiVersions v0 (SASL client's)"),
                  Step("broker", "api_versions.response", hb.API_VERSIONS_V0_RESPONSE, "ApiVersions v0 response"),
                  Step("client", "sasl_handshake", hb.sasl_handshake_request(mech, client_id), f"SaslHandshake v1: {mech}"),
                  Step("broker", "sasl_handshake.response", hb.sasl_handshake_response(listener.enabled_mechanisms),
                       f"SaslHandshake response: enabled {', '.join(listener.enabled_mechanisms)}")]
        sasl, principal_or_none, error, lifetime = _sasl_exchange(client, listener, client_id, enc)
        steps += sasl
        if principal_or_none is None:
            err = SECURITY_ERRORS["SASL_AUTHENTICATION_FAILED"]
            remote = f"{listener.host}/{listener.ip}:{listener.port}"
            return Handshake(tuple(steps), failure=Failure(
                "sasl-authenticate", False, f"ERROR Connection to node -1 ({remote}) failed authentication due to: {error}",
                f"INFO Failed authentication with /{listener.ip} ({error})", err.exception, error, err.code),
                tls_version=enc, mechanism=mech)
        principal = principal_or_none
    steps += [Step("client", "api_versions", hb.api_versions_request(4, client_id), "ApiVersions v4"),
              Step("broker", "api_versions.response", hb.API_VERSIONS_V4_RESPONSE, "ApiVersions v4 response")]
    return Handshake(tuple(steps), principal=principal, tls_version=enc,
                     mechanism=client.mechanism if client_sasl else None, credential_lifetime_ms=lifetime)


def reauth_steps(client: ClientSecurity, listener: ListenerSecurity, client_id: str) -> tuple[Step, ...]:
    """A re-authentication (KIP-368) on the open connection: SaslHandshake and SaslAuthenticate, no ApiVersions
    (SaslClientAuthenticator.reauthenticate reuses the first one's answer)."""
    mech = client.mechanism
    steps = [Step("client", "sasl_handshake", hb.sasl_handshake_request(mech, client_id),
                  f"SaslHandshake v1: {mech} (re-authentication)"),
             Step("broker", "sasl_handshake.response", hb.sasl_handshake_response(listener.enabled_mechanisms),
                  "SaslHandshake response")]
    sasl, _, _, _ = _sasl_exchange(client, listener, client_id, _tls_version(client, listener))
    return tuple(steps + sasl)


def _ssl_failed(listener: ListenerSecurity, why: str) -> Failure:
    remote = f"{listener.host}/{listener.ip}:{listener.port}"
    return Failure("tls", False, f"ERROR Connection to node -1 ({remote}) failed authentication due to: SSL handshake failed",
                   f"INFO Failed authentication with /{listener.ip} (SSL handshake failed: {why})",
                   "SslAuthenticationException", "SSL handshake failed")


def _mismatch(steps: list[Step], client: ClientSecurity, listener: ListenerSecurity, client_id: str,
              outcome: ConnectionOutcome, version: str | None) -> Handshake:
    """The messages before a security.protocol / listener / mechanism mismatch ends the attempt."""
    client_tls = client.protocol in ("SSL", "SASL_SSL")
    broker_tls = listener.protocol in ("SSL", "SASL_SSL")
    if client_tls and not broker_tls:
        # The broker reads the ClientHello's first bytes as a request size and closes (InvalidReceiveException).
        hello = hb.TLS_FLIGHTS[("TLSv1.3", False)][0].bytes
        steps += [Step("client", "tls", hello, "TLS: ClientHello (to a listener without TLS)"),
                  Step("broker", "tcp", 0, "TCP FIN: the broker closes")]
    elif broker_tls and not client_tls:
        first = (hb.api_versions_request(0, client_id) if client.protocol.startswith("SASL_")
                 else hb.api_versions_request(4, client_id))
        steps += [Step("client", "api_versions", first, "ApiVersions in plain bytes (to a TLS listener)"),
                  Step("broker", "tls", hb.TLS_ALERT["TLSv1.2"], "TLS alert: unexpected_message, then TCP FIN")]
    elif outcome.stage == "first-request":
        if version is not None and broker_tls:
            steps += _tls_steps(version, mtls=False)
        steps += [Step("client", "api_versions", hb.api_versions_request(4, client_id),
                       "ApiVersions v4 (allowed before SASL)"),
                  Step("broker", "api_versions.response", hb.API_VERSIONS_V4_RESPONSE, "ApiVersions v4 response"),
                  Step("client", "metadata", 40, "MetadataRequest: refused during the SASL handshake"),
                  Step("broker", "tcp", 0, "TCP FIN: the broker closes")]
    else:  # the SaslHandshake is refused: no SASL on this listener, or the mechanism is not enabled
        if version is not None and broker_tls:
            steps += _tls_steps(version, mtls=False)
        mechanisms = () if outcome.error_code == SECURITY_ERRORS["ILLEGAL_SASL_STATE"].code else listener.enabled_mechanisms
        steps += [Step("client", "api_versions", hb.api_versions_request(0, client_id), "ApiVersions v0 (SASL client's)"),
                  Step("broker", "api_versions.response", hb.API_VERSIONS_V0_RESPONSE, "ApiVersions v0 response"),
                  Step("client", "sasl_handshake", hb.sasl_handshake_request(client.mechanism, client_id),
                       f"SaslHandshake v1: {client.mechanism}"),
                  Step("broker", "sasl_handshake.response", hb.sasl_handshake_response(mechanisms),
                       f"SaslHandshake response: error {outcome.error_code} "
                       f"{'ILLEGAL_SASL_STATE' if not mechanisms else 'UNSUPPORTED_SASL_MECHANISM'}")]
    failure = Failure(outcome.stage, outcome.retries, outcome.client_log, outcome.broker_log, outcome.client_exception,
                      outcome.client_message, outcome.error_code)
    return Handshake(tuple(steps), failure=failure, tls_version=version if broker_tls and client_tls else None)
