"""A broker's handling of client requests other than Produce: metadata, offsets, fetches, groups.

Models ``kafka.server.KafkaApis`` for Metadata, ListOffsets, Fetch from consumers (with
``DelayedFetch``'s long poll: ``fetch.min.bytes`` / ``fetch.max.wait.ms``), FindCoordinator
(which creates ``__consumer_offsets`` on first use, as ``AutoTopicCreationManager`` does) and
hands the group APIs to the broker's group coordinator (app/sim/coordinator/). Consumers read
up to the high watermark (read_uncommitted: the simulator has no transactions) and may read
from a follower the leader names (KIP-392, ``replica.selector.class``). Leaves out fetch
sessions (KIP-227), quotas and throttling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim import access
from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.partition import TopicPartition
from app.sim.topic import CONSUMER_OFFSETS

if TYPE_CHECKING:
    from app.sim.broker import Broker
    from app.sim.network_client import ClientRequest

RACK_AWARE_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector"
#: ListOffsets' special timestamps (ListOffsetsRequest.EARLIEST_TIMESTAMP / LATEST_TIMESTAMP).
EARLIEST, LATEST = -2, -1
#: Bytes a fetch response spends per partition besides its batches.
PARTITION_BYTES = 30
#: Each API's name in Kafka's ApiKeys (the authoriser's table: app/sim/security/operations.py).
ACL_APIS = {"metadata": "Metadata", "list_offsets": "ListOffsets", "fetch": "Fetch", "find_coordinator": "FindCoordinator",
            "join_group": "JoinGroup", "sync_group": "SyncGroup", "heartbeat": "Heartbeat", "leave_group": "LeaveGroup",
            "offset_commit": "OffsetCommit", "offset_fetch": "OffsetFetch",
            "consumer_group_heartbeat": "ConsumerGroupHeartbeat", "delete_topics": "DeleteTopics"}
#: The APIs the group coordinator answers (api -> its method): app/sim/coordinator/group_coordinator.py.
GROUP_APIS = {"join_group": "join", "sync_group": "sync", "heartbeat": "heartbeat", "leave_group": "leave",
              "offset_commit": "commit", "offset_fetch": "fetch_offsets",
              "consumer_group_heartbeat": "consumer_group_heartbeat"}


class DelayedFetch:
    """A consumer fetch waiting for ``fetch.min.bytes`` of data or ``fetch.max.wait.ms``."""

    __slots__ = ("req", "timer")

    def __init__(self, req: "ClientRequest") -> None:
        self.req = req
        self.timer: Timer | None = None


class KafkaApis:
    def __init__(self, broker: "Broker") -> None:
        from app.sim.coordinator.group_coordinator import GroupCoordinator

        self.broker = broker
        self.cluster = broker.cluster
        self.sim = broker.sim
        #: tp -> consumer fetches parked on it (every partition a fetch asks for)
        self.parked: dict[TopicPartition, list[DelayedFetch]] = {}
        self.coordinator = GroupCoordinator(broker)

    def crash(self) -> None:
        for waiting in self.parked.values():
            for d in waiting:
                if d.timer is not None:
                    d.timer.cancel()
        self.parked.clear()
        self.coordinator.crash()

    def handle(self, req: "ClientRequest") -> None:
        if self.cluster.authorizer is not None and not self._authorized(req):
            return
        method = GROUP_APIS.get(req.api)
        if method is not None:
            getattr(self.coordinator, method)(req)
        else:
            getattr(self, f"_{req.api}")(req)

    def _authorized(self, req: "ClientRequest") -> bool:
        """KafkaApis' checks before the work (app/sim/access.py): a call refused whole is answered here; topics
        refused one by one are left in ``req.extra["denied"]`` for the handler to answer per partition."""
        api = ACL_APIS[req.api]
        p = req.payload
        topics = sorted({tp[0] for tp in p.get("partitions", ())} | {tp[0] for tp in p.get("offsets", ())}
                        | set(p.get("topics") or ()))
        verdict = access.check(self.cluster, api, access.identity_of(req.conn, req.sender.identity), topics=topics,
                               group=p.get("group"))
        if verdict.error is not Errors.NONE:
            self.broker.respond(req, {"error": verdict.error, "message": verdict.message, "member": p.get("member", "")})
            return False
        req.extra["denied"] = verdict.denied_topics
        if verdict.denied_topics and req.api in ("offset_commit", "offset_fetch"):
            self.broker.respond(req, {"error": Errors.TOPIC_AUTHORIZATION_FAILED, "message": verdict.message})
            return False
        return True

    # -- metadata -------------------------------------------------------------------------------
    def _metadata(self, req: "ClientRequest") -> None:
        """Every partition's leader, replicas and ISR for the topics asked (all when None), as the broker's cache has them."""
        controller = self.cluster.controller
        wanted = req.payload.get("topics")
        denied = req.extra.get("denied", frozenset())
        names = [t for t in controller.topics if (wanted is None or t in wanted) and t not in denied]
        topics = {name: [(s.partition, s.leader, list(s.replicas), list(s.isr), s.leader_epoch)
                         for s in controller.topics[name].partitions] for name in names}
        missing = [t for t in (wanted or ()) if t not in controller.topics and t not in denied]
        ids = {name: controller.topics[name].topic_id for name in names}  # Metadata v10+ carries topic ids
        self.broker.respond(req, {"error": Errors.NONE, "topics": topics, "missing": missing, "denied": sorted(denied),
                                  "topic_ids": ids},
                            20 * sum(len(p) for p in topics.values()))

    # -- admin ----------------------------------------------------------------------------------------
    def _delete_topics(self, req: "ClientRequest") -> None:
        """DeleteTopics (ControllerApis.deleteTopics; a broker forwards it to the controller, whose round trip is left
        out): each topic deleted, or its error: TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION."""
        from app.sim.admin.errors import KafkaAdminError
        from app.sim.admin.topics import delete_topics

        denied = req.extra.get("denied", frozenset())
        names = list(dict.fromkeys(req.payload["topics"]))
        results: dict[str, Errors] = {name: Errors.TOPIC_AUTHORIZATION_FAILED for name in names if name in denied}
        allowed = [name for name in names if name not in denied]
        for name, future in delete_topics(self.cluster, allowed).values.items():
            try:
                future.get()
                results[name] = Errors.NONE
            except KafkaAdminError as exc:
                results[name] = exc.error
        self.broker.respond(req, {"error": Errors.NONE, "topics": results}, 8 + 24 * len(results))

    # -- offsets ------------------------------------------------------------------------------------
    def _list_offsets(self, req: "ClientRequest") -> None:
        """ListOffsets: the earliest (log start) or latest (high watermark) offset of each partition, from its leader."""
        out: dict[TopicPartition, dict[str, Any]] = {}
        denied = req.extra.get("denied", frozenset())
        for tp, timestamp in req.payload["partitions"].items():
            if tp[0] in denied:
                out[tp] = {"error": Errors.TOPIC_AUTHORIZATION_FAILED}
                continue
            rep = self.broker.replicas.get(tp)
            if rep is None or rep.state.leader != self.broker.broker_id:
                out[tp] = {"error": Errors.NOT_LEADER_OR_FOLLOWER}
                continue
            log = rep.log
            offset = getattr(log, "log_start_offset", 0) if timestamp == EARLIEST else log.high_watermark
            out[tp] = {"error": Errors.NONE, "offset": offset}
        self.broker.respond(req, {"error": Errors.NONE, "partitions": out}, 16 * len(out))

    # -- consumer fetches (ReplicaManager.fetchMessages, DelayedFetch) -------------------------------
    def _fetch(self, req: "ClientRequest") -> None:
        if not self._answer_fetch(req, may_park=True):
            d = DelayedFetch(req)
            d.timer = Timer(self.sim, self.sim.now + req.payload["max_wait_ms"], self._fetch_expired, d)
            for tp in req.payload["partitions"]:
                self.parked.setdefault(tp, []).append(d)

    def _fetch_expired(self, d: DelayedFetch) -> None:
        self._unpark(d)
        if self.broker.alive:
            self._answer_fetch(d.req, may_park=False)

    def _unpark(self, d: DelayedFetch) -> None:
        for tp in d.req.payload["partitions"]:
            waiting = self.parked.get(tp)
            if waiting is not None:
                if d in waiting:
                    waiting.remove(d)
                if not waiting:
                    del self.parked[tp]

    def data_arrived(self, tp: TopicPartition) -> None:
        """The partition's readable end moved (the high watermark here): parked fetches may have enough now."""
        waiting = self.parked.get(tp)
        if not waiting:
            return
        for d in list(waiting):
            if self._answer_fetch(d.req, may_park=True):
                if d.timer is not None:
                    d.timer.cancel()
                self._unpark(d)

    def _answer_fetch(self, req: "ClientRequest", may_park: bool) -> bool:
        """Answer the fetch now (True), or leave it parked (False) while it has less than fetch.min.bytes."""
        p = req.payload
        broker = self.broker
        me = broker.broker_id
        remaining = p["max_bytes"]
        total = 0
        out: dict[TopicPartition, dict[str, Any]] = {}
        errors = False
        denied = req.extra.get("denied", frozenset())
        for tp, offset in p["partitions"].items():
            if tp[0] in denied:
                out[tp] = {"error": Errors.TOPIC_AUTHORIZATION_FAILED}
                errors = True
                continue
            rep = broker.replicas.get(tp)
            s = rep.state if rep is not None else None
            if rep is None or s is None or (s.leader != me and not p.get("from_follower")) or s.leader < 0:
                out[tp] = {"error": Errors.NOT_LEADER_OR_FOLLOWER}
                errors = True
                continue
            log = rep.log
            start = getattr(log, "log_start_offset", 0)
            if offset < start or offset > log.log_end_offset:
                out[tp] = {"error": Errors.OFFSET_OUT_OF_RANGE, "log_start": start, "hw": log.high_watermark}
                errors = True
                continue
            preferred = self._preferred_read_replica(rep, p.get("rack")) if s.leader == me else -1
            if preferred >= 0:
                out[tp] = {"error": Errors.NONE, "preferred_read_replica": preferred, "hw": log.high_watermark,
                           "log_start": start, "entries": [], "from": offset, "to": offset}
                errors = True  # answered at once: the consumer goes to that replica
                continue
            hw = log.high_watermark
            entries = [e for e in log.read(offset, min(p["partition_max_bytes"], max(remaining, 1))) if e.last_offset < hw]
            if entries and remaining <= 0:
                entries = []
            size = sum(e.size for e in entries)
            remaining -= size
            total += size
            out[tp] = {"error": Errors.NONE, "entries": entries, "hw": hw, "log_start": start, "preferred_read_replica": -1,
                       "from": offset, "to": entries[-1].last_offset + 1 if entries else offset}
        if may_park and not errors and total < p["min_bytes"] and p["max_wait_ms"] > 0:
            return False
        broker.respond(req, {"error": Errors.NONE, "partitions": out}, total + PARTITION_BYTES * len(out))
        return True

    def _preferred_read_replica(self, rep: Any, rack: str | None) -> int:
        """RackAwareReplicaSelector (KIP-392): the leader names an in-sync replica in the consumer's rack, if any
        (ReplicaManager.findPreferredReadReplica keeps replicas that are in the ISR)."""
        if not rack or self.cluster.broker_cfg.get("replica.selector.class") != RACK_AWARE_SELECTOR:
            return -1
        s = rep.state
        brokers = self.cluster.brokers
        if brokers[s.leader].rack == rack:
            return -1
        for b in s.replicas:
            if b in s.isr and brokers[b].rack == rack and brokers[b].alive:
                return b
        return -1

    # -- groups (app/sim/coordinator/group_coordinator.py) ------------------------------------------
    def _find_coordinator(self, req: "ClientRequest") -> None:
        node, error = self.coordinator.find(req.payload["group"])
        self.broker.respond(req, {"error": error, "node": node}, 20)


def offsets_partition(group_id: str, partitions: int) -> int:
    """``GroupCoordinatorService.partitionFor``: ``Utils.abs(groupId.hashCode()) % partitions`` (Java's String.hashCode)."""
    h = _java_hash(group_id)
    signed = h - (1 << 32) if h >= 1 << 31 else h
    positive = 0 if signed == -(1 << 31) else abs(signed)  # Utils.abs
    return positive % partitions


def _java_hash(text: str) -> int:
    """Java's ``String.hashCode`` over UTF-16 code units, as an unsigned 32-bit value."""
    data = text.encode("utf-16-be", "surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


__all__ = ["CONSUMER_OFFSETS", "EARLIEST", "LATEST", "KafkaApis", "offsets_partition"]
