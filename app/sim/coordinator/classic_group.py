"""A consumer group on the classic protocol, as its coordinator runs it.

Models ``org.apache.kafka.coordinator.group.classic.ClassicGroup`` and the classic half of
``GroupMetadataManager``: JoinGroup (MEMBER_ID_REQUIRED for a new dynamic member, KIP-394;
static members by ``group.instance.id``, KIP-345), the initial rebalance delay
(``group.initial.rebalance.delay.ms``, extended while members keep arriving), the join phase
ending once every member rejoined or the rebalance timeout (the members' longest
``max.poll.interval.ms``) passed, SyncGroup (the leader's assignment written to
``__consumer_offsets`` and handed out once committed), Heartbeat (REBALANCE_IN_PROGRESS while
preparing a rebalance), LeaveGroup, and member expiry after ``session.timeout.ms`` without a
heartbeat. Left out: group.max.size, protocol upgrades to the consumer protocol.

States: EMPTY -> PREPARING_REBALANCE -> COMPLETING_REBALANCE -> STABLE (and back to
PREPARING_REBALANCE on any change); DEAD once unloaded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any

from app.sim.errors import Errors
from app.sim.events import Timer

if TYPE_CHECKING:
    from app.sim.coordinator.group_coordinator import GroupCoordinator
    from app.sim.network_client import ClientRequest

#: GroupCoordinatorConfig.CLASSIC_GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS: a new member's JoinGroup is parked at most this long.
NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000


class GroupState(str, Enum):
    EMPTY = "Empty"
    PREPARING_REBALANCE = "PreparingRebalance"
    COMPLETING_REBALANCE = "CompletingRebalance"
    STABLE = "Stable"
    DEAD = "Dead"


@dataclass(eq=False)
class Member:
    """``ClassicGroupMember``: protocols are (assignor name, subscription) in the member's order of preference."""

    member_id: str
    instance_id: str | None
    client_id: str
    session_timeout_ms: float
    rebalance_timeout_ms: float
    protocols: list[tuple[str, dict[str, Any]]]
    assignment: list[tuple[str, int]] = field(default_factory=list)
    awaiting_join: "ClientRequest | None" = None
    awaiting_sync: "ClientRequest | None" = None
    is_new: bool = False
    heartbeat_timer: Timer | None = None

    def supports(self, name: str) -> bool:
        return any(n == name for n, _ in self.protocols)

    def metadata(self, name: str) -> dict[str, Any]:
        return next(m for n, m in self.protocols if n == name)


class ClassicGroup:
    def __init__(self, coordinator: "GroupCoordinator", group_id: str) -> None:
        self.coordinator = coordinator
        self.broker = coordinator.broker
        self.sim = coordinator.sim
        self.group_id = group_id
        self.state = GroupState.EMPTY
        self.previous_state = GroupState.EMPTY
        self.generation = 0
        self.protocol: str | None = None
        self.leader: str | None = None
        self.members: dict[str, Member] = {}
        self.pending_members: dict[str, Timer] = {}
        self.static_members: dict[str, str] = {}
        self.pending_sync: set[str] = set()
        self.new_member_added = False
        self.join_timer: Timer | None = None
        self.sync_timer: Timer | None = None
        self._member_seq = 0

    # -- persistence -------------------------------------------------------------------------------
    def stored(self) -> dict[str, Any]:
        """The GroupMetadata record's value: what a coordinator taking over needs."""
        return {"generation": self.generation, "protocol": self.protocol, "leader": self.leader,
                "members": {m.member_id: {"instance_id": m.instance_id, "client_id": m.client_id,
                                          "session_timeout_ms": m.session_timeout_ms,
                                          "rebalance_timeout_ms": m.rebalance_timeout_ms,
                                          "protocols": m.protocols, "assignment": list(m.assignment)}
                            for m in self.members.values()}}

    @classmethod
    def load(cls, coordinator: "GroupCoordinator", group_id: str, stored: dict[str, Any]) -> "ClassicGroup":
        """A group read back from the log: Stable with its members (each given a fresh session), or Empty."""
        group = cls(coordinator, group_id)
        group.generation = stored["generation"]
        group.protocol = stored["protocol"]
        group.leader = stored["leader"]
        for member_id, m in stored["members"].items():
            member = Member(member_id, m["instance_id"], m["client_id"], m["session_timeout_ms"], m["rebalance_timeout_ms"],
                            m["protocols"], list(m["assignment"]))
            group.members[member_id] = member
            if member.instance_id:
                group.static_members[member.instance_id] = member_id
            group._reschedule_heartbeat(member)
        group._transition(GroupState.STABLE if group.members else GroupState.EMPTY)
        return group

    def unload(self, crashed: bool = False) -> None:
        """The coordinator gives the group up (another broker leads its partition, or this one died)."""
        for timer in [self.join_timer, self.sync_timer, *self.pending_members.values(),
                      *(m.heartbeat_timer for m in self.members.values())]:
            if timer is not None:
                timer.cancel()
        if not crashed:
            for m in self.members.values():
                for req in (m.awaiting_join, m.awaiting_sync):
                    if req is not None:
                        self.broker.respond(req, {"error": Errors.NOT_COORDINATOR})
        self.state = GroupState.DEAD

    # -- small helpers -------------------------------------------------------------------------------
    def _transition(self, state: GroupState) -> None:
        self.previous_state = self.state
        self.state = state

    def _respond(self, req: "ClientRequest", answer: dict[str, Any], size: int = 20) -> None:
        self.broker.respond(req, answer, size)

    def _new_member_id(self, client_id: str, instance_id: str | None) -> str:
        """``ClassicGroup.generateMemberId``: the client id (or instance id) and a UUID; here a counter stands
        in for the random UUID, so runs stay the same."""
        self._member_seq += 1
        return f"{instance_id or client_id}-{self.group_id}-{self._member_seq:04d}"

    def _rebalance_timeout(self) -> float:
        return max((m.rebalance_timeout_ms for m in self.members.values()), default=0.0)

    def _has_all_joined(self) -> bool:
        return not self.pending_members and all(m.awaiting_join is not None for m in self.members.values())

    def _reschedule_heartbeat(self, member: Member, timeout: float | None = None) -> None:
        if member.heartbeat_timer is not None:
            member.heartbeat_timer.cancel()
        wait = member.session_timeout_ms if timeout is None else timeout
        member.heartbeat_timer = Timer(self.sim, self.sim.now + wait, self._expire, member.member_id)

    def _cfg(self, name: str) -> Any:
        return self.coordinator.cluster.broker_cfg[name]

    def _select_protocol(self) -> str:
        """``ClassicGroup.selectProtocol``: among the protocols every member supports, the one most members
        list first among those (a vote; ties to the order of the candidates)."""
        members = list(self.members.values())
        candidates = [name for name, _ in members[0].protocols if all(m.supports(name) for m in members)]
        votes = Counter(next(n for n, _ in m.protocols if n in candidates) for m in members)
        return max(candidates, key=lambda n: (votes[n], -candidates.index(n)))

    # -- JoinGroup -------------------------------------------------------------------------------------
    def join(self, req: "ClientRequest") -> None:
        p = req.payload
        low, high = self._cfg("group.min.session.timeout.ms"), self._cfg("group.max.session.timeout.ms")
        if not low <= p["session_timeout_ms"] <= high:
            self._respond(req, {"error": Errors.INVALID_SESSION_TIMEOUT, "member": p["member"]})
            return
        if self.members and not any(all(m.supports(n) for m in self.members.values()) for n, _ in p["protocols"]):
            self._respond(req, {"error": Errors.INCONSISTENT_GROUP_PROTOCOL, "member": p["member"]})
            return
        if not p["member"]:
            self._join_new(req)
        else:
            self._join_existing(req)

    def _join_new(self, req: "ClientRequest") -> None:
        p = req.payload
        member_id = self._new_member_id(p["client_id"], p.get("instance_id"))
        instance_id = p.get("instance_id")
        if instance_id:
            old = self.static_members.get(instance_id)
            if old is not None:
                self._replace_static(req, old, member_id)
                return
            self._add_member(req, member_id)
            return
        # KIP-394: a dynamic member first gets its id and joins again with it.
        self.pending_members[member_id] = Timer(self.sim, self.sim.now + p["session_timeout_ms"], self._expire, member_id)
        self._respond(req, {"error": Errors.MEMBER_ID_REQUIRED, "member": member_id})

    def _join_existing(self, req: "ClientRequest") -> None:
        p = req.payload
        member_id = p["member"]
        if member_id in self.pending_members:
            self.pending_members.pop(member_id).cancel()
            self._add_member(req, member_id)
            return
        member = self.members.get(member_id)
        error = self._validate_member(member_id, p.get("instance_id"))
        if error is not None or member is None:
            self._respond(req, {"error": error or Errors.UNKNOWN_MEMBER_ID, "member": member_id})
            return
        same = member.protocols == p["protocols"]
        if self.state is GroupState.PREPARING_REBALANCE:
            self._update_member(member, req)
            self._maybe_rebalance_or_complete(f"member {member_id} is joining the group during {self.state.value}")
        elif self.state is GroupState.COMPLETING_REBALANCE:
            if same:
                self._respond(req, self._join_answer(member))
            else:
                self._update_member(member, req)
                self._maybe_rebalance_or_complete(f"updating metadata for member {member_id}")
        elif self.state is GroupState.STABLE:
            if member_id == self.leader or not same:
                self._update_member(member, req)
                self._maybe_rebalance_or_complete(f"leader {member_id} re-joining the group" if same else
                                                  f"updating metadata for member {member_id}")
            else:
                self._respond(req, self._join_answer(member, members=False))
        else:
            self._respond(req, {"error": Errors.UNKNOWN_MEMBER_ID, "member": member_id})

    def _validate_member(self, member_id: str, instance_id: str | None) -> Errors | None:
        """``ClassicGroup.validateMember``: FENCED_INSTANCE_ID for a static member whose id was replaced."""
        if instance_id:
            current = self.static_members.get(instance_id)
            if current is not None and current != member_id:
                return Errors.FENCED_INSTANCE_ID
        return None if member_id in self.members else Errors.UNKNOWN_MEMBER_ID

    def _update_member(self, member: Member, req: "ClientRequest") -> None:
        p = req.payload
        member.protocols = p["protocols"]
        member.session_timeout_ms = p["session_timeout_ms"]
        member.rebalance_timeout_ms = p["rebalance_timeout_ms"]
        member.awaiting_join = req

    def _add_member(self, req: "ClientRequest", member_id: str) -> None:
        p = req.payload
        member = Member(member_id, p.get("instance_id"), p["client_id"], p["session_timeout_ms"], p["rebalance_timeout_ms"],
                        p["protocols"], awaiting_join=req, is_new=True)
        if self.state is GroupState.PREPARING_REBALANCE and self.previous_state is GroupState.EMPTY:
            self.new_member_added = True
        self.members[member_id] = member
        if member.instance_id:
            self.static_members[member.instance_id] = member_id
        if self.leader is None:
            self.leader = member_id
        # A new member's JoinGroup is parked at most this long (it has no heartbeat yet).
        self._reschedule_heartbeat(member, NEW_MEMBER_JOIN_TIMEOUT_MS)
        self._maybe_rebalance_or_complete(f"adding new member {member_id}")

    def _replace_static(self, req: "ClientRequest", old_id: str, new_id: str) -> None:
        """A known static member rejoins with an unknown member id (a restart): it takes its old place."""
        member = self.members.pop(old_id)
        if member.heartbeat_timer is not None:
            member.heartbeat_timer.cancel()
        for old_req in (member.awaiting_join, member.awaiting_sync):
            if old_req is not None:
                self._respond(old_req, {"error": Errors.FENCED_INSTANCE_ID, "member": old_id})
        member.member_id = new_id
        member.awaiting_sync = None
        self.members[new_id] = member
        self.static_members[member.instance_id] = new_id  # type: ignore[index]
        if self.leader == old_id:
            self.leader = new_id
        self.pending_sync.discard(old_id)
        self._reschedule_heartbeat(member)
        protocols_before = member.protocols
        self._update_member(member, req)
        if self.state is GroupState.STABLE and self.protocol == self._select_protocol() and protocols_before == member.protocols:
            # KIP-345: same protocol, no rebalance: the member gets its generation and syncs for its old assignment.
            self._respond(req, self._join_answer(member, members=member.member_id == self.leader))
            member.awaiting_join = None
            self.coordinator.append(self.group_id, [(("group", self.group_id), self.stored())], _stored)
        elif self.state is GroupState.COMPLETING_REBALANCE:
            self._prepare_rebalance(f"updating metadata for static member {new_id}")
        else:
            self._maybe_complete_join()

    # -- the join phase ------------------------------------------------------------------------------
    def _can_rebalance(self) -> bool:
        return self.state in (GroupState.STABLE, GroupState.COMPLETING_REBALANCE, GroupState.EMPTY)

    def _maybe_rebalance_or_complete(self, reason: str) -> None:
        if self._can_rebalance():
            self._prepare_rebalance(reason)
        else:
            self._maybe_complete_join()

    def _prepare_rebalance(self, reason: str) -> None:
        if self.state is GroupState.COMPLETING_REBALANCE:
            for m in self.members.values():  # members waiting for their assignment rejoin instead
                if m.awaiting_sync is not None:
                    self._respond(m.awaiting_sync, {"error": Errors.REBALANCE_IN_PROGRESS})
                    m.awaiting_sync = None
        if self.sync_timer is not None:
            self.sync_timer.cancel()
            self.sync_timer = None
        initial = self.state is GroupState.EMPTY
        self._transition(GroupState.PREPARING_REBALANCE)
        self.coordinator.cluster.trace.emit(self.sim.now, "group.rebalancing", group=self.group_id, generation=self.generation,
                                           reason=reason, protocol="classic")
        if initial:
            delay = float(self._cfg("group.initial.rebalance.delay.ms"))
            remaining = max(self._rebalance_timeout() - delay, 0.0)
            self._schedule_join(delay, self._initial_delay_over, delay, remaining)
        elif self._has_all_joined():
            self._complete_join()
        else:
            self._schedule_join(self._rebalance_timeout(), self._complete_join)

    def _schedule_join(self, delay: float, callback: Any, *args: Any) -> None:
        if self.join_timer is not None:
            self.join_timer.cancel()
        self.join_timer = Timer(self.sim, self.sim.now + delay, callback, *args)

    def _initial_delay_over(self, delay: float, remaining: float) -> None:
        """``tryCompleteInitialRebalanceElseSchedule``: a member joined meanwhile, so wait again (within the rebalance timeout)."""
        if self.new_member_added and remaining > 0:
            self.new_member_added = False
            wait = min(float(self._cfg("group.initial.rebalance.delay.ms")), remaining)
            self._schedule_join(wait, self._initial_delay_over, wait, max(remaining - delay, 0.0))
        else:
            self._complete_join()

    def _maybe_complete_join(self) -> None:
        if (self.state is GroupState.PREPARING_REBALANCE and self.previous_state is not GroupState.EMPTY
                and self._has_all_joined()):
            self._complete_join()

    def _complete_join(self) -> None:
        """``completeClassicGroupJoin``: dynamic members that did not rejoin are dropped; a new generation starts."""
        if self.join_timer is not None:
            self.join_timer.cancel()
            self.join_timer = None
        if self.state is GroupState.DEAD:
            return
        for m in [m for m in self.members.values() if m.awaiting_join is None and not m.instance_id]:
            self._remove(m)
        joined = [m for m in self.members.values() if m.awaiting_join is not None]
        if self.members and not joined:
            self._schedule_join(self._rebalance_timeout(), self._complete_join)
            return
        if self.leader not in self.members or self.members[self.leader].awaiting_join is None:
            self.leader = joined[0].member_id if joined else None
        self.generation += 1
        if not self.members:
            self.protocol = None
            self._transition(GroupState.EMPTY)
            self.coordinator.append(self.group_id, [(("group", self.group_id), self.stored())], _stored)
            return
        self.protocol = self._select_protocol()
        self._transition(GroupState.COMPLETING_REBALANCE)
        for m in self.members.values():
            if m.awaiting_join is not None:
                self._respond(m.awaiting_join, self._join_answer(m, members=m.member_id == self.leader),
                              40 * len(self.members) if m.member_id == self.leader else 40)
                m.awaiting_join = None
            self._reschedule_heartbeat(m)
            m.is_new = False
            self.pending_sync.add(m.member_id)
        if self.sync_timer is not None:
            self.sync_timer.cancel()
        self.sync_timer = Timer(self.sim, self.sim.now + self._rebalance_timeout(), self._sync_expired, self.generation)

    def _join_answer(self, member: Member, members: bool = True) -> dict[str, Any]:
        answer: dict[str, Any] = {"error": Errors.NONE, "member": member.member_id, "generation": self.generation,
                                  "protocol": self.protocol, "leader": self.leader}
        if members and member.member_id == self.leader:
            answer["members"] = {m.member_id: {"instance_id": m.instance_id, **m.metadata(self.protocol)}  # type: ignore[arg-type]
                                 for m in self.members.values()}
        return answer

    # -- SyncGroup -------------------------------------------------------------------------------------
    def sync(self, req: "ClientRequest") -> None:
        p = req.payload
        member_id = p["member"]
        error = self._validate_member(member_id, p.get("instance_id"))
        if error is None and p["generation"] != self.generation:
            error = Errors.ILLEGAL_GENERATION
        if error is not None:
            self._respond(req, {"error": error})
            return
        member = self.members[member_id]
        if self.state is GroupState.PREPARING_REBALANCE:
            self._respond(req, {"error": Errors.REBALANCE_IN_PROGRESS})
        elif self.state is GroupState.COMPLETING_REBALANCE:
            member.awaiting_sync = req
            self.pending_sync.discard(member_id)
            if member_id == self.leader:
                assignment = {m: list(p.get("assignments", {}).get(m, [])) for m in self.members}
                generation = self.generation
                self.coordinator.append(self.group_id, [(("group", self.group_id), {**self.stored(), "members": {
                    m_id: {**v, "assignment": assignment[m_id]} for m_id, v in self.stored()["members"].items()}})],
                    partial(self._assignment_stored, assignment, generation))
        elif self.state is GroupState.STABLE:
            self.pending_sync.discard(member_id)
            self._respond(req, {"error": Errors.NONE, "assignment": list(member.assignment), "protocol": self.protocol},
                          8 * len(member.assignment))

    def _assignment_stored(self, assignment: dict[str, list], generation: int, error: Errors) -> None:
        if self.state is not GroupState.COMPLETING_REBALANCE or generation != self.generation:
            return
        if error is not Errors.NONE:
            for m in self.members.values():
                if m.awaiting_sync is not None:
                    self._respond(m.awaiting_sync, {"error": Errors.COORDINATOR_NOT_AVAILABLE})
                    m.awaiting_sync = None
            self._prepare_rebalance(f"error {error.name} when storing the group's assignment")
            return
        for m_id, parts in assignment.items():
            member = self.members[m_id]
            member.assignment = parts
            if member.awaiting_sync is not None:
                self._respond(member.awaiting_sync, {"error": Errors.NONE, "assignment": list(parts), "protocol": self.protocol},
                              8 * len(parts))
                member.awaiting_sync = None
        self._transition(GroupState.STABLE)
        if self.sync_timer is not None and not self.pending_sync:
            self.sync_timer.cancel()
            self.sync_timer = None
        self.coordinator.cluster.trace.emit(self.sim.now, "group.stable", group=self.group_id, generation=self.generation,
                                           protocol="classic", assignor=self.protocol, leader=self.leader,
                                           assignment={m: [list(tp) for tp in a] for m, a in assignment.items()})

    def _sync_expired(self, generation: int) -> None:
        """``expirePendingSync``: members that never sent SyncGroup in time are removed, and the group rebalances."""
        self.sync_timer = None
        if generation != self.generation or not self.pending_sync:
            return
        for m_id in list(self.pending_sync):
            member = self.members.get(m_id)
            if member is not None:
                self._remove(member)
        self.pending_sync.clear()
        if self.state in (GroupState.STABLE, GroupState.COMPLETING_REBALANCE):
            self._prepare_rebalance("removing members who haven't sent their sync requests")

    # -- Heartbeat, LeaveGroup, expiry --------------------------------------------------------------
    def heartbeat(self, req: "ClientRequest") -> None:
        p = req.payload
        error = self._validate_member(p["member"], p.get("instance_id"))
        if error is None and p["generation"] != self.generation:
            error = Errors.ILLEGAL_GENERATION
        if error is not None:
            self._respond(req, {"error": error})
            return
        member = self.members[p["member"]]
        if self.state is GroupState.EMPTY:
            self._respond(req, {"error": Errors.UNKNOWN_MEMBER_ID})
            return
        self._reschedule_heartbeat(member)
        rebalancing = self.state is GroupState.PREPARING_REBALANCE
        self._respond(req, {"error": Errors.REBALANCE_IN_PROGRESS if rebalancing else Errors.NONE})

    def leave(self, req: "ClientRequest") -> None:
        p = req.payload
        member_id = p["member"]
        if member_id in self.pending_members:
            self.pending_members.pop(member_id).cancel()
            self._respond(req, {"error": Errors.NONE})
            return
        error = self._validate_member(member_id, p.get("instance_id"))
        if error is not None:
            self._respond(req, {"error": error})
            return
        self._remove(self.members[member_id])
        self._respond(req, {"error": Errors.NONE})
        self._after_removal(f"member {member_id} left the group (LeaveGroup)")

    def _expire(self, member_id: str) -> None:
        """No heartbeat for session.timeout.ms (or a pending member never came back): the member is removed."""
        if self.state is GroupState.DEAD:
            return
        if member_id in self.pending_members:
            del self.pending_members[member_id]
            self._maybe_complete_join()
            return
        member = self.members.get(member_id)
        if member is None or member.awaiting_join is not None and not member.is_new:
            return
        if member.awaiting_join is not None:
            self._respond(member.awaiting_join, {"error": Errors.UNKNOWN_MEMBER_ID, "member": ""})
            member.awaiting_join = None
        self._remove(member)
        self.coordinator.cluster.trace.emit(self.sim.now, "group.member_expired", group=self.group_id, member=member_id,
                                           session_timeout_ms=member.session_timeout_ms)
        self._after_removal(f"removing member {member_id} on heartbeat expiration")

    def _remove(self, member: Member) -> None:
        self.members.pop(member.member_id, None)
        if member.heartbeat_timer is not None:
            member.heartbeat_timer.cancel()
        if member.instance_id and self.static_members.get(member.instance_id) == member.member_id:
            del self.static_members[member.instance_id]
        self.pending_sync.discard(member.member_id)

    def _after_removal(self, reason: str) -> None:
        if self.state in (GroupState.STABLE, GroupState.COMPLETING_REBALANCE):
            self._maybe_rebalance_or_complete(reason)
        elif self.state is GroupState.PREPARING_REBALANCE and self._has_all_joined():
            self._complete_join()

    # -- commits ---------------------------------------------------------------------------------------
    def validate_commit(self, member_id: str, generation: int) -> Errors:
        """OffsetCommit from a member: its generation must be the group's; none while the assignment is handed out."""
        if generation < 0 and not member_id:
            return Errors.NONE if not self.members else Errors.UNKNOWN_MEMBER_ID
        if member_id not in self.members:
            return Errors.UNKNOWN_MEMBER_ID
        if generation != self.generation:
            return Errors.ILLEGAL_GENERATION
        if self.state is GroupState.COMPLETING_REBALANCE:
            return Errors.REBALANCE_IN_PROGRESS
        return Errors.NONE

    def describe(self) -> dict[str, Any]:
        return {"group": self.group_id, "protocol_type": "consumer", "protocol": "classic", "state": self.state.value,
                "generation": self.generation, "assignor": self.protocol, "leader": self.leader,
                "members": {m.member_id: {"client_id": m.client_id, "instance_id": m.instance_id,
                                          "assignment": [list(tp) for tp in m.assignment]} for m in self.members.values()}}


def _stored(error: Errors) -> None:
    """A group metadata record nobody waits for was committed (or not): nothing to answer."""
