"""The group coordinator on one broker: the groups whose ``__consumer_offsets`` partition it leads.

Models ``org.apache.kafka.coordinator.group.GroupCoordinatorService`` with its
``CoordinatorRuntime`` (one state machine per ``__consumer_offsets`` partition, records
written to that partition and answers sent once they are committed, loading a partition's
groups when this broker becomes its leader) and ``OffsetMetadataManager`` (OffsetCommit and
OffsetFetch). The classic protocol's groups are app/sim/coordinator/classic_group.py; the
KIP-848 protocol's are app/sim/coordinator/consumer_group.py.

A group lives on partition ``abs(hashCode(group.id)) % offsets.topic.num.partitions``;
``FindCoordinator`` creates ``__consumer_offsets`` on first use (``AutoTopicCreationManager``)
and answers COORDINATOR_NOT_AVAILABLE until it has a leader. Loading is instant here (Kafka
answers COORDINATOR_LOAD_IN_PROGRESS while it reads the partition); offsets expire never
(offsets.retention.ms, 7 days, is longer than any run).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from app.sim.apis import offsets_partition
from app.sim.errors import Errors
from app.sim.log import LogEntry
from app.sim.partition import TopicPartition
from app.sim.topic import CONSUMER_OFFSETS

if TYPE_CHECKING:
    from app.sim.broker import Broker
    from app.sim.network_client import ClientRequest

#: Bytes of a record batch holding coordinator records, beyond the records (the v2 header).
BATCH_OVERHEAD = 61


def record_size(key: tuple, value: Any) -> int:
    """A coordinator record's size on disk, from its key and value (the schemas' strings and numbers)."""
    def size(x: Any) -> int:
        if x is None:
            return 1
        if isinstance(x, str):
            return 2 + len(x.encode())
        if isinstance(x, (tuple, list)):
            return 4 + sum(size(v) for v in x)
        if isinstance(x, dict):
            return 4 + sum(size(k) + size(v) for k, v in x.items())
        return 8
    return 8 + size(key) + size(value)


class GroupCoordinator:
    def __init__(self, broker: "Broker") -> None:
        self.broker = broker
        self.cluster = broker.cluster
        self.sim = broker.sim
        #: offsets partition -> the groups it holds (loaded while this broker leads it)
        self.partitions: dict[TopicPartition, dict[str, Any]] = {}
        #: group id -> committed offsets {TopicPartition: offset}, for every loaded group
        self.offsets: dict[str, dict[TopicPartition, int]] = {}
        #: offsets partition -> writes waiting to be committed: (end offset, callback)
        self.waiting: dict[TopicPartition, list[tuple[int, Callable[[Errors], None]]]] = {}

    # -- where groups live --------------------------------------------------------------------------
    def num_partitions(self) -> int:
        return int(self.cluster.broker_cfg["offsets.topic.num.partitions"])

    def partition_for(self, group_id: str) -> TopicPartition:
        return TopicPartition(CONSUMER_OFFSETS, offsets_partition(group_id, self.num_partitions()))

    def find(self, group_id: str) -> tuple[int, Errors]:
        """FindCoordinator (any broker answers): the leader of the group's partition, creating the topic first."""
        controller = self.cluster.controller
        if CONSUMER_OFFSETS not in controller.topics:
            rf = int(self.cluster.broker_cfg["offsets.topic.replication.factor"])
            usable = [b for b in controller.registered_brokers() if controller.usable(b)]
            if len(usable) < rf:
                # AutoTopicCreationManager: the creation fails until enough brokers are registered.
                return -1, Errors.COORDINATOR_NOT_AVAILABLE
            controller.create_internal_topic(CONSUMER_OFFSETS, self.num_partitions(), rf)
        s = controller.partition(CONSUMER_OFFSETS, self.partition_for(group_id).partition)
        if s is None or s.leader < 0:
            return -1, Errors.COORDINATOR_NOT_AVAILABLE
        return s.leader, Errors.NONE

    def owns(self, group_id: str) -> bool:
        return self.partition_for(group_id) in self.partitions

    def group(self, group_id: str) -> Any:
        return self.partitions.get(self.partition_for(group_id), {}).get(group_id)

    # -- leadership of offsets partitions --------------------------------------------------------
    def on_elected(self, tp: TopicPartition) -> None:
        """This broker leads ``tp`` now: load its groups and offsets from the log (the new leader's copy).

        Classic groups keep their last GroupMetadata record; a KIP-848 group is rebuilt by replaying
        its records in order (ConsumerGroup.load)."""
        from app.sim.coordinator.classic_group import ClassicGroup
        from app.sim.coordinator.consumer_group import ConsumerGroup

        groups: dict[str, Any] = {}
        self.partitions[tp] = groups
        classic: dict[str, Any] = {}
        modern: dict[str, list[tuple[tuple, Any]]] = {}
        log = self.broker.replicas[tp].log
        for entry in log.entries:
            for key, value in entry.kv or ():
                kind, group_id = key[0], key[1]
                if kind == "offset":
                    tp_key = TopicPartition(key[2], key[3])
                    if value is None:
                        self.offsets.get(group_id, {}).pop(tp_key, None)
                    else:
                        self.offsets.setdefault(group_id, {})[tp_key] = value
                elif kind == "group":
                    classic[group_id] = value
                else:
                    modern.setdefault(group_id, []).append((key, value))
        for group_id, stored in classic.items():
            if stored is not None:
                groups[group_id] = ClassicGroup.load(self, group_id, stored)
        for group_id, records in modern.items():
            ConsumerGroup.load(self, group_id, records)  # registers itself in ``groups`` if it still exists

    def on_resigned(self, tp: TopicPartition) -> None:
        """Another broker leads ``tp`` now: its groups are no longer ours; waiting members hear NOT_COORDINATOR."""
        groups = self.partitions.pop(tp, {})
        for group_id, group in groups.items():
            group.unload()
            self.offsets.pop(group_id, None)
        for _, callback in self.waiting.pop(tp, []):
            callback(Errors.NOT_COORDINATOR)

    def crash(self) -> None:
        """The process died: everything in memory is gone (the log keeps the records)."""
        for groups in self.partitions.values():
            for group in groups.values():
                group.unload(crashed=True)
        self.partitions.clear()
        self.offsets.clear()
        self.waiting.clear()

    # -- writing records and waiting for them to be committed ---------------------------------------
    def append(self, group_id: str, records: list[tuple[tuple, Any]], done: Callable[[Errors], None]) -> None:
        """Write ``records`` to the group's partition as its leader; ``done(error)`` once the high watermark passes them.

        The coordinator runtime writes with acks=all and answers once committed; a write the log
        refuses (too few in-sync replicas) fails at once with that error. No records: ``done`` once
        everything written before is committed.
        """
        tp = self.partition_for(group_id)
        rep = self.broker.replicas.get(tp)
        if tp not in self.partitions or rep is None or rep.state.leader != self.broker.broker_id:
            done(Errors.NOT_COORDINATOR)
            return
        if not records:
            # A read after all: answered once the writes before it are committed (CoordinatorRuntime).
            end = rep.log.log_end_offset
            if rep.log.high_watermark >= end:
                done(Errors.NONE)
            else:
                self.waiting.setdefault(tp, []).append((end, done))
            return
        s = rep.state
        if len(s.isr) < self.cluster.min_isr(s):
            done(Errors.NOT_ENOUGH_REPLICAS)
            return
        log = rep.log
        base = log.log_end_offset
        size = BATCH_OVERHEAD + sum(record_size(k, v) for k, v in records)
        log.append(LogEntry(base, base + len(records) - 1, s.leader_epoch, None, [], append_ms=self.sim.now, size=size,
                            kv=records))
        self.waiting.setdefault(tp, []).append((base + len(records), done))
        broker = self.broker
        if broker.parked_fetches:
            broker._wake_fetches(tp)
        broker.maybe_advance_hw(tp)

    def committed_up_to(self, tp: TopicPartition, hw: int) -> None:
        waiting = self.waiting.get(tp)
        if not waiting:
            return
        ready = [cb for end, cb in waiting if end <= hw]
        if ready:
            self.waiting[tp] = [(end, cb) for end, cb in waiting if end > hw]
            for cb in ready:
                cb(Errors.NONE)

    # -- the APIs ------------------------------------------------------------------------------------
    def _loaded_group(self, req: "ClientRequest", create: bool) -> Any:
        """The group a request names if this broker coordinates it (created when ``create``), else answer the error."""
        from app.sim.coordinator.classic_group import ClassicGroup

        group_id = req.payload["group"]
        tp = self.partition_for(group_id)
        groups = self.partitions.get(tp)
        if groups is None:
            self.broker.respond(req, {"error": Errors.NOT_COORDINATOR})
            return None
        group = groups.get(group_id)
        if group is not None and not isinstance(group, ClassicGroup):
            # A KIP-848 group: Kafka 4.0 would take a classic member in (online upgrade); not modelled.
            self.broker.respond(req, {"error": Errors.INCONSISTENT_GROUP_PROTOCOL})
            return None
        if group is None and create:
            group = groups[group_id] = ClassicGroup(self, group_id)
        if group is None:
            self.broker.respond(req, {"error": Errors.UNKNOWN_MEMBER_ID})
        return group

    def join(self, req: "ClientRequest") -> None:
        group = self._loaded_group(req, create=not req.payload["member"])
        if group is not None:
            group.join(req)

    def sync(self, req: "ClientRequest") -> None:
        self._to_group(req, "sync")

    def heartbeat(self, req: "ClientRequest") -> None:
        self._to_group(req, "heartbeat")

    def leave(self, req: "ClientRequest") -> None:
        self._to_group(req, "leave")

    def _to_group(self, req: "ClientRequest", method: str) -> None:
        group = self._loaded_group(req, create=False)
        if group is not None:
            getattr(group, method)(req)

    def consumer_group_heartbeat(self, req: "ClientRequest") -> None:
        """ConsumerGroupHeartbeat (KIP-848): app/sim/coordinator/consumer_group.py. A new group exists once its
        first records are replayed; an empty classic group of that id gives way to it (a non-empty one would
        need KIP-848's online upgrade, which the simulator leaves out)."""
        from app.sim.coordinator.classic_group import ClassicGroup
        from app.sim.coordinator.consumer_group import ConsumerGroup

        group_id = req.payload["group"]
        groups = self.partitions.get(self.partition_for(group_id))
        if groups is None:
            self.broker.respond(req, {"error": Errors.NOT_COORDINATOR})
            return
        group = groups.get(group_id)
        if isinstance(group, ClassicGroup):
            if group.members or req.payload.get("member_epoch") != 0:
                self.broker.respond(req, {"error": Errors.GROUP_ID_NOT_FOUND,
                                          "message": f"Group {group_id} is not a consumer group"})
                return
            del groups[group_id]
            self.append(group_id, [(("group", group_id), None)], _ignore)
            group = None
        (group or ConsumerGroup(self, group_id)).heartbeat(req)

    def commit(self, req: "ClientRequest") -> None:
        """OffsetCommit: checked against the group's generation (or member epoch), written, answered once committed."""
        p = req.payload
        group_id = p["group"]
        tp = self.partition_for(group_id)
        groups = self.partitions.get(tp)
        if groups is None:
            self.broker.respond(req, {"error": Errors.NOT_COORDINATOR})
            return
        group = groups.get(group_id)
        error = group.validate_commit(p.get("member", ""), p.get("generation", -1)) if group is not None else (
            Errors.NONE if p.get("generation", -1) < 0 else Errors.ILLEGAL_GENERATION)
        if error is not Errors.NONE:
            self.broker.respond(req, {"error": error})
            return
        offsets: dict[TopicPartition, int] = p["offsets"]
        records = [(("offset", group_id, t.topic, t.partition), offset) for t, offset in offsets.items()]

        # A bound method with its arguments, not a closure: a copy of the run (a lab's checkpoint) copies it.
        self.append(group_id, records, partial(self._committed, req, group_id, offsets))

    def _committed(self, req: "ClientRequest", group_id: str, offsets: dict[TopicPartition, int], err: Errors) -> None:
        """An OffsetCommit's records are committed (or failed): the offsets count, and the member hears so."""
        if err is Errors.NONE:
            self.offsets.setdefault(group_id, {}).update(offsets)
        self.broker.respond(req, {"error": err, "offsets": dict(offsets)}, 8 * len(offsets))

    def fetch_offsets(self, req: "ClientRequest") -> None:
        """OffsetFetch: the committed offset of each partition asked (-1: none)."""
        group_id = req.payload["group"]
        if self.partition_for(group_id) not in self.partitions:
            self.broker.respond(req, {"error": Errors.NOT_COORDINATOR})
            return
        committed = self.offsets.get(group_id, {})
        out = {tp: committed.get(tp, -1) for tp in req.payload["partitions"]}
        self.broker.respond(req, {"error": Errors.NONE, "offsets": out}, 12 * len(out))


def _ignore(error: Errors) -> None:
    return None
