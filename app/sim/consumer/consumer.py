"""The consumer as the application sees it: a poll loop that fetches, processes and commits.

Models ``org.apache.kafka.clients.consumer.KafkaConsumer`` (the classic implementation) and the
application around it: the application calls poll(), which takes part in the group (join,
sync, rejoin: app/sim/consumer/classic_membership.py; with group.protocol=consumer, KIP-848's
heartbeats: app/sim/consumer/consumer_membership.py), sends fetches, and returns up to
``max.poll.records``; the application processes each record for ``process_ms`` and polls again.
Positions (the next offset to read) start from the group's committed offset, or from
``auto.offset.reset`` when there is none. Commits are made as the group's ``commit`` setting
says: ``auto`` (``enable.auto.commit``: the positions of earlier polls, from inside poll(),
every ``auto.commit.interval.ms``), ``after`` (commitSync once a poll's records are processed)
or ``before`` (commitSync of the new positions before processing them).

Leaves out: pause/resume by the application, interceptors, deserializers. Manual assignment (``assign``
with a seek) is app/sim/consumer/manual.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from app.sim.access import ANONYMOUS, Identity
from app.sim.apis import EARLIEST, LATEST
from app.sim.consumer.classic_membership import ClassicMembership
from app.sim.consumer.fetcher import ConsumerRecord, Fetcher
from app.sim.consumer.metadata import ConsumerMetadata
from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.network_client import NetworkClient, Purpose
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.consumer.group_ledger import GroupLedger
    from app.sim.network_client import ClientRequest
    from app.sim.trace import Trace

#: How long the application's poll(Duration) waits for records before it returns empty and polls again.
POLL_TIMEOUT_MS = 100.0
COMMIT_MODES = ("auto", "after", "before")


class KafkaConsumer:
    """``name``: the member's name in the lab (``<group.id>-<n>``); ``client_id``: its client.id."""

    def __init__(self, cluster: "Cluster", cfg: dict[str, Any], topics: Iterable[str], name: str, trace: "Trace",
                 ledger: "GroupLedger", process_ms: float = 0.0, commit: str = "auto", host: str | None = None,
                 principal: str | None = None, assign: tuple[list[TopicPartition], int] | None = None,
                 connector: Any = None) -> None:
        """``assign``: partitions and a seek offset for a consumer without a group (app/sim/consumer/manual.py);
        ``connector``: its security configs, when the run's connections carry security (app/sim/channel.py)."""
        self.cluster = cluster
        self.sim = cluster.sim
        self.cfg = cfg
        self.trace = trace
        self.name = name
        self.group_id: str = cfg["group.id"]
        self.client_id: str = cfg.get("client.id") or cluster.next_client_id(f"consumer-{self.group_id}")
        self.node = self.client_id
        self.subscription: set[str] = set(topics)
        self.ledger = ledger
        self.ledger_keys = ledger.keys
        self.process_ms = float(process_ms)
        if commit not in COMMIT_MODES:
            raise ValueError(f"commit must be one of {', '.join(COMMIT_MODES)}; got {commit!r}")
        self.commit_mode = commit
        self.cfg_max_age_ms = 300_000.0  # metadata.max.age.ms: how long a preferred read replica is followed
        cluster.connect(self, cfg["client.rack"] or None, host)
        self.net = NetworkClient(cluster, self.client_id, cfg["request.timeout.ms"],
                                 Identity(principal or ANONYMOUS, host or "127.0.0.1"), connector)
        self.net.on_fatal = self.authentication_failed
        self.metadata = ConsumerMetadata(self)
        self.fetcher = Fetcher(self)
        self.manual = assign
        self.membership: Any = self._membership()
        self.assignment: set[TopicPartition] = set()
        self.positions: dict[TopicPartition, int] = {}
        self.committed: dict[TopicPartition, int] = {}
        #: partitions whose position is being looked up (OffsetFetch, then ListOffsets)
        self.resetting: set[TopicPartition] = set()
        self.paused: set[TopicPartition] = set()
        self.lag_seen: dict[TopicPartition, int] = {}
        self.closed = False
        self.failed: str | None = None
        self.last_poll_ms = self.sim.now
        self.next_auto_commit_ms = self.sim.now + cfg["auto.commit.interval.ms"]
        self.last_committed_positions: dict[TopicPartition, int] = {}
        self.commit_in_flight = False
        #: the records being processed: (start time, records) until done
        self.processing: tuple[float, list[ConsumerRecord]] | None = None
        self.blocked_on_commit = False
        self._poll_timer: Timer | None = None
        self.records_processed = 0
        self.metadata.request_update()
        self._schedule_poll(0.0)

    def _membership(self) -> Any:
        if self.manual is not None:
            from app.sim.consumer.manual import ManualAssignment

            return ManualAssignment(self, *self.manual)
        if self.cfg.get("group.protocol", "classic") == "consumer":
            from app.sim.consumer.consumer_membership import ConsumerMembership

            return ConsumerMembership(self)
        return ClassicMembership(self)

    # -- helpers the parts share --------------------------------------------------------------------
    def any_broker(self) -> int | None:
        """``leastLoadedNode``: a live broker this client can reach and is not backing off from."""
        net = self.cluster.network
        for b, broker in sorted(self.cluster.brokers.items()):
            if broker.alive and net.reachable(self.node, b) and self.net.ready(b):
                return b
        return None

    def fetchable(self) -> set[TopicPartition]:
        return {tp for tp in self.assignment if tp in self.positions and tp not in self.paused}

    def wake(self) -> None:
        """Something the application waits for arrived: an idle poll returns at once."""
        if self.processing is None and not self.blocked_on_commit and not self.closed:
            self._schedule_poll(0.0)

    def retry_later(self) -> None:
        if not self.closed:
            self._schedule_poll(self.cfg["retry.backoff.ms"])

    def _schedule_poll(self, delay: float) -> None:
        at = self.sim.now + delay
        if self._poll_timer is not None and not self._poll_timer.cancelled:
            if self._poll_timer.when <= at:
                return
            self._poll_timer.cancel()
        self._poll_timer = Timer(self.sim, at, self._poll)

    def on_broker_down(self, broker: int) -> None:
        self.net.on_broker_down(broker)

    def on_metadata(self) -> None:
        self.wake()

    # -- the application's loop ----------------------------------------------------------------------
    def _poll(self) -> None:
        """One ``poll()``: the group first, then commits due, positions, fetches; records go to processing."""
        self._poll_timer = None
        if self.closed or self.failed or self.processing is not None or self.blocked_on_commit:
            return
        now = self.sim.now
        self.last_poll_ms = now
        if not self.metadata.partition_counts:
            self.metadata.request_update()
            return
        if not self.membership.poll():
            self._schedule_poll(POLL_TIMEOUT_MS)
            return
        if self.commit_mode == "auto" and self.cfg["enable.auto.commit"] and now >= self.next_auto_commit_ms:
            self.next_auto_commit_ms = now + self.cfg["auto.commit.interval.ms"]
            self.commit(sync=False, reason="auto-commit")
        self._update_positions()
        records = self.fetcher.collect(self.cfg["max.poll.records"])
        self.fetcher.send_fetches()  # fetch ahead while the application processes (the classic consumer does)
        if not records:
            self._schedule_poll(POLL_TIMEOUT_MS)
            return
        if self.commit_mode == "before":
            self.commit(sync=True, reason="before processing")
        self.processing = (now, records)
        ranges: dict[tuple[str, int], list[int]] = {}
        for r in records:
            span = ranges.setdefault((r.topic, r.partition), [r.offset, r.offset])
            span[1] = r.offset
        self.trace.emit(now, "consumer.polled", client=self.client_id, group=self.group_id, member=self.name,
                        records=len(records), offsets=[[t, p, a, b] for (t, p), (a, b) in sorted(ranges.items())])
        self.sim.after(len(records) * self.process_ms, self._processed)

    def _processed(self) -> None:
        if self.processing is None or self.closed:
            return
        _, records = self.processing
        self.processing = None
        self.ledger.processed(self, records)
        self.records_processed += len(records)
        if self.commit_mode == "after":
            self.commit(sync=True, reason="after processing")
        if not self.blocked_on_commit:
            self._schedule_poll(0.0)

    # -- positions ------------------------------------------------------------------------------------
    def _update_positions(self) -> None:
        """``updateFetchPositions``: the committed offset (OffsetFetch) of each new partition, or a reset."""
        missing = sorted(tp for tp in self.assignment if tp not in self.positions and tp not in self.resetting)
        if not missing or self.membership.coordinator < 0:
            return
        self.resetting.update(missing)
        self.net.send("offset_fetch", self.membership.coordinator, {"group": self.group_id, "partitions": missing},
                      20 + 12 * len(missing), self._committed_offsets, Purpose.COORDINATOR)

    def _committed_offsets(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        asked = req.payload["partitions"]
        if answer["error"] in (Errors.TOPIC_AUTHORIZATION_FAILED, Errors.GROUP_AUTHORIZATION_FAILED):
            self.fail(answer["error"], answer.get("message"))
            return
        if answer["error"] is not Errors.NONE:
            self.resetting.difference_update(asked)
            self.retry_later()
            return
        for tp, offset in answer["offsets"].items():
            self.resetting.discard(tp)
            if tp not in self.assignment or tp in self.positions:
                continue
            if offset >= 0:
                self.positions[tp] = offset
                self.committed[tp] = offset
                self.last_committed_positions[tp] = offset
                self.ledger.start(tp, offset)
            else:
                self.reset_position(tp, out_of_range=False)
        self.wake()

    def reset_position(self, tp: TopicPartition, out_of_range: bool) -> None:
        """``auto.offset.reset``: ListOffsets earliest or latest from the partition's leader; none fails."""
        policy = self.cfg["auto.offset.reset"]
        if policy == "none":
            self.fail(Errors.OFFSET_OUT_OF_RANGE if out_of_range else None,
                      f"NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{tp}]")
            return
        self.positions.pop(tp, None)
        self.fetcher.drop([tp])
        leader = self.metadata.leader(tp)
        if leader < 0:
            self.metadata.request_update()
            return
        self.resetting.add(tp)
        self.trace.emit(self.sim.now, "consumer.offset_reset", client=self.client_id, group=self.group_id, member=self.name,
                        topic=tp.topic, partition=tp.partition, policy=policy, out_of_range=out_of_range)
        self.net.send("list_offsets", leader, {"partitions": {tp: EARLIEST if policy == "earliest" else LATEST}}, 30,
                      self._listed)

    def _listed(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        for tp in req.payload["partitions"]:
            self.resetting.discard(tp)
        if answer["error"] is not Errors.NONE:
            self.metadata.request_update()
            self.retry_later()
            return
        refused = [tp.topic for tp, part in answer["partitions"].items() if part["error"] is Errors.TOPIC_AUTHORIZATION_FAILED]
        if refused:
            self.denied(refused)
            return
        for tp, part in answer["partitions"].items():
            if tp in self.assignment and tp not in self.positions and part["error"] is Errors.NONE:
                self.positions[tp] = part["offset"]
                self.ledger.start(tp, part["offset"])
            elif part["error"] is not Errors.NONE:
                self.metadata.request_update()
        self.wake()

    # -- the assignment -------------------------------------------------------------------------------
    def assign(self, partitions: set[TopicPartition], generation: int) -> None:
        """``onPartitionsAssigned``: the new ones need a position before they are fetched."""
        added = partitions - self.assignment
        self.assignment = set(partitions)
        self.ledger.assigned(self, sorted(partitions), generation)
        if added:
            self.trace.emit(self.sim.now, "consumer.assigned", client=self.client_id, group=self.group_id, member=self.name,
                            generation=generation, partitions=[list(tp) for tp in sorted(added)],
                            assignment=[list(tp) for tp in sorted(partitions)])
        self.wake()

    def revoke(self, partitions: set[TopicPartition], lost: bool) -> None:
        """``onPartitionsRevoked`` / ``onPartitionsLost``: stop fetching them; their buffered records are dropped."""
        if not partitions:
            return
        self.assignment -= partitions
        for tp in partitions:
            self.positions.pop(tp, None)
            self.resetting.discard(tp)
        self.fetcher.drop(partitions)
        self.trace.emit(self.sim.now, "consumer.lost" if lost else "consumer.revoked", client=self.client_id,
                        group=self.group_id, member=self.name, partitions=[list(tp) for tp in sorted(partitions)])

    # -- commits -------------------------------------------------------------------------------------
    def commit(self, sync: bool, reason: str, then: Callable[[Errors], None] | None = None) -> None:
        """OffsetCommit of the positions that moved since the last commit; ``sync`` blocks the application until answered.

        ``then(error)`` runs once answered, or at once (NONE) when there is nothing to commit: the KIP-848
        membership commits this way before it reconciles, from the background thread, the application
        going on meanwhile."""
        offsets = {tp: pos for tp, pos in self.positions.items()
                   if tp in self.assignment and self.last_committed_positions.get(tp) != pos}
        coordinator = self.membership.coordinator
        if not offsets or coordinator < 0 or (not sync and self.commit_in_flight and then is None):
            if then is not None:
                then(Errors.NONE if not offsets else Errors.COORDINATOR_NOT_AVAILABLE)
            return
        member, generation = self.membership.commit_identity()
        self.commit_in_flight = True
        if sync:
            self.blocked_on_commit = True
        payload = {"group": self.group_id, "member": member, "generation": generation, "offsets": offsets}
        self.trace.emit(self.sim.now, "consumer.commit", client=self.client_id, group=self.group_id, member=self.name,
                        offsets=[[tp.topic, tp.partition, o] for tp, o in sorted(offsets.items())], sync=sync, reason=reason)
        req = self.net.send("offset_commit", coordinator, payload, 30 + 16 * len(offsets), self._committed, Purpose.COORDINATOR)
        if then is not None:
            req.extra["then"] = then

    def _committed(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.commit_in_flight = False
        error = answer["error"]
        offsets = req.payload["offsets"]
        if error in (Errors.TOPIC_AUTHORIZATION_FAILED, Errors.GROUP_AUTHORIZATION_FAILED):
            self.blocked_on_commit = False
            self.fail(error, answer.get("message"))
            return
        if error is Errors.NONE:
            self.committed.update(offsets)
            for tp, offset in offsets.items():
                self.last_committed_positions[tp] = offset
            self.ledger.on_committed(offsets)
            self.trace.emit(self.sim.now, "consumer.committed", client=self.client_id, group=self.group_id, member=self.name,
                            offsets=[[tp.topic, tp.partition, o] for tp, o in sorted(offsets.items())])
        else:
            self.trace.emit(self.sim.now, "consumer.commit_failed", client=self.client_id, group=self.group_id,
                            member=self.name, error=error.name)
            if error in (Errors.NOT_COORDINATOR, Errors.COORDINATOR_NOT_AVAILABLE, Errors.NETWORK_EXCEPTION,
                         Errors.REQUEST_TIMED_OUT):
                self.membership.coordinator = -1
        if self.blocked_on_commit:
            self.blocked_on_commit = False
            if self.processing is None:
                self._schedule_poll(0.0)
        then = req.extra.get("then")
        if then is not None:
            then(error)

    # -- ends ----------------------------------------------------------------------------------------------
    def denied(self, topics: Iterable[str]) -> None:
        """A topic the ACLs deny: poll() throws TopicAuthorizationException and the application stops."""
        self.fail(Errors.TOPIC_AUTHORIZATION_FAILED,
                  f"TopicAuthorizationException: Not authorized to access topics: [{', '.join(sorted(set(topics)))}]")

    def authentication_failed(self, channel: Any) -> None:
        """A connection failed authentication: ConsumerNetworkClient.maybeThrowAuthFailure, poll() throws it."""
        failure = channel.failure
        self.fail(failure.exception, f"{failure.exception}: {failure.message}")

    def fail(self, error: Errors | str | None, message: str | None = None) -> None:
        """A fatal error (Kafka's, or the client exception's name): the application's poll() throws and the consumer stops."""
        name = error.name if isinstance(error, Errors) else error
        self.failed = message or f"{name or 'error'}"
        self.trace.emit(self.sim.now, "consumer.failed", client=self.client_id, group=self.group_id, member=self.name,
                        error=name, message=self.failed)
        self._stop()

    def close(self) -> None:
        """``close()``: commit (auto-commit), leave the group (dynamic members), stop."""
        if self.closed:
            return
        if self.processing is not None:
            self._processed()
        if self.cfg["enable.auto.commit"] and self.commit_mode == "auto":
            self.commit(sync=False, reason="close")
        self.membership.leave("the consumer is being closed")
        self.trace.emit(self.sim.now, "consumer.closed", client=self.client_id, group=self.group_id, member=self.name)
        self._stop(graceful=True)

    def kill(self) -> None:
        """The process dies: no commit, no LeaveGroup; what it was processing is done up to this instant."""
        if self.closed:
            return
        if self.processing is not None:
            start, records = self.processing
            done = int((self.sim.now - start) // self.process_ms) if self.process_ms > 0 else len(records)
            self.ledger.processed(self, records[:done])
            self.processing = None
        self.trace.emit(self.sim.now, "consumer.killed", client=self.client_id, group=self.group_id, member=self.name)
        self._stop()

    def _stop(self, graceful: bool = False) -> None:
        self.closed = True
        self.membership.close()
        if self._poll_timer is not None:
            self._poll_timer.cancel()
        if graceful:
            # What is on its way (the LeaveGroup, a last commit) still goes; nothing comes back to a closed consumer.
            self.sim.after(self.cfg["request.timeout.ms"], self.net.close)
        else:
            self.net.close()
        self.ledger.left(self)
        self.cluster.disconnect(self)
