"""A consumer group on the KIP-848 protocol (``group.protocol=consumer``), as its coordinator runs it.

Models the consumer-group half of ``GroupMetadataManager`` (Kafka 4.0) over the state of
app/sim/coordinator/consumer_group_state.py: ``ConsumerGroupHeartbeat`` (join with epoch 0,
the member id the client made, KIP-1082; leave with -1, or -2 for a static member that comes
back), the group epoch bumped when a subscription or the subscribed topics change, the
target assignment recomputed by the server-side assignor, each member reconciled towards it
(``CurrentAssignmentBuilder``: revoke first, then assign what others released), the session
timeout (``group.consumer.session.timeout.ms``) restarted by every heartbeat, the rebalance
timeout (the member's ``max.poll.interval.ms``) for a member that keeps partitions it must
revoke, and ``group.consumer.heartbeat.interval.ms`` told to the member in every answer.

Like Kafka's coordinator runtime, an operation first computes its records against the state
as it is, then replays them (the state changes at once) and answers once they are committed
in ``__consumer_offsets``. Left out: group.consumer.max.size, per-group configs, regular
expression subscriptions, classic members in a consumer group (KIP-848's online upgrade),
rack-aware assignment (Kafka 4.0's assignors have none).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from app.sim.coordinator.consumer_group_state import (
    RECORD_KINDS, ConsumerGroupData, ConsumerGroupState, Record, current_assignment_record, group_epoch_record,
    member_metadata_record, member_tombstones, subscription_metadata_record, target_assignment_record,
)
from app.sim.coordinator.current_assignment import (
    JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, Assignment, ConsumerGroupMember,
    FencedMemberEpoch, MemberState, next_assignment,
)
from app.sim.coordinator.target_assignment import ASSIGNORS, PartitionAssignorException, build_target, preferred_assignor
from app.sim.errors import Errors
from app.sim.events import Timer

if TYPE_CHECKING:
    from app.sim.coordinator.consumer_group_state import SubscriptionMetadata
    from app.sim.coordinator.group_coordinator import GroupCoordinator
    from app.sim.network_client import ClientRequest

#: GroupCoordinatorService.handleOperationException: what a failed write answers.
_WRITE_ERRORS = {Errors.NOT_ENOUGH_REPLICAS: Errors.COORDINATOR_NOT_AVAILABLE,
                 Errors.REQUEST_TIMED_OUT: Errors.COORDINATOR_NOT_AVAILABLE,
                 Errors.NOT_LEADER_OR_FOLLOWER: Errors.NOT_COORDINATOR}


class CoordinatorError(Exception):
    """An ApiException the heartbeat answers with (error code and Kafka's message)."""

    def __init__(self, error: Errors, message: str) -> None:
        super().__init__(message)
        self.error = error


def topic_partitions(a: Assignment) -> list[tuple[str, list[int]]]:
    """A heartbeat's ``TopicPartitions`` list."""
    return [(t, sorted(ps)) for t, ps in sorted(a.items())]


class ConsumerGroup(ConsumerGroupData):
    def __init__(self, coordinator: "GroupCoordinator", group_id: str) -> None:
        super().__init__(group_id)
        self.coordinator = coordinator
        self.cluster = coordinator.cluster
        self.broker = coordinator.broker
        self.sim = coordinator.sim
        self.session_timers: dict[str, Timer] = {}
        self.rebalance_timers: dict[str, Timer] = {}
        #: the last group epoch every member reached (group.stable was emitted for it)
        self.stable_epoch = 0
        self.unloaded = False

    # -- lifecycle ----------------------------------------------------------------------------------
    def _groups(self) -> dict[str, Any]:
        return self.coordinator.partitions.setdefault(self.coordinator.partition_for(self.group_id), {})

    def _created(self) -> None:
        self._groups()[self.group_id] = self

    def _deleted(self) -> None:
        if self._groups().get(self.group_id) is self:
            del self._groups()[self.group_id]

    @classmethod
    def load(cls, coordinator: "GroupCoordinator", group_id: str, records: list[Record]) -> "ConsumerGroup":
        """``onLoaded``: the group replayed from the log, every member given a fresh session timeout (and a
        rebalance timeout if it owes a revocation)."""
        group = cls(coordinator, group_id)
        for key, value in records:
            group.replay(key, value)
        if group.state is ConsumerGroupState.STABLE:
            group.stable_epoch = group.group_epoch
        for member in group.members.values():
            group._schedule_session(member.member_id)
            if member.state is MemberState.UNREVOKED_PARTITIONS:
                group._schedule_rebalance(member)
        return group

    def unload(self, crashed: bool = False) -> None:
        """Another broker coordinates the group now (or this one died): timers stop; answers waiting for a
        write are failed by the coordinator."""
        for timer in [*self.session_timers.values(), *self.rebalance_timers.values()]:
            timer.cancel()
        self.session_timers.clear()
        self.rebalance_timers.clear()
        self.unloaded = True

    # -- configs ------------------------------------------------------------------------------------
    def _cfg(self, name: str) -> Any:
        return self.cluster.broker_cfg[name]

    def _subscription_metadata(self, counts: dict[str, int]) -> "SubscriptionMetadata":
        """``computeSubscriptionMetadata``: id and partition count of each subscribed topic that exists."""
        topics = self.cluster.controller.topics
        return {name: (topics[name].topic_id, len(topics[name].partitions)) for name in counts if name in topics}

    # -- ConsumerGroupHeartbeat ----------------------------------------------------------------------
    def heartbeat(self, req: "ClientRequest") -> None:
        p = req.payload
        try:
            self._validate(p)
            if p["member_epoch"] in (LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH):
                records, answer, reason = self._leave(p)
            else:
                records, answer, reason = self._heartbeat(p, req.sender.node)
        except CoordinatorError as exc:
            self.broker.respond(req, _error_answer(exc.error, str(exc)), 30 + len(str(exc)))
            return
        self._write(records, reason, partial(self._answer, req, answer))

    def _answer(self, req: "ClientRequest", answer: dict[str, Any], error: Errors) -> None:
        """The heartbeat's answer, once its records are committed (or the write's error)."""
        if error is not Errors.NONE:
            answer = _error_answer(_WRITE_ERRORS.get(error, error), None)
        parts = answer.get("assignment") or ()
        self.broker.respond(req, answer, 40 + sum(20 + 4 * len(ps) for _, ps in parts))

    def _validate(self, p: dict[str, Any]) -> None:
        """``GroupCoordinatorService.throwIfConsumerGroupHeartbeatRequestIsInvalid`` (version 1, KIP-1082)."""
        def invalid(message: str) -> CoordinatorError:
            return CoordinatorError(Errors.INVALID_REQUEST, message)
        epoch = p["member_epoch"]
        if not p.get("member"):
            raise invalid("MemberId can't be empty.")
        if not p.get("group"):
            raise invalid("GroupId can't be empty.")
        if p.get("instance_id") == "":
            raise invalid("InstanceId can't be empty.")
        if p.get("rack") == "":
            raise invalid("RackId can't be empty.")
        if epoch == JOIN_GROUP_MEMBER_EPOCH:
            if p.get("rebalance_timeout_ms", -1) == -1:
                raise invalid("RebalanceTimeoutMs must be provided in first request.")
            if p.get("owned") is None or p["owned"]:
                raise invalid("TopicPartitions must be empty when (re-)joining.")
            if p.get("topics") is None:
                raise invalid("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.")
        elif epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH:
            if p.get("instance_id") is None:
                raise invalid("InstanceId can't be null.")
        elif epoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH:
            raise invalid("MemberEpoch is invalid.")
        assignor = p.get("server_assignor")
        supported = list(self._cfg("group.consumer.assignors"))
        if assignor is not None and assignor not in supported:
            raise CoordinatorError(Errors.UNSUPPORTED_ASSIGNOR, f"ServerAssignor {assignor} is not supported. "
                                   f"Supported assignors: {', '.join(supported)}.")

    def _heartbeat(self, p: dict[str, Any], host: str) -> tuple[list[Record], dict[str, Any], str | None]:
        """``consumerGroupHeartbeat``: 1. update the member (bumping the group epoch if its subscription
        changed); 2. recompute the target if the group epoch moved past it; 3. reconcile the member."""
        member_id, epoch, instance_id, owned = p["member"], p["member_epoch"], p.get("instance_id"), p.get("owned")
        create = epoch == JOIN_GROUP_MEMBER_EPOCH
        if not self.exists and not create:
            raise CoordinatorError(Errors.GROUP_ID_NOT_FOUND, f"Consumer group {self.group_id} not found.")
        records: list[Record] = []
        if instance_id is None:
            member = self._dynamic_member(member_id, epoch, owned, create)
        else:
            member = self._static_member(member_id, epoch, instance_id, owned, create, records)
        topics = p.get("topics")
        timeout = p.get("rebalance_timeout_ms", -1)
        updated = replace(member, instance_id=instance_id or member.instance_id, rack_id=p.get("rack") or member.rack_id,
                          rebalance_timeout_ms=timeout if timeout != -1 else member.rebalance_timeout_ms,
                          server_assignor=p.get("server_assignor") or member.server_assignor,
                          subscribed_topic_names=frozenset(topics) if topics is not None else member.subscribed_topic_names,
                          client_id=p.get("client_id", ""), client_host=host)
        reason = None
        bump = False
        if updated.metadata() != member.metadata():
            records.append(member_metadata_record(self.group_id, updated))
            if updated.subscribed_topic_names != member.subscribed_topic_names:
                bump = True
                reason = (f"member {member_id} joined the group" if not member.subscribed_topic_names and
                          member_id not in self.members else
                          f"member {member_id} updated its subscribed topics to {sorted(updated.subscribed_topic_names)}")
        counts = self.subscribed_names_with(member, updated)
        metadata = self._subscription_metadata(counts)
        members = len(self.members) + (0 if updated.member_id in self.members or
                                       self.static_member(updated.instance_id) is not None else 1)
        subscription_type = self.subscription_type(counts, members)
        if metadata != self.subscription_metadata:
            # A subscribed topic appeared, went, or got partitions (onNewMetadataImage asks for the refresh).
            bump = True
            reason = reason or f"the metadata of the subscribed topics changed to {sorted(metadata.items())}"
            records.append(subscription_metadata_record(self.group_id, metadata))
        group_epoch = self.group_epoch + (1 if bump else 0)
        if bump:
            records.append(group_epoch_record(self.group_id, group_epoch))
        if group_epoch > self.assignment_epoch:
            assignor = preferred_assignor(self, member, updated, self._cfg("group.consumer.assignors")[0])
            try:
                target_records, target = build_target(self, group_epoch, assignor, updated, metadata, subscription_type)
            except PartitionAssignorException as exc:
                raise CoordinatorError(Errors.UNKNOWN_SERVER_ERROR, str(exc)) from exc
            records += target_records
            target_epoch = group_epoch
        else:
            target_epoch = self.assignment_epoch
            target = self.target_for(updated.member_id, updated.instance_id)
        reconciled = self._reconcile(updated, target_epoch, target, owned, records)
        self._schedule_session(member_id)
        answer: dict[str, Any] = {"error": Errors.NONE, "member": reconciled.member_id,
                                  "member_epoch": reconciled.member_epoch,
                                  "heartbeat_interval_ms": int(self._cfg("group.consumer.heartbeat.interval.ms")),
                                  "assignment": None}
        full = epoch == JOIN_GROUP_MEMBER_EPOCH or (timeout != -1 and topics is not None and owned is not None)
        if full or reconciled.assigned != member.assigned:
            answer["assignment"] = topic_partitions(reconciled.assigned)
        return records, answer, reason

    def _dynamic_member(self, member_id: str, epoch: int, owned: Any, create: bool) -> ConsumerGroupMember:
        member = self.members.get(member_id)
        if member is None:
            if not create:
                raise CoordinatorError(Errors.UNKNOWN_MEMBER_ID, f"Member {member_id} is not a member of group "
                                                                 f"{self.group_id}.")
            member = ConsumerGroupMember(member_id)
        self._check_epoch(member, epoch, owned)
        return member

    def _static_member(self, member_id: str, epoch: int, instance_id: str, owned: Any, create: bool,
                       records: list[Record]) -> ConsumerGroupMember:
        """``getOrMaybeSubscribeStaticConsumerGroupMember``: a static member that comes back under a new member
        id replaces the one that left with epoch -2; one whose predecessor did not leave is refused."""
        existing = self.static_member(instance_id)
        if create:
            if existing is None:
                return ConsumerGroupMember(member_id)
            if existing.member_epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH:
                raise CoordinatorError(Errors.UNRELEASED_INSTANCE_ID, f"Static member {member_id} with instance id "
                                       f"{instance_id} cannot join the group because the instance id is owned by "
                                       f"{existing.member_id} member.")
            new = replace(existing, member_id=member_id, member_epoch=0, previous_member_epoch=0)
            # replaceMember: the old member's timers are left to find nothing.
            records += member_tombstones(self.group_id, existing.member_id)
            records.append(member_metadata_record(self.group_id, new))
            records.append(target_assignment_record(self.group_id, member_id, self.target_assignment.get(existing.member_id, {})))
            records.append(current_assignment_record(self.group_id, new))
            return new
        if existing is None:
            raise CoordinatorError(Errors.UNKNOWN_MEMBER_ID, f"Instance id {instance_id} is unknown.")
        if existing.member_id != member_id:
            raise CoordinatorError(Errors.FENCED_INSTANCE_ID, f"Static member {member_id} with instance id "
                                   f"{instance_id} was fenced by member {existing.member_id}.")
        self._check_epoch(existing, epoch, owned)
        return existing

    def _check_epoch(self, member: ConsumerGroupMember, epoch: int, owned: Any) -> None:
        """``throwIfConsumerGroupMemberEpochIsInvalid``: the previous epoch passes if the member owns no more
        than it should (the answer that bumped it may have been lost)."""
        if epoch > member.member_epoch:
            raise CoordinatorError(Errors.FENCED_MEMBER_EPOCH, f"The consumer group member has a greater member epoch "
                                   f"({epoch}) than the one known by the group coordinator ({member.member_epoch}). "
                                   "The member must abandon all its partitions and rejoin.")
        if epoch < member.member_epoch and (epoch != member.previous_member_epoch or not _subset(owned, member.assigned)):
            raise CoordinatorError(Errors.FENCED_MEMBER_EPOCH, f"The consumer group member has a smaller member epoch "
                                   f"({epoch}) than the one known by the group coordinator ({member.member_epoch}). "
                                   "The member must abandon all its partitions and rejoin.")

    def _reconcile(self, member: ConsumerGroupMember, target_epoch: int, target: Assignment, owned: Any,
                   records: list[Record]) -> ConsumerGroupMember:
        """``maybeReconcile``: the member's next state, written if it changed; the rebalance timeout runs while
        it owes a revocation."""
        if member.is_reconciled_to(target_epoch):
            return member
        try:
            new = next_assignment(member, target_epoch, target, self.current_partition_epoch, owned)
        except FencedMemberEpoch as exc:
            raise CoordinatorError(Errors.FENCED_MEMBER_EPOCH, str(exc)) from exc
        if new != member:
            records.append(current_assignment_record(self.group_id, new))
            if new.state is MemberState.UNREVOKED_PARTITIONS:
                self._schedule_rebalance(new)
            else:
                self._cancel(self.rebalance_timers, new.member_id)
        return new

    # -- leaving and fencing ---------------------------------------------------------------------------
    def _leave(self, p: dict[str, Any]) -> tuple[list[Record], dict[str, Any], str | None]:
        """``consumerGroupLeave``: -1 removes the member; a static member's -2 keeps its partitions for it
        until its session expires."""
        member_id, epoch, instance_id = p["member"], p["member_epoch"], p.get("instance_id")
        if not self.exists:
            raise CoordinatorError(Errors.GROUP_ID_NOT_FOUND, f"Consumer group {self.group_id} not found.")
        answer = {"error": Errors.NONE, "member": member_id, "member_epoch": epoch, "heartbeat_interval_ms": 0,
                  "assignment": None}
        if instance_id is None:
            member = self.members.get(member_id)
            if member is None:
                raise CoordinatorError(Errors.UNKNOWN_MEMBER_ID, f"Member {member_id} is not a member of group "
                                                                 f"{self.group_id}.")
        else:
            member = self.static_member(instance_id)
            if member is None:
                raise CoordinatorError(Errors.UNKNOWN_MEMBER_ID, f"Instance id {instance_id} is unknown.")
            if member.member_id != member_id:
                raise CoordinatorError(Errors.FENCED_INSTANCE_ID, f"Static member {member_id} with instance id "
                                       f"{instance_id} was fenced by member {member.member_id}.")
            if epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH:
                leaving = replace(member, member_epoch=LEAVE_GROUP_STATIC_MEMBER_EPOCH, pending_revocation={})
                return [current_assignment_record(self.group_id, leaving)], answer, None
        return self._fence(member), answer, f"member {member_id} left the group"

    def _fence(self, member: ConsumerGroupMember) -> list[Record]:
        """``consumerGroupFenceMember``: the member's records tombstoned, the group epoch bumped."""
        records = member_tombstones(self.group_id, member.member_id)
        metadata = self._subscription_metadata(self.subscribed_names_with(member, None))
        if metadata != self.subscription_metadata:
            records.append(subscription_metadata_record(self.group_id, metadata))
        records.append(group_epoch_record(self.group_id, self.group_epoch + 1))
        self._cancel(self.session_timers, member.member_id)
        self._cancel(self.rebalance_timers, member.member_id)
        return records

    def _schedule_session(self, member_id: str) -> None:
        self._cancel(self.session_timers, member_id)
        timeout = float(self._cfg("group.consumer.session.timeout.ms"))
        self.session_timers[member_id] = Timer(self.sim, self.sim.now + timeout, self._session_expired, member_id)

    def _schedule_rebalance(self, member: ConsumerGroupMember) -> None:
        self._cancel(self.rebalance_timers, member.member_id)
        self.rebalance_timers[member.member_id] = Timer(self.sim, self.sim.now + member.rebalance_timeout_ms,
                                                        self._rebalance_expired, member.member_id, member.member_epoch)

    @staticmethod
    def _cancel(timers: dict[str, Timer], member_id: str) -> None:
        timer = timers.pop(member_id, None)
        if timer is not None:
            timer.cancel()

    def _session_expired(self, member_id: str) -> None:
        self.session_timers.pop(member_id, None)
        member = self.members.get(member_id)
        if self.unloaded or member is None:
            return  # replaced (a static member that came back) or already gone
        self.cluster.trace.emit(self.sim.now, "group.member_expired", group=self.group_id, member=member_id,
                                protocol="consumer", reason="session timeout",
                                session_timeout_ms=self._cfg("group.consumer.session.timeout.ms"))
        self._write(self._fence(member), f"member {member_id} fenced: the member session expired", None)

    def _rebalance_expired(self, member_id: str, epoch: int) -> None:
        self.rebalance_timers.pop(member_id, None)
        member = self.members.get(member_id)
        if self.unloaded or member is None or member.member_epoch != epoch:
            return
        reason = (f"member {member_id} fenced: it failed to transition from epoch {epoch} within "
                  f"{member.rebalance_timeout_ms}ms")
        self.cluster.trace.emit(self.sim.now, "group.member_expired", group=self.group_id, member=member_id,
                                protocol="consumer", reason="rebalance timeout",
                                rebalance_timeout_ms=member.rebalance_timeout_ms)
        self._write(self._fence(member), reason, None)

    # -- writing -------------------------------------------------------------------------------------
    def _write(self, records: list[Record], reason: str | None, done: Callable[[Errors], None] | None) -> None:
        """Replay ``records`` now, then write them; ``done(error)`` once committed (or at once on failure, the
        state going back to what the log holds, as the runtime reverts to its last committed snapshot)."""
        epoch = self.group_epoch
        for key, value in records:
            self.replay(key, value)
        if self.group_epoch > epoch:
            self.cluster.trace.emit(self.sim.now, "group.rebalancing", group=self.group_id, generation=self.group_epoch,
                                    reason=reason, protocol="consumer")
        self._maybe_stable()
        self.coordinator.append(self.group_id, records, partial(self._written, bool(records), done))

    def _written(self, wrote: bool, done: Callable[[Errors], None] | None, error: Errors) -> None:
        if error is not Errors.NONE and wrote and not self.unloaded:
            self._revert()
        if done is not None:
            done(error)

    def _maybe_stable(self) -> None:
        """``group.stable`` once every member reached the target of a new group epoch."""
        if self.state is ConsumerGroupState.STABLE and self.group_epoch != self.stable_epoch:
            self.stable_epoch = self.group_epoch
            assignor = preferred_assignor(self, None, None, self._cfg("group.consumer.assignors")[0])
            self.cluster.trace.emit(self.sim.now, "group.stable", group=self.group_id, generation=self.group_epoch,
                                    protocol="consumer", assignor=assignor, leader=None,
                                    assignment={m.member_id: _pairs(self, m.assigned) for m in self.members.values()})

    def _revert(self) -> None:
        """A write failed: the group is rebuilt from the records in the log."""
        self.unload()
        log = self.broker.replicas[self.coordinator.partition_for(self.group_id)].log
        records = [(k, v) for e in log.entries for k, v in e.kv or () if k[0] in RECORD_KINDS and k[1] == self.group_id]
        self._deleted()
        again = ConsumerGroup.load(self.coordinator, self.group_id, records)
        again.stable_epoch = self.stable_epoch

    # -- offsets and describe -----------------------------------------------------------------------------
    def validate_commit(self, member_id: str, member_epoch: int) -> Errors:
        """``ConsumerGroup.validateOffsetCommit``: a member commits with its current member epoch."""
        if member_epoch < 0 and not self.members:
            return Errors.NONE
        member = self.members.get(member_id)
        if member is None:
            return Errors.UNKNOWN_MEMBER_ID
        if member_epoch != member.member_epoch:
            return Errors.STALE_MEMBER_EPOCH
        return Errors.NONE

    def describe(self) -> dict[str, Any]:
        """``ConsumerGroupDescribe``: the group and, per member, what it owns and what it is heading for."""
        return {"group": self.group_id, "protocol_type": "consumer", "protocol": "consumer", "state": self.state.value,
                "generation": self.group_epoch, "assignment_epoch": self.assignment_epoch,
                "assignor": preferred_assignor(self, None, None, self._cfg("group.consumer.assignors")[0]),
                "members": {m.member_id: {"client_id": m.client_id, "instance_id": m.instance_id,
                                          "member_epoch": m.member_epoch, "state": m.state.name,
                                          "assignment": _pairs(self, m.assigned),
                                          "target_assignment": _pairs(self, self.target_assignment.get(m.member_id, {}))}
                            for m in self.members.values()}}


def _error_answer(error: Errors, message: str | None) -> dict[str, Any]:
    """An error answer carries no member id and epoch 0, as Kafka's error responses."""
    return {"error": error, "message": message, "member": None, "member_epoch": 0, "heartbeat_interval_ms": 0,
            "assignment": None}


def _subset(owned: Any, assigned: Assignment) -> bool:
    """``isSubset``: a member that did not say what it owns is not trusted."""
    if owned is None:
        return False
    return all(p in assigned.get(topic_id, ()) for topic_id, parts in owned for p in parts)


def _pairs(group: ConsumerGroupData, a: Assignment) -> list[list[Any]]:
    """``[[topic, partition], ...]`` by topic name, as the classic groups' trace events say them."""
    names = {tid: name for name, (tid, _) in group.subscription_metadata.items()}
    return sorted([names.get(t, t), p] for t, ps in a.items() for p in ps)


__all__ = ["ASSIGNORS", "ConsumerGroup", "CoordinatorError", "topic_partitions"]
