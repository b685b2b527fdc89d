"""Re-authentication (KIP-368, Kafka 2.2): when a client re-authenticates and when the broker closes.

Broker (SaslServerAuthenticator.ReauthInfo.calcCompletionTimesAndReturnSessionLifetimeMs):
with ``connections.max.reauth.ms`` > 0 and/or a credential that expires (an OAUTHBEARER
token, a delegation token), the session lifetime is the smaller of the two, counted from
the end of authentication, and is sent to the client in SaslAuthenticate v1+
(``session_lifetime_ms``). Default ``connections.max.reauth.ms`` is 0: no session limit.

Client (SaslClientAuthenticator.ReauthInfo.setAuthenticationEndAndSessionReauthenticationTimes):
re-authenticates after ``lifetime * (0.85 + 0.10 * random)``, a point between 85% and 95%
of the lifetime, truncated to whole milliseconds.

Broker again (SocketServer.Processor.processCompletedReceives, KafkaChannel.serverAuthenticationSessionExpired):
it does not close at expiry; it closes the connection when a request other than a
re-authentication's SaslHandshake arrives after the session expired.
The jitter comes from the ``random.Random`` passed in, so a run is deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["ReauthSchedule", "reauth_schedule", "session_lifetime_ms"]

_PCT_WINDOW = 0.85  # pctWindowFactorToTakeNetworkLatencyAndClockDriftIntoAccount
_PCT_JITTER = 0.10  # pctWindowJitterToAvoidReauthenticationStormAcrossManyChannelsSimultaneously


def session_lifetime_ms(auth_end_ms: int, connections_max_reauth_ms: int = 0,
                        credential_expiration_ms: int | None = None) -> int:
    """The broker's session lifetime (0: none), as sent in SaslAuthenticateResponse.session_lifetime_ms."""
    max_reauth_set = connections_max_reauth_ms > 0
    if credential_expiration_ms is None and not max_reauth_set:
        return 0
    if credential_expiration_ms is None:
        return max(0, connections_max_reauth_ms)
    if not max_reauth_set:
        return max(0, credential_expiration_ms - auth_end_ms)
    return max(0, min(credential_expiration_ms - auth_end_ms, connections_max_reauth_ms))


@dataclass(frozen=True, slots=True)
class ReauthSchedule:
    """One session's times, in ms on the caller's clock; None where nothing is scheduled."""

    session_lifetime_ms: int
    session_expires_at_ms: int | None  # the broker's expiry: a later non-re-authentication request closes
    client_reauth_at_ms: int | None  # when a v2.2+ client re-authenticates on its own
    client_fraction: float | None  # the 0.85..0.95 the client drew

    def broker_closes(self, request_at_ms: int, reauthenticated: bool) -> bool:
        """Would the broker close the connection on a request at this time? (nowNanos - expiration > 0)"""
        return (not reauthenticated and self.session_expires_at_ms is not None
                and request_at_ms > self.session_expires_at_ms)


def reauth_schedule(auth_end_ms: int, rng: random.Random, connections_max_reauth_ms: int = 0,
                    credential_expiration_ms: int | None = None, client_supports_reauth: bool = True) -> ReauthSchedule:
    """When the client re-authenticates and when the broker stops accepting the session.

    ``client_supports_reauth=False`` is a client older than 2.2 (SaslAuthenticate v0): it
    gets no lifetime, never re-authenticates, and is closed at its first request after expiry.
    """
    if connections_max_reauth_ms < 0:
        raise ValueError(f"connections.max.reauth.ms: must be >= 0, got {connections_max_reauth_ms}")
    lifetime = session_lifetime_ms(auth_end_ms, connections_max_reauth_ms, credential_expiration_ms)
    limited = credential_expiration_ms is not None or connections_max_reauth_ms > 0
    expires = auth_end_ms + lifetime if limited else None
    if lifetime <= 0 or not client_supports_reauth:
        return ReauthSchedule(lifetime, expires, None, None)
    fraction = _PCT_WINDOW + rng.random() * _PCT_JITTER
    return ReauthSchedule(lifetime, expires, auth_end_ms + int(lifetime * fraction), fraction)
