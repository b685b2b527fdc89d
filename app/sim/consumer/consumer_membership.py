"""A consumer's side of the KIP-848 consumer group protocol (``group.protocol=consumer``).

Models ``ConsumerMembershipManager`` with its ``AbstractMembershipManager`` base (Kafka 4.0,
the background thread of ``AsyncKafkaConsumer``): the member id made by the consumer itself and
kept for its lifetime (KIP-1082); joining with epoch 0; every assignment the coordinator sends
in a heartbeat answer reconciled at once: an auto-commit first (when ``enable.auto.commit``),
then the partitions that went are revoked and the new ones assigned, and a heartbeat goes at
once to acknowledge it. The application's poll() never waits for the group and no member
stops for another's sake: only the partitions that move pause, on the member giving them up.
Fenced (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID): partitions lost, join again with epoch 0.
``max.poll.interval.ms`` without a poll(): a leave heartbeat, partitions lost, and a new join
at the next poll(). Closing: partitions revoked, then epoch -1 (a static member: -2, it comes
back under the same ``group.instance.id``). The heartbeats themselves are
app/sim/consumer/consumer_heartbeat.py.

Leaves out: ConsumerRebalanceListener callbacks (the application registers none, so nothing
waits for the application thread), topic-name caching across metadata refreshes, rack ids.
"""

from __future__ import annotations

import base64
import hashlib
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any

from app.sim.consumer.consumer_heartbeat import HeartbeatRequestManager
from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.consumer.consumer import KafkaConsumer

#: (local epoch, {topic id: partitions}): ``LocalAssignment``; NONE before any
LocalAssignment = tuple[int, dict[str, tuple[int, ...]]]
NONE: LocalAssignment = (-1, {})
JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH = 0, -1, -2
#: commit errors after which the commit before a reconciliation is tried again (within the rebalance timeout)
_RETRY_COMMIT = frozenset({Errors.COORDINATOR_NOT_AVAILABLE, Errors.NOT_COORDINATOR, Errors.NETWORK_EXCEPTION,
                           Errors.REQUEST_TIMED_OUT, Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.STALE_MEMBER_EPOCH})


class MemberState(str, Enum):
    """The client's ``MemberState``."""

    UNSUBSCRIBED = "unsubscribed"
    JOINING = "joining"
    RECONCILING = "reconciling"
    ACKNOWLEDGING = "acknowledging"
    STABLE = "stable"
    FENCED = "fenced"
    PREPARE_LEAVING = "prepare-leaving"
    LEAVING = "leaving"
    FATAL = "fatal"
    STALE = "stale"


def new_member_id(client_id: str) -> str:
    """``Uuid.randomUuid().toString()`` (22 characters, never starting with '-'), drawn from the client id
    instead of a random source so that runs repeat."""
    salt = 0
    while True:
        raw = hashlib.blake2b(f"{client_id}/{salt}".encode(), digest_size=16).digest()
        member_id = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if not member_id.startswith("-"):
            return member_id
        salt += 1


class ConsumerMembership:
    protocol = "consumer"

    def __init__(self, consumer: "KafkaConsumer") -> None:
        self.c = consumer
        self.sim = consumer.sim
        cfg = consumer.cfg
        self.group_id: str = cfg["group.id"]
        self.instance_id: str | None = cfg.get("group.instance.id")
        self.server_assignor: str | None = cfg.get("group.remote.assignor")
        self.member_id = new_member_id(consumer.client_id)
        self.member_epoch = JOIN_GROUP_MEMBER_EPOCH
        self.state = MemberState.UNSUBSCRIBED
        self.coordinator = -1
        self.current_assignment: LocalAssignment = NONE
        self.target: LocalAssignment = NONE
        self.reconciling = False
        self.rejoined_while_reconciling = False
        self.poll_expired = False
        self._poll_check: Timer | None = None
        self._join_traced = False
        self.hb = HeartbeatRequestManager(self)

    def _to(self, state: MemberState) -> None:
        self.state = state

    # -- what KafkaConsumer reads --------------------------------------------------------------------
    def poll(self) -> bool:
        """The application's poll(): joins on the first, rejoins a member that went stale, and never waits for
        the group (the background thread does the rest). False once the member failed."""
        if self.state is MemberState.FATAL:
            return False
        if self.state is MemberState.STALE:
            # resetPollTimer -> maybeRejoinStaleMember: the poll timer runs again, the member joins again.
            self.poll_expired = False
            self.transition_to_joining()
        elif self.state is MemberState.UNSUBSCRIBED and self.c.subscription:
            self.transition_to_joining()
        elif self.state is MemberState.RECONCILING:
            self._maybe_reconcile()  # a metadata refresh may have resolved a topic id
        self._arm_poll_check()
        self.hb.maybe_send()
        return True

    def stable(self) -> bool:
        return self.member_epoch > 0 and self.state in (MemberState.STABLE, MemberState.RECONCILING,
                                                        MemberState.ACKNOWLEDGING)

    def commit_identity(self) -> tuple[str, int]:
        """OffsetCommit's member id and member epoch (-1 and no id while not in the group)."""
        return (self.member_id, self.member_epoch) if self.member_epoch > 0 else ("", -1)

    def close(self) -> None:
        self.hb.stop()
        if self._poll_check is not None:
            self._poll_check.cancel()
            self._poll_check = None

    # -- the heartbeat manager's questions ------------------------------------------------------------
    def skips_heartbeat(self) -> bool:
        return self.state in (MemberState.UNSUBSCRIBED, MemberState.FATAL, MemberState.STALE, MemberState.FENCED)

    def heartbeat_now(self) -> bool:
        return self.state in (MemberState.ACKNOWLEDGING, MemberState.LEAVING, MemberState.JOINING)

    def joining(self) -> bool:
        return self.state is MemberState.JOINING

    def sending_leave(self) -> bool:
        return self.state is MemberState.LEAVING

    def is_leaving(self) -> bool:
        return self.state in (MemberState.PREPARE_LEAVING, MemberState.LEAVING)

    def on_heartbeat_skipped(self) -> None:
        if self.state is MemberState.LEAVING:
            self._to(MemberState.UNSUBSCRIBED)  # the coordinator is unknown: the leave is not sent

    def on_leave_answered(self) -> None:
        """The leave heartbeat's answer is ignored (sent once, never retried)."""

    def on_heartbeat_sent(self, payload: dict[str, Any]) -> None:
        """``onHeartbeatRequestGenerated``."""
        c = self.c
        if self.state is MemberState.JOINING and not self._join_traced:
            self._join_traced = True
            c.trace.emit(self.sim.now, "consumer.joining", client=c.client_id, group=self.group_id, member=c.name,
                         generation=self.member_epoch)
        elif self.state is MemberState.ACKNOWLEDGING:
            if self.current_assignment == self.target:
                self._to(MemberState.STABLE)
            else:
                self._to(MemberState.RECONCILING)
                self._maybe_reconcile()
        elif self.state is MemberState.LEAVING:
            if self.poll_expired:
                self._to(MemberState.STALE)
                self._release(lost=True)
            else:
                self._to(MemberState.UNSUBSCRIBED)

    # -- answers ------------------------------------------------------------------------------------
    def on_heartbeat_success(self, answer: dict[str, Any]) -> None:
        """``ConsumerMembershipManager.onHeartbeatSuccess``: the epoch, and a new target if one came."""
        if self.state in (MemberState.LEAVING, MemberState.UNSUBSCRIBED, MemberState.FENCED, MemberState.FATAL,
                          MemberState.STALE):
            return
        epoch_before = self.member_epoch
        self.member_id = answer["member"]
        self.member_epoch = answer["member_epoch"]
        assignment = answer.get("assignment")
        if assignment is not None and self.state in (MemberState.JOINING, MemberState.RECONCILING,
                                                     MemberState.ACKNOWLEDGING, MemberState.STABLE):
            self._assignment_received({t: tuple(sorted(ps)) for t, ps in assignment})
        if self.member_epoch != epoch_before and self.state is MemberState.STABLE:
            # A new epoch and the same partitions: the application's view of its generation moves on.
            self.c.assign(set(self.c.assignment), self.member_epoch)

    def _assignment_received(self, assignment: dict[str, tuple[int, ...]]) -> None:
        """``processAssignmentReceived``: a different target gets the next local epoch."""
        if self.target == NONE or assignment != self.target[1]:
            self.target = (self.target[0] + 1, assignment)
        if self.current_assignment != self.target:
            self._to(MemberState.RECONCILING)
            self._maybe_reconcile()
        elif self.state in (MemberState.RECONCILING, MemberState.JOINING):
            self._to(MemberState.STABLE)

    # -- reconciliation -------------------------------------------------------------------------------
    def _maybe_reconcile(self) -> None:
        """``maybeReconcile``: commit (auto-commit), revoke what went, assign what came, acknowledge."""
        c = self.c
        if self.current_assignment == self.target or self.reconciling:
            return
        names = c.metadata.topic_names
        resolved = {t: ps for t, ps in self.target[1].items() if t in names}
        if len(resolved) < len(self.target[1]):
            c.metadata.request_update()  # topic ids not in metadata yet: reconcile what is known
        local = (self.target[0], resolved)
        if self.current_assignment != NONE and resolved == self.current_assignment[1]:
            self.current_assignment = local
            self._to(MemberState.ACKNOWLEDGING)
            self.hb.maybe_send()
            return
        self.reconciling = True
        self.rejoined_while_reconciling = False
        assigned = {TopicPartition(names[t], p) for t, ps in resolved.items() for p in ps}
        revoked = set(c.assignment) - assigned
        if c.cfg["enable.auto.commit"] and c.commit_mode == "auto":
            # Committed first, retried until the rebalance timeout (the coordinator's limit for this).
            self._commit(self.sim.now + self.hb.rebalance_timeout_ms, local, assigned, revoked)
        else:
            self._revoke_and_assign(local, assigned, revoked)

    def _commit(self, deadline: float, local: LocalAssignment, assigned: set[TopicPartition],
                revoked: set[TopicPartition]) -> None:
        self.c.commit(sync=False, reason="before reconciling",
                      then=partial(self._committed, deadline, local, assigned, revoked))

    def _committed(self, deadline: float, local: LocalAssignment, assigned: set[TopicPartition],
                   revoked: set[TopicPartition], error: Errors) -> None:
        if self._aborted():
            return
        if error in _RETRY_COMMIT and self.sim.now < deadline and not self.c.closed:
            self.sim.after(self.c.cfg["retry.backoff.ms"], self._commit, deadline, local, assigned, revoked)
            return
        self._revoke_and_assign(local, assigned, revoked)

    def _revoke_and_assign(self, local: LocalAssignment, assigned: set[TopicPartition],
                           revoked: set[TopicPartition]) -> None:
        c = self.c
        if self._aborted():
            return
        if revoked:
            c.revoke(revoked, lost=False)
        c.assign(assigned, self.member_epoch)
        self.current_assignment = local
        c.next_auto_commit_ms = self.sim.now + c.cfg["auto.commit.interval.ms"]  # resetAutoCommitTimer
        self.reconciling = False
        self._to(MemberState.ACKNOWLEDGING)
        self.hb.maybe_send()

    def _aborted(self) -> bool:
        """``maybeAbortReconciliation``: the member left RECONCILING (fenced, leaving) or joined again meanwhile."""
        if self.state is not MemberState.RECONCILING or self.rejoined_while_reconciling or self.c.closed:
            self.reconciling = False
            self.rejoined_while_reconciling = False
            return True
        return False

    # -- leaving the group, willingly or not ----------------------------------------------------------
    def _release(self, lost: bool) -> None:
        """Give up every partition (onPartitionsRevoked, or onPartitionsLost) and forget the assignment."""
        if self.c.assignment:
            self.c.revoke(set(self.c.assignment), lost=lost)
        self.current_assignment = NONE
        self.target = NONE

    def transition_to_joining(self) -> None:
        if self.state is MemberState.FATAL:
            return
        if self.reconciling:
            self.rejoined_while_reconciling = True
        self.member_epoch = JOIN_GROUP_MEMBER_EPOCH
        self._to(MemberState.JOINING)
        self._join_traced = False
        self.target = NONE
        self.hb.reset_sent_fields()
        self.hb.maybe_send()

    def transition_to_fenced(self, error: Errors) -> None:
        """``transitionToFenced``: the coordinator no longer knows this member (or its epoch)."""
        if self.state in (MemberState.PREPARE_LEAVING, MemberState.LEAVING):
            self._to(MemberState.UNSUBSCRIBED)
            return
        if self.state is MemberState.UNSUBSCRIBED:
            return
        self._to(MemberState.FENCED)
        self.member_epoch = JOIN_GROUP_MEMBER_EPOCH
        c = self.c
        c.trace.emit(self.sim.now, "consumer.reset", client=c.client_id, group=self.group_id, member=c.name,
                     reason=error.name)
        self._release(lost=True)
        self.transition_to_joining()

    def transition_to_fatal(self, error: Errors, message: str | None) -> None:
        """``transitionToFatal``: partitions lost, and the application's next poll() throws."""
        before = self.state
        self._to(MemberState.FATAL)
        if before not in (MemberState.UNSUBSCRIBED, MemberState.LEAVING, MemberState.PREPARE_LEAVING):
            self._release(lost=True)
        self.c.fail(error, f"{error.name}: {message}" if message else None)

    def leave(self, reason: str) -> None:
        """``leaveGroup`` (close()): release the partitions, then a heartbeat with epoch -1 (static: -2)."""
        if self.state in (MemberState.UNSUBSCRIBED, MemberState.FENCED, MemberState.FATAL, MemberState.STALE):
            if self.state is MemberState.FENCED:
                self._release(lost=True)
                self._to(MemberState.UNSUBSCRIBED)
            return
        if self.is_leaving():
            return
        self._to(MemberState.PREPARE_LEAVING)
        self._release(lost=self.member_epoch <= 0)
        self._sending_leave_group()
        self.hb.maybe_send()

    def _sending_leave_group(self) -> None:
        """``transitionToSendingLeaveGroup``: the leave epoch and no assignment; the heartbeat goes at once."""
        self.member_epoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH if self.instance_id else LEAVE_GROUP_MEMBER_EPOCH
        self.current_assignment = NONE
        self._to(MemberState.LEAVING)

    # -- max.poll.interval.ms ---------------------------------------------------------------------------
    def poll_timer_expired(self) -> bool:
        return self.sim.now - self.c.last_poll_ms >= self.c.cfg["max.poll.interval.ms"]

    def on_poll_timer_expired(self) -> None:
        """The application did not poll in time: it leaves (and gives its partitions up once the leave is sent)."""
        if self.state in (MemberState.FATAL, MemberState.UNSUBSCRIBED):
            return
        c = self.c
        c.trace.emit(self.sim.now, "consumer.poll_timeout", client=c.client_id, group=self.group_id, member=c.name,
                     max_poll_interval_ms=c.cfg["max.poll.interval.ms"])
        self.poll_expired = True
        self._to(MemberState.PREPARE_LEAVING)
        self._sending_leave_group()

    def _arm_poll_check(self) -> None:
        """One timer at the poll timer's deadline; it moves on with the application's polls."""
        if self._poll_check is None:
            self._poll_check = Timer(self.sim, self.c.last_poll_ms + self.c.cfg["max.poll.interval.ms"],
                                     self._poll_check_fired)

    def _poll_check_fired(self) -> None:
        self._poll_check = None
        if self.c.closed:
            return
        if self.poll_timer_expired():
            self.hb.maybe_send()
        else:
            self._arm_poll_check()
