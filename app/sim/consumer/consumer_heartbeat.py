"""The KIP-848 consumer's heartbeats: when one goes, what it carries, what an answer or an error does.

Models ``ConsumerHeartbeatRequestManager`` with its ``AbstractHeartbeatRequestManager`` base and
the ``CoordinatorRequestManager`` that finds the group coordinator (Kafka 4.0 client, the
background thread of ``AsyncKafkaConsumer``): one heartbeat in flight; the next one
``heartbeat_interval_ms`` (the coordinator's ``group.consumer.heartbeat.interval.ms``) after the
last was sent, or at once while joining, acknowledging a reconciliation or leaving; only the
fields that changed since the last heartbeat (``HeartbeatState.SentFields``), all of them when
joining or after an error; ``max.poll.interval.ms`` without a poll() sending a leave heartbeat.

A failed heartbeat is retried after ``ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms,
jitter)`` with Kafka 4.0's jitter, which is max.poll.interval.ms (KAFKA-19813, fixed after 4.0):
the backoff comes out either 0 or retry.backoff.max.ms. Kafka draws it again each time its
network thread looks; the simulator draws it once per failure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.network_client import Purpose

if TYPE_CHECKING:
    from app.sim.consumer.consumer_membership import ConsumerMembership
    from app.sim.network_client import ClientRequest

#: errors after which the coordinator is looked up again (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE)
_FIND_AGAIN = frozenset({Errors.NOT_COORDINATOR, Errors.COORDINATOR_NOT_AVAILABLE})
#: errors that fence the member: it gives its partitions up as lost and joins again
_FENCED = frozenset({Errors.FENCED_MEMBER_EPOCH, Errors.UNKNOWN_MEMBER_ID})


class HeartbeatRequestManager:
    def __init__(self, membership: "ConsumerMembership") -> None:
        self.m = membership
        self.c = membership.c
        self.sim = membership.sim
        cfg = self.c.cfg
        self.interval_ms = 0.0
        #: when the heartbeat timer expires (reset to now + interval at each send, to now after a failure)
        self.due_ms = 0.0
        self.backoff_until = 0.0
        self.attempts = 0
        self.in_flight = False
        self.rebalance_timeout_ms = int(cfg["max.poll.interval.ms"])
        self.backoff_ms = float(cfg["retry.backoff.ms"])
        self.backoff_max_ms = float(cfg.get("retry.backoff.max.ms", 1000))
        self.finding = False
        self._timer: Timer | None = None
        #: SentFields: what the last heartbeat carried (None: must be sent again)
        self.sent_timeout: int | None = None
        self.sent_topics: list[str] | None = None
        self.sent_assignor: str | None = None
        self.sent_assignment: Any = None

    # -- the coordinator (CoordinatorRequestManager) ----------------------------------------------
    def coordinator_unknown(self, reason: str) -> None:
        if self.m.coordinator >= 0:
            self.c.trace.emit(self.sim.now, "consumer.coordinator_lost", client=self.c.client_id, group=self.m.group_id,
                              coordinator=self.m.coordinator, reason=reason)
        self.m.coordinator = -1

    def _find_coordinator(self) -> None:
        if self.finding or self.c.closed:
            return
        node = self.c.any_broker()
        if node is None:
            self._arm(self.sim.now + self.backoff_ms)
            return
        self.finding = True
        self.c.net.send("find_coordinator", node, {"group": self.m.group_id}, 20 + len(self.m.group_id), self._found)

    def _found(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.finding = False
        if answer["error"] is Errors.NONE:
            self.m.coordinator = answer["node"]
            self.maybe_send()
            self.c.wake()
        else:
            self._arm(self.sim.now + self.backoff_ms)

    # -- when to send (AbstractHeartbeatRequestManager.poll) ----------------------------------------
    def maybe_send(self) -> None:
        """Send a heartbeat if one is due (or must go at once), else wait for the moment it is."""
        m = self.m
        if self.c.closed:
            return
        if m.skips_heartbeat() or (m.coordinator < 0 and m.sending_leave()):
            m.on_heartbeat_skipped()
            return
        if m.coordinator < 0:
            self._find_coordinator()
            return
        now = self.sim.now
        if m.poll_timer_expired() and not m.is_leaving():
            m.on_poll_timer_expired()
            self._send(ignore_response=True)
            self.reset()
            self.reset_sent_fields()
            return
        now_please = m.heartbeat_now() and (not self.in_flight or m.sending_leave())
        can_send = not self.in_flight and now >= self.due_ms and now >= self.backoff_until
        if not (now_please or can_send):
            if not self.in_flight:
                self._arm(max(self.due_ms, self.backoff_until))
            return
        if not self.c.net.ready(m.coordinator):
            self._arm(self.c.net.blocked_until.get(m.coordinator, now))
            return
        self._send(ignore_response=m.sending_leave())

    def _arm(self, at: float) -> None:
        if self._timer is not None and not self._timer.cancelled:
            if self._timer.when <= at and self._timer.when > self.sim.now:
                return
            self._timer.cancel()
        self._timer = Timer(self.sim, max(at, self.sim.now), self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.maybe_send()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def reset(self) -> None:
        """``HeartbeatRequestState.reset``: no backoff; the next heartbeat may go at once."""
        self.attempts = 0
        self.backoff_until = 0.0
        self.due_ms = self.sim.now

    def reset_sent_fields(self) -> None:
        self.sent_timeout = self.sent_topics = self.sent_assignor = self.sent_assignment = None

    # -- the request (ConsumerHeartbeatRequestManager.HeartbeatState.buildRequestData) ---------------
    def _build(self) -> dict[str, Any]:
        m = self.m
        joining = m.joining()
        payload: dict[str, Any] = {"group": m.group_id, "member": m.member_id, "member_epoch": m.member_epoch,
                                   "instance_id": m.instance_id, "client_id": self.c.client_id,
                                   "rebalance_timeout_ms": -1, "topics": None, "server_assignor": None, "owned": None}
        if joining or self.sent_timeout != self.rebalance_timeout_ms:
            payload["rebalance_timeout_ms"] = self.sent_timeout = self.rebalance_timeout_ms
        topics = sorted(self.c.subscription)
        if joining or topics != self.sent_topics:
            payload["topics"] = self.sent_topics = topics
        if m.server_assignor is not None and (joining or m.server_assignor != self.sent_assignor):
            payload["server_assignor"] = self.sent_assignor = m.server_assignor
        local = m.current_assignment
        if joining or local != self.sent_assignment:
            # Sent when joining, and with the first heartbeat after a reconciliation (its local epoch moved).
            payload["owned"] = [(t, list(ps)) for t, ps in sorted(local[1].items())]
            self.sent_assignment = local
        return payload

    def _send(self, ignore_response: bool) -> None:
        m = self.m
        payload = self._build()
        size = (40 + len(m.group_id) + len(m.member_id) + sum(len(t) + 2 for t in payload["topics"] or ())
                + sum(20 + 4 * len(ps) for _, ps in payload["owned"] or ()))
        if not ignore_response:
            self.in_flight = True
        self.due_ms = self.sim.now + self.interval_ms
        self.c.net.send("consumer_group_heartbeat", m.coordinator, payload, size,
                        self._ignored if ignore_response else self._answered, Purpose.COORDINATOR)
        m.on_heartbeat_sent(payload)

    def _ignored(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.m.on_leave_answered()

    # -- the answer ------------------------------------------------------------------------------
    def _answered(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.in_flight = False
        error = answer["error"]
        now = self.sim.now
        if error is Errors.NONE:
            interval = float(answer["heartbeat_interval_ms"])
            if interval != self.interval_ms:
                self.interval_ms = interval
                self.due_ms = now + interval  # Timer.updateAndReset
            self.attempts = 0
            self.backoff_until = 0.0
            self.m.on_heartbeat_success(answer)
        elif error in (Errors.NETWORK_EXCEPTION, Errors.REQUEST_TIMED_OUT):
            self._failed_attempt(now)
            self.reset_sent_fields()
            self.coordinator_unknown(error.name)
        else:
            self._error(error, answer.get("message"), now)
        self.maybe_send()

    def _failed_attempt(self, now: float) -> None:
        """``onFailedAttempt``: the heartbeat timer expires now; the next try waits for the backoff."""
        self.due_ms = now
        self.attempts += 1
        self.backoff_until = now + self._backoff(self.attempts - 1)

    def _backoff(self, attempts: int) -> float:
        """``ExponentialBackoff.backoff`` with the heartbeat's jitter (max.poll.interval.ms, see the module doc)."""
        initial, high = min(self.backoff_ms, self.backoff_max_ms), self.backoff_max_ms
        if high <= initial:
            return initial
        exp_max = math.log(high / max(initial, 1)) / math.log(2)
        term = initial * 2.0 ** min(attempts, exp_max)
        jitter = float(self.rebalance_timeout_ms)
        factor = 1 - jitter + 2 * jitter * self.sim.rng.random()
        return float(max(0, min(int(factor * term), high)))

    def _error(self, error: Errors, message: str | None, now: float) -> None:
        """``onErrorResponse`` and ``handleSpecificError``."""
        self.reset_sent_fields()
        self._failed_attempt(now)
        if error in _FIND_AGAIN:
            self.coordinator_unknown(error.name)
            self.reset()
        elif error is Errors.COORDINATOR_LOAD_IN_PROGRESS:
            pass  # back off and try again
        elif error in _FENCED:
            self.m.transition_to_fenced(error)
            self.reset()
        else:
            # INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID, GROUP_ID_NOT_FOUND, ...
            self.m.transition_to_fatal(error, message)
