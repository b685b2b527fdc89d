"""Partition state: the controller's view (replicas, leader, epoch, ISR) and each broker's replica.

``PartitionState`` models the KRaft ``PartitionRegistration``; ``Replica`` models
``kafka.cluster.Partition`` on one broker (its log, and on the leader the
followers' fetch positions, high watermark and ISR maintenance). Reassignment
(app/sim/reassignment.py) and eligible leader replicas (app/sim/elr.py) live in their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from app.sim.log import Log


class TopicPartition(NamedTuple):
    """A partition's name (Kafka's ``TopicPartition``): equal to, and hashed as, the plain tuple
    ``(topic, partition)``, so a lookup needs no new object."""

    topic: str
    partition: int

    def __str__(self) -> str:
        return f"{self.topic}-{self.partition}"


@dataclass
class PartitionState:
    """What the controller records for one partition; ``leader`` is -1 when offline."""

    topic: str
    partition: int
    replicas: list[int]
    leader: int
    leader_epoch: int
    isr: list[int]
    #: Eligible leader replicas and the last known leader (KIP-966; empty unless the cluster has ELR on)
    elr: list[int] = field(default_factory=list)
    last_known_elr: list[int] = field(default_factory=list)
    #: A reassignment in progress (KIP-455): ``replicas`` then holds the target and the replicas leaving
    adding_replicas: list[int] = field(default_factory=list)
    removing_replicas: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tp = TopicPartition(self.topic, self.partition)
        self.name = str(self.tp)


@dataclass
class Replica:
    """One broker's copy of a partition, plus the leader's bookkeeping of its followers."""

    broker: int
    state: PartitionState
    log: Log = field(default_factory=Log)
    # Leader-only, reset on every election: follower -> log end offset it last fetched from,
    # and the last time it was caught up (Replica.lastCaughtUpTimeMs).
    follower_leo: dict[int, int] = field(default_factory=dict)
    last_caught_up: dict[int, float] = field(default_factory=dict)
    last_fetch_leader_leo: dict[int, int] = field(default_factory=dict)
    last_fetch_ms: dict[int, float] = field(default_factory=dict)
    #: Leader-only: follower -> (its fetch loop's number, the high watermark and log start offset last sent
    #: to it). A partition with no new data and the same two is left out of the answer, as an incremental
    #: fetch session (KIP-227) leaves it out; the follower has nothing to learn from it.
    sent_hw: dict[int, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def is_leader(self) -> bool:
        return self.state.leader == self.broker

    def become_leader(self, now: float) -> None:
        self.log.assign_epoch(self.state.leader_epoch)
        self.follower_leo = {b: -1 for b in self.state.replicas if b != self.broker}
        # A new leader counts its ISR peers as caught up from now (Partition.makeLeader).
        self.last_caught_up = {b: now for b in self.state.replicas if b != self.broker}
        self.last_fetch_leader_leo = {}
        self.last_fetch_ms = {}

    def update_follower(self, follower: int, fetch_offset: int, now: float) -> None:
        """A follower fetched from ``fetch_offset``: it has everything below it (Replica.updateFetchState)."""
        leo = self.log.log_end_offset
        self.follower_leo[follower] = fetch_offset
        if fetch_offset >= leo:
            self.last_caught_up[follower] = now
        elif fetch_offset >= self.last_fetch_leader_leo.get(follower, leo + 1):
            self.last_caught_up[follower] = self.last_fetch_ms[follower]
        self.last_fetch_leader_leo[follower] = leo
        self.last_fetch_ms[follower] = now

    def compute_high_watermark(self) -> int:
        """HW = the smallest log end offset over the ISR (the leader's own included)."""
        hw = self.log.log_end_offset
        fl = self.follower_leo
        me = self.broker
        for b in self.state.isr:
            if b != me:
                leo = fl.get(b, -1)
                if leo < hw:
                    hw = leo
        return hw

    def lagging_followers(self, now: float, max_lag_ms: float) -> list[int]:
        """ISR members not caught up within replica.lag.time.max.ms (Partition.getOutOfSyncReplicas)."""
        out = []
        leo = self.log.log_end_offset
        for b in self.state.isr:
            # Partition.isFollowerOutOfSync: a follower at the leader's end is in sync however
            # long its fetch has been parked waiting for data.
            if b != self.broker and self.follower_leo.get(b, -1) != leo and now - self.last_caught_up.get(b, now) > max_lag_ms:
                out.append(b)
        return out

    def can_join_isr(self, follower: int) -> bool:
        """A follower rejoins once it reached the HW and the current epoch's start (Partition.isFollowerInSync)."""
        leo = self.follower_leo.get(follower, -1)
        epoch_start = self.log.epochs[-1][1] if self.log.epochs else 0
        return leo >= self.log.high_watermark and leo >= epoch_start
