"""A consumer's side of the classic group protocol: find the coordinator, join, sync, heartbeat, leave.

Models ``AbstractCoordinator`` and ``ConsumerCoordinator`` (with the heartbeat thread): the
coordinator found with FindCoordinator and talked to on a connection of its own; JoinGroup
(again with the member id a MEMBER_ID_REQUIRED answer gives, KIP-394); the leader computing
the assignment with the group's assignor (app/sim/consumer/assignors.py) and sending it in
SyncGroup; eager protocols revoking everything before they rejoin, cooperative-sticky revoking
only what moves after the sync and then joining once more (KIP-429); offsets committed
before rejoining when auto-commit is on (``onJoinPrepare``); heartbeats every
``heartbeat.interval.ms`` while stable, REBALANCE_IN_PROGRESS asking the next poll() to rejoin;
and a member whose application did not poll within ``max.poll.interval.ms`` leaving the group.
A static member (``group.instance.id``) sends no LeaveGroup when it closes (KIP-345).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from app.sim.consumer.assignors import assign_partitions, cooperative_sticky_assign
from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.network_client import Purpose
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.consumer.consumer import KafkaConsumer
    from app.sim.network_client import ClientRequest

_COORDINATOR_LOST = frozenset({Errors.NOT_COORDINATOR, Errors.COORDINATOR_NOT_AVAILABLE, Errors.NETWORK_EXCEPTION,
                               Errors.REQUEST_TIMED_OUT, Errors.COORDINATOR_LOAD_IN_PROGRESS})
_FATAL = frozenset({Errors.INVALID_SESSION_TIMEOUT, Errors.INCONSISTENT_GROUP_PROTOCOL, Errors.FENCED_INSTANCE_ID,
                    Errors.GROUP_AUTHORIZATION_FAILED, Errors.TOPIC_AUTHORIZATION_FAILED})


class MemberState(str, Enum):
    UNJOINED = "unjoined"
    PREPARING_REBALANCE = "preparing-rebalance"
    COMPLETING_REBALANCE = "completing-rebalance"
    STABLE = "stable"
    FAILED = "failed"


class ClassicMembership:
    protocol = "classic"

    def __init__(self, consumer: "KafkaConsumer") -> None:
        self.c = consumer
        self.sim = consumer.sim
        cfg = consumer.cfg
        self.group_id: str = cfg["group.id"]
        self.instance_id: str | None = cfg.get("group.instance.id")
        self.strategies: list[str] = list(cfg["partition.assignment.strategy"])
        self.state = MemberState.UNJOINED
        self.member_id = ""
        self.generation = -1
        self.protocol: str | None = None
        self.coordinator = -1
        self.finding = False
        self.rejoin_needed = True
        self.joining = False
        self.heartbeat_timer: Timer | None = None
        self.heartbeat_in_flight = False
        self.left = False

    @property
    def cooperative(self) -> bool:
        return self.protocol == "cooperative-sticky" if self.protocol else self.strategies[0] == "cooperative-sticky"

    def stable(self) -> bool:
        return self.state is MemberState.STABLE and not self.rejoin_needed

    # -- the coordinator ----------------------------------------------------------------------------
    def _coordinator_unknown(self, reason: str) -> None:
        if self.coordinator >= 0:
            self.c.trace.emit(self.sim.now, "consumer.coordinator_lost", client=self.c.client_id, group=self.group_id,
                              coordinator=self.coordinator, reason=reason)
        self.coordinator = -1

    def ensure_coordinator(self) -> bool:
        """True when the coordinator is known; otherwise a FindCoordinator goes (or is on its way)."""
        if self.coordinator >= 0:
            return True
        if not self.finding:
            node = self.c.any_broker()
            if node is None:
                self.c.retry_later()
                return False
            self.finding = True
            self.c.net.send("find_coordinator", node, {"group": self.group_id}, 20 + len(self.group_id), self._found)
        return False

    def _found(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.finding = False
        if answer["error"] in _FATAL:
            self.state = MemberState.FAILED
            self.c.fail(answer["error"], answer.get("message"))
            return
        if answer["error"] is Errors.NONE:
            self.coordinator = answer["node"]
            self.c.wake()
        else:
            self.c.retry_later()

    # -- poll(): what the application thread does for the group -----------------------------------------
    def poll(self) -> bool:
        """``ConsumerCoordinator.poll``: True when the member may fetch and process (stable), else it works on joining."""
        if self.state is MemberState.FAILED:
            return False
        if not self.ensure_coordinator():
            return False
        if self.rejoin_needed and not self.joining:
            self._join_prepare()
            self._send_join()
        return self.stable()

    def _join_prepare(self) -> None:
        """``onJoinPrepare``: commit what was consumed (auto-commit), then an eager member gives everything up."""
        c = self.c
        self.joining = True
        self._stop_heartbeats()
        if c.cfg["enable.auto.commit"] and c.assignment and self.generation >= 0:
            c.commit(sync=True, reason="before rejoining")
        if not self.cooperative or self.generation < 0:
            c.revoke(set(c.assignment), lost=self.generation < 0 and bool(c.assignment))

    def _send_join(self) -> None:
        c = self.c
        if not self.ensure_coordinator():
            self.joining = False
            return
        owned = sorted(c.assignment)
        meta = {"topics": sorted(c.subscription), "owned": [list(tp) for tp in owned], "generation": self.generation,
                "rack": c.cfg["client.rack"] or None}
        payload = {"group": self.group_id, "member": self.member_id, "instance_id": self.instance_id,
                   "client_id": c.client_id, "session_timeout_ms": c.cfg["session.timeout.ms"],
                   "rebalance_timeout_ms": c.cfg["max.poll.interval.ms"],
                   "protocols": [(name, meta) for name in self.strategies]}
        self.state = MemberState.PREPARING_REBALANCE
        c.trace.emit(self.sim.now, "consumer.joining", client=c.client_id, group=self.group_id, member=c.name,
                     generation=self.generation)
        c.net.send("join_group", self.coordinator, payload, 60 + 20 * len(self.strategies) + 8 * len(owned), self._joined,
                   Purpose.COORDINATOR)

    def _joined(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        c = self.c
        error = answer["error"]
        if error is Errors.MEMBER_ID_REQUIRED:
            self.member_id = answer["member"]
            self._send_join()
            return
        if error is not Errors.NONE:
            self._join_failed(error)
            return
        self.member_id = answer["member"]
        self.generation = answer["generation"]
        self.protocol = answer["protocol"]
        self.state = MemberState.COMPLETING_REBALANCE
        assignments: dict[str, list] = {}
        if answer.get("members") is not None:
            assignments = self._assign(answer["members"])
        payload = {"group": self.group_id, "member": self.member_id, "instance_id": self.instance_id,
                   "generation": self.generation, "assignments": assignments}
        c.net.send("sync_group", self.coordinator, payload, 40 + 12 * sum(len(a) for a in assignments.values()), self._synced,
                   Purpose.COORDINATOR)

    def _assign(self, members: dict[str, dict[str, Any]]) -> dict[str, list[TopicPartition]]:
        """The leader's ``onLeaderElected``: the group's assignor over the members' subscriptions."""
        c = self.c
        subscriptions = {m: meta["topics"] for m, meta in members.items()}
        topics = sorted({t for ts in subscriptions.values() for t in ts})
        counts = {t: c.metadata.partition_counts[t] for t in topics if t in c.metadata.partition_counts}
        owned = {m: [TopicPartition(t, p) for t, p in meta["owned"]] for m, meta in members.items()}
        options: dict[str, Any] = {
            "generations": {m: meta["generation"] for m, meta in members.items()},
            "instance_ids": {m: meta["instance_id"] for m, meta in members.items() if meta.get("instance_id")},
        }
        if self.protocol == "cooperative-sticky":
            _, first = cooperative_sticky_assign(subscriptions, counts, owned, **options)
            result = first
        else:
            result = assign_partitions(self.protocol, subscriptions, counts, owned if self.protocol == "sticky" else None,
                                       **options)
        return {m: [TopicPartition(t, p) for t, p in parts] for m, parts in result.items()}

    def _synced(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        c = self.c
        error = answer["error"]
        if error is not Errors.NONE:
            self._join_failed(error)
            return
        new = {TopicPartition(t, p) for t, p in answer["assignment"]}
        self.joining = False
        self.rejoin_needed = False
        self.state = MemberState.STABLE
        revoked = set(c.assignment) - new
        if revoked:
            c.revoke(revoked, lost=False)
            if self.cooperative:
                # KIP-429: partitions given up are handed to their new owner by one more rebalance.
                self.rejoin_needed = True
        c.assign(new, self.generation)
        self._schedule_heartbeat()

    def _join_failed(self, error: Errors) -> None:
        c = self.c
        self.joining = False
        self.state = MemberState.UNJOINED
        if error in _COORDINATOR_LOST:
            self._coordinator_unknown(error.name)
        elif error in (Errors.UNKNOWN_MEMBER_ID, Errors.ILLEGAL_GENERATION):
            self._reset_generation(error.name)
        elif error in _FATAL:
            self.state = MemberState.FAILED
            c.fail(error, answer.get("message"))
            return
        self.rejoin_needed = True
        c.retry_later()

    def _reset_generation(self, reason: str) -> None:
        """The member is no longer known (expired, or fenced): it rejoins as new, and its partitions count as lost."""
        c = self.c
        if self.generation >= 0 and c.assignment:
            c.revoke(set(c.assignment), lost=True)
        self.generation = -1
        self.member_id = ""
        self.state = MemberState.UNJOINED
        self.rejoin_needed = True
        c.trace.emit(self.sim.now, "consumer.reset", client=c.client_id, group=self.group_id, member=c.name, reason=reason)

    # -- heartbeats (the heartbeat thread) --------------------------------------------------------------
    def _schedule_heartbeat(self) -> None:
        self._stop_heartbeats()
        self.heartbeat_timer = Timer(self.sim, self.sim.now + self.c.cfg["heartbeat.interval.ms"], self._heartbeat)

    def _stop_heartbeats(self) -> None:
        if self.heartbeat_timer is not None:
            self.heartbeat_timer.cancel()
            self.heartbeat_timer = None

    def _heartbeat(self) -> None:
        self.heartbeat_timer = None
        c = self.c
        if c.closed or self.state is not MemberState.STABLE:
            return
        if self.sim.now - c.last_poll_ms > c.cfg["max.poll.interval.ms"]:
            # The application is stuck between polls: the member leaves so others can take its partitions.
            c.trace.emit(self.sim.now, "consumer.poll_timeout", client=c.client_id, group=self.group_id, member=c.name,
                         max_poll_interval_ms=c.cfg["max.poll.interval.ms"])
            self.leave("consumer poll timeout has expired")
            self._reset_generation("poll timeout")
            return
        if self.coordinator < 0:
            self.ensure_coordinator()
            self._schedule_heartbeat()
            return
        if not self.heartbeat_in_flight:
            self.heartbeat_in_flight = True
            payload = {"group": self.group_id, "member": self.member_id, "instance_id": self.instance_id,
                       "generation": self.generation}
            c.net.send("heartbeat", self.coordinator, payload, 30 + len(self.member_id), self._heartbeat_answer,
                       Purpose.COORDINATOR)
        self._schedule_heartbeat()

    def _heartbeat_answer(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.heartbeat_in_flight = False
        error = answer["error"]
        if error is Errors.NONE:
            return
        if error is Errors.REBALANCE_IN_PROGRESS:
            if not self.rejoin_needed:
                self.rejoin_needed = True
                self.c.trace.emit(self.sim.now, "consumer.rebalance_requested", client=self.c.client_id, group=self.group_id,
                                  member=self.c.name)
            self.c.wake()
        elif error in _COORDINATOR_LOST:
            self._coordinator_unknown(error.name)
        elif error in (Errors.UNKNOWN_MEMBER_ID, Errors.ILLEGAL_GENERATION):
            self._stop_heartbeats()
            self._reset_generation(error.name)
            self.c.wake()
        elif error in _FATAL:
            self._stop_heartbeats()
            self.state = MemberState.FAILED
            self.c.fail(error)

    # -- leaving ----------------------------------------------------------------------------------------
    def leave(self, reason: str) -> None:
        """``maybeLeaveGroup``: a dynamic member says it goes; a static one stays until its session expires."""
        self._stop_heartbeats()
        if self.instance_id or not self.member_id or self.coordinator < 0:
            return
        c = self.c
        c.net.send("leave_group", self.coordinator, {"group": self.group_id, "member": self.member_id, "reason": reason},
                   30 + len(self.member_id), _ignore, Purpose.COORDINATOR)

    def commit_identity(self) -> tuple[str, int]:
        return self.member_id, self.generation

    def close(self) -> None:
        self._stop_heartbeats()


def _ignore(req: "ClientRequest", answer: dict[str, Any]) -> None:
    return None
