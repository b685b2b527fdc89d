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

Separately, a client holding an expiring credential (an OAUTHBEARER token) fetches a new
one before it expires: ExpiringCredentialRefreshingLogin.refreshMs, with
``sasl.login.refresh.window.factor`` 0.8, ``.window.jitter`` 0.05, ``.min.period.seconds``
60 and ``.buffer.seconds`` 300 (:func:`token_refresh_at_ms`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["ReauthSchedule", "reauth_schedule", "session_lifetime_ms", "token_refresh_at_ms"]

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


def token_refresh_at_ms(now_ms: int, start_ms: int | None, expire_ms: int, rng: random.Random,
                        window_factor: float = 0.8, window_jitter: float = 0.05, min_period_seconds: int = 60,
                        buffer_seconds: int = 300) -> int:
    """When the login thread refreshes a credential valid from ``start_ms`` to ``expire_ms`` (refreshMs).

    Aim at window_factor + jitter of the lifetime; if the lifetime left is shorter than the
    two buffers, just take that share of what is left; otherwise never inside the last
    ``buffer_seconds`` and never sooner than ``min_period_seconds`` from now.
    """
    if now_ms > expire_ms:
        return now_ms + 10 * 1000  # DELAY_SECONDS_BEFORE_NEXT_RETRY_WHEN_RELOGIN_FAILS: already expired, retry soon
    pct = window_factor + window_jitter * rng.random()
    if now_ms + 1000 * (min_period_seconds + buffer_seconds) > expire_ms:
        return now_ms + int((expire_ms - now_ms) * pct)
    start = start_ms if start_ms is not None else now_ms
    proposed = start + int((expire_ms - start) * pct)
    end_buffer_begins = expire_ms - buffer_seconds * 1000
    if proposed > end_buffer_begins:
        return end_buffer_begins
    return max(proposed, now_ms + 1000 * min_period_seconds)
