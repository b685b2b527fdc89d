"""A follower's replica fetchers: one fetch loop per leader it follows.

Models ``kafka.server.ReplicaFetcherManager`` with one ``ReplicaFetcherThread`` per
source broker: each loop fetches every partition this broker follows on that leader
(a long poll the leader answers when data arrives or replica.fetch.wait.max.ms
passes), appends what comes back and fetches again, and takes the leader's high
watermark and log start offset. An unanswered fetch times out after
replica.socket.timeout.ms and the loop starts again after replica.fetch.backoff.ms. A fetch
below the leader's log start offset (OFFSET_OUT_OF_RANGE) makes the follower start again
there. Leaves out fetch sessions (KIP-227) and the fetcher's own truncation
(``Broker.become_follower`` truncates before the loop starts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sim.events import Timer

if TYPE_CHECKING:
    from app.sim.broker import Broker
    from app.sim.log import LogEntry
    from app.sim.partition import TopicPartition

#: replica.socket.timeout.ms and replica.fetch.backoff.ms defaults.
REPLICA_SOCKET_TIMEOUT_MS = 30_000
REPLICA_FETCH_BACKOFF_MS = 1_000


class ReplicaFetcherManager:
    """The fetch loops of one broker, by leader.

    ``gen[leader]`` numbers the loop: (re)starting it makes answers to older fetches stale.
    ``active[leader]``: a loop is running. ``outstanding[leader]``: the number of the fetch
    sent last and not answered yet.
    """

    def __init__(self, broker: "Broker") -> None:
        self.broker = broker
        self.sim = broker.sim
        self.gen: dict[int, int] = {}
        self.active: dict[int, bool] = {}
        self.outstanding: dict[int, int] = {}
        self.timeouts: dict[int, Timer] = {}
        self._fetches_sent = 0

    def start(self, leader: int) -> None:
        """(Re)start fetching from ``leader``; an answer to an older fetch is then ignored."""
        if not self.broker.alive:
            return
        self.active[leader] = True
        self.gen[leader] = self.gen.get(leader, 0) + 1
        self._send(leader)

    def _send(self, leader: int) -> None:
        broker = self.broker
        if not broker.alive:
            return
        me = broker.broker_id
        # A broker that has become the leader itself has nothing to fetch from ``leader``.
        offsets = {} if leader == me else {p: r.log.log_end_offset for p, r in broker.replicas.items() if r.state.leader == leader}
        if not offsets:
            self.active[leader] = False
            return
        gen = self.gen[leader]
        cluster = broker.cluster
        message = ("fetch", {"replica": me, "partitions": [[tp.topic, tp.partition, o] for tp, o in offsets.items()]}
                   ) if cluster.trace.wire else None
        cluster.network.transfer(me, leader, 40 + 12 * len(offsets), cluster.brokers[leader].receive_fetch, me, offsets, gen,
                                 message=message)
        # replica.socket.timeout.ms runs per request: the answer to this fetch cancels it.
        self._fetches_sent += 1
        number = self.outstanding[leader] = self._fetches_sent
        sim = self.sim
        self.timeouts[leader] = Timer(sim, sim.now + broker.fetch_wait_ms + REPLICA_SOCKET_TIMEOUT_MS, self._timeout,
                                      leader, gen, number)

    def _timeout(self, leader: int, gen: int, number: int) -> None:
        if (self.broker.alive and self.gen.get(leader) == gen and self.active.get(leader)
                and self.outstanding.get(leader) == number):
            self.gen[leader] = gen + 1
            self.sim.after(REPLICA_FETCH_BACKOFF_MS, self._after_backoff, leader, gen + 1)

    def _after_backoff(self, leader: int, gen: int) -> None:
        # A loop (re)started during the backoff has sent its own fetch: one loop per leader.
        if self.gen.get(leader) == gen:
            self._send(leader)

    def on_response(self, leader: int, gen: int, out: dict["TopicPartition", tuple[list["LogEntry"], int, int]],
                    send_ms: float) -> None:
        """The leader's answer: append the batches that continue each log, take its high watermark and
        log start offset, fetch again."""
        broker = self.broker
        if not broker.alive or self.gen.get(leader) != gen:
            return
        self.outstanding.pop(leader, None)
        timer = self.timeouts.pop(leader, None)
        if timer is not None:
            timer.cancel()
        now = self.sim.now
        trace = broker.cluster.trace
        replicas = broker.replicas
        for tp, (entries, leader_hw, leader_start) in out.items():
            rep = replicas.get(tp)
            if rep is None or rep.state.leader != leader:
                continue
            log = rep.log
            start = log.log_end_offset
            if start < leader_start:
                # OFFSET_OUT_OF_RANGE: the leader deleted what this replica would fetch next. The
                # follower starts again at the leader's log start offset, throwing its log away
                # (AbstractFetcherThread.handleOutOfRangeError -> truncateFullyAndStartAt; Kafka asks
                # the leader's earliest offset in a ListOffsets round trip first).
                broker.log_manager.start_at_leader_start(log, leader_start, leader)
                start = log.log_end_offset
            log.append_as_follower(entries)
            end = log.log_end_offset
            if end > start:
                trace.emit(now, "replica.fetched", broker=broker.broker_id, leader=leader, partition=tp.partition,
                           from_offset=start, to_offset=end, send_ms=send_ms, receive_ms=now, topic=tp.topic)
            # UnifiedLog.updateHighWatermark: min(leader's HW, own LEO), lower than before too
            # (a new leader's HW can be behind the old one's).
            hw = min(leader_hw, end)
            if hw > log.high_watermark and broker.apis.parked:
                log.high_watermark = hw
                broker.apis.data_arrived(tp)  # a consumer reading from this follower (KIP-392)
            log.high_watermark = hw
            if leader_start > log.log_start_offset:
                # ReplicaFetcherThread.processPartitionData: the leader's log start offset, once the high
                # watermark allows it; the segments below it go at this broker's next retention check.
                log.increment_log_start_offset(leader_start)
        self._send(leader)
