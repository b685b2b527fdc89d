"""SASL/SCRAM-SHA-256 and -512 (RFC 5802, RFC 7677) as Kafka runs them, computed by ``scramp``.

Kafka stores a ScramCredential per user and mechanism: salt, iterations, StoredKey =
H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key"),
never the password (ScramFormatter.generateCredential; KRaft keeps them as
UserScramCredentialRecords). Iterations must lie in ScramMechanism's 4096..16384
(ScramControlManager.validateUpsertion: "Too few iterations" / "Too many iterations").

The exchange is four messages: client-first ``n,,n=<user>,r=<client nonce>``,
server-first ``r=<client nonce + server nonce>,s=<salt>,i=<iterations>``, client-final
``c=biws,r=<nonce>,p=<proof>`` and server-final ``v=<server signature>``. A wrong
password makes ScramSaslServer throw a SaslException, which SaslServerAuthenticator
turns into SASL_AUTHENTICATION_FAILED with a message that never says whether the user
exists. Kafka makes nonces and salts as ``new BigInteger(130, random).toString(36)``;
here they come from a passed-in ``random.Random`` (deterministic) or ``secrets``.

Kafka does not SASLprep passwords (ScramFormatter.normalize is plain UTF-8); scramp
does, which differs only for passwords outside ASCII.
"""

from __future__ import annotations

import base64
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

import scramp

__all__ = ["ScramCredential", "make_credential", "kafka_nonce", "ScramExchange", "scram_exchange",
           "MIN_ITERATIONS", "MAX_ITERATIONS", "MECHANISMS", "invalid_credentials_message"]

MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
MIN_ITERATIONS = 4096  # ScramMechanism.minIterations
MAX_ITERATIONS = 16384  # ScramMechanism.maxIterations


def invalid_credentials_message(mechanism: str, reauthentication: bool = False) -> str:
    """SaslServerAuthenticator's text for a SaslException from the mechanism (a wrong password, an unknown user)."""
    stage = "re-authentication" if reauthentication else "authentication"
    return f"Authentication failed during {stage} due to invalid credentials with SASL mechanism {mechanism}"


def kafka_nonce(rng: random.Random | None = None) -> str:
    """ScramFormatter.secureRandomString: a 130-bit random number in base 36."""
    value = rng.getrandbits(130) if rng is not None else secrets.randbits(130)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while value:
        value, digit = divmod(value, 36)
        text = digits[digit] + text
    return text or "0"


@dataclass(frozen=True, slots=True)
class ScramCredential:
    """ScramCredential: what the broker keeps for a user and mechanism (no password)."""

    mechanism: str
    salt: bytes
    stored_key: bytes
    server_key: bytes
    iterations: int

    def describe(self) -> str:
        """``kafka-configs --describe --entity-type users`` style: ``SCRAM-SHA-256=iterations=4096``."""
        return f"{self.mechanism}=iterations={self.iterations}"

    def as_dict(self) -> dict[str, object]:
        b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
        return {"mechanism": self.mechanism, "salt": b64(self.salt), "stored_key": b64(self.stored_key),
                "server_key": b64(self.server_key), "iterations": self.iterations}


def _check_mechanism(mechanism: str) -> None:
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism: unknown value {mechanism!r}; valid values are {', '.join(MECHANISMS)}")


def make_credential(mechanism: str, password: str, iterations: int = MIN_ITERATIONS, salt: bytes | None = None,
                    rng: random.Random | None = None) -> ScramCredential:
    """What ``kafka-configs --alter --add-config 'SCRAM-SHA-256=[iterations=4096,password=...]'`` stores."""
    _check_mechanism(mechanism)
    if not isinstance(iterations, int) or iterations < MIN_ITERATIONS:
        raise ValueError(f"iterations: Too few iterations: {iterations!r}; valid values are "
                         f"{MIN_ITERATIONS}..{MAX_ITERATIONS}")
    if iterations > MAX_ITERATIONS:
        raise ValueError(f"iterations: Too many iterations: {iterations}; valid values are "
                         f"{MIN_ITERATIONS}..{MAX_ITERATIONS}")
    salt = salt if salt is not None else kafka_nonce(rng).encode("ascii")  # ScramFormatter.secureRandomBytes
    salt_out, stored_key, server_key, count = scramp.ScramMechanism(mechanism).make_auth_info(
        password, iteration_count=iterations, salt=salt)
    return ScramCredential(mechanism, salt_out, stored_key, server_key, count)


@dataclass(slots=True)
class ScramExchange:
    """The messages of one SCRAM authentication, in order, and how it ended.

    ``messages`` holds (sender, text) pairs: ``client`` or ``server``; ``error`` is the
    SaslAuthenticate error message the client gets (SASL_AUTHENTICATION_FAILED, 58).
    """

    mechanism: str
    messages: list[tuple[str, str]] = field(default_factory=list)
    ok: bool = False
    principal: str | None = None
    error: str | None = None
    client_verified_server: bool = False


def scram_exchange(mechanism: str, username: str, password: str, credentials: Mapping[str, ScramCredential],
                   client_nonce: str | None = None, server_nonce: str | None = None,
                   rng: random.Random | None = None) -> ScramExchange:
    """Run a full client/server SCRAM exchange (scramp on both sides, Kafka's server checks and messages)."""
    _check_mechanism(mechanism)
    result = ScramExchange(mechanism)
    c_nonce = client_nonce if client_nonce is not None else kafka_nonce(rng)
    s_nonce = server_nonce if server_nonce is not None else kafka_nonce(rng)

    def lookup(user: str) -> tuple[bytes, bytes, bytes, int] | None:
        cred = credentials.get(user)
        if cred is None or cred.mechanism != mechanism:
            return None
        return cred.salt, cred.stored_key, cred.server_key, cred.iterations

    client = scramp.ScramClient([mechanism], username, password, c_nonce=c_nonce)
    server = scramp.ScramMechanism(mechanism).make_server(lookup, s_nonce=s_nonce)
    client_first = client.get_client_first()
    result.messages.append(("client", client_first))
    cred = credentials.get(username)
    if cred is None or cred.mechanism != mechanism or cred.iterations < MIN_ITERATIONS:
        # ScramSaslServer: "Authentication failed: Invalid user credentials" (a SaslException), hidden behind
        # SaslServerAuthenticator's generic message so the client cannot tell the user does not exist.
        result.error = invalid_credentials_message(mechanism)
        return result
    server.set_client_first(client_first)
    server_first = server.get_server_first()
    result.messages.append(("server", server_first))
    client.set_server_first(server_first)
    client_final = client.get_client_final()
    result.messages.append(("client", client_final))
    try:
        server.set_client_final(client_final)
    except scramp.ScramException:
        # ScramSaslServer.verifyClientProof: SaslException("Invalid client credentials"); Kafka sends no
        # server-final, it fails the SaslAuthenticate request instead.
        result.error = invalid_credentials_message(mechanism)
        return result
    server_final = server.get_server_final()
    result.messages.append(("server", server_final))
    client.set_server_final(server_final)  # raises if the server's signature were wrong
    result.client_verified_server = True
    result.ok = True
    result.principal = "User:" + username
    return result
