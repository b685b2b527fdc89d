"""A broker's log maintenance: the retention check, the log cleaner thread, and what they removed.

Models ``kafka.log.LogManager``'s scheduled "kafka-log-retention" task (``cleanupLogs``: every
log.retention.check.interval.ms, first after log.initial.task.delay.ms, deleting old segments of
the logs that are not compacted) and ``LogCleaner``'s one cleaner thread (log.cleaner.threads 1):
each pass cleans the filthiest compacted log, then runs the retention of every compacted log
(``LogCleanerManager.deletableLogs``: a compact,delete topic's retention runs here, on the
cleaner's schedule, not the retention check's), and sleeps log.cleaner.backoff.ms when nothing was
cleaned. With log.cleaner.enable false nothing cleans or deletes a compacted log. Each replica's
log, leader or follower, is maintained by its own broker, on that broker's schedule.

Both tasks are periodic events tied to the broker's process: a crash ends them, a restart starts
them again (``start``). A cleaner pass that would find no compacted log does nothing, so the first
one is scheduled a backoff after start unless the broker holds a compacted log then.

``removed`` remembers, per record id, whether retention (DELETED) or the cleaner (COMPACTED) took
it out of one of this broker's logs, so that the ledger does not count those records as lost.
"""

from __future__ import annotations

from collections import deque
from itertools import repeat
from typing import TYPE_CHECKING

from app.sim import log_cleaner
from app.sim.producer.producer import EPOCH_MS
from app.sim.retention import delete_old_segments

if TYPE_CHECKING:
    from app.sim.broker import Broker
    from app.sim.log import Log, LogEntry
    from app.sim.partition import Replica
    from app.sim.segments import Segment

#: ``removed`` codes: 0 still held, or taken out by retention / by the cleaner.
DELETED, COMPACTED = 1, 2


class LogManager:
    def __init__(self, broker: "Broker") -> None:
        self.broker = broker
        self.sim = broker.sim
        cfg = broker.cfg
        self.retention_check_ms: float = cfg["log.retention.check.interval.ms"]
        self.initial_delay_ms: float = cfg["log.initial.task.delay.ms"]
        self.cleaner_enabled: bool = cfg["log.cleaner.enable"]
        self.cleaner_backoff_ms: float = cfg["log.cleaner.backoff.ms"]
        #: record id -> DELETED or COMPACTED (0: not removed here); grows on demand
        self.removed = bytearray()
        self.start()

    def attach(self, replica: "Replica") -> None:
        """A new replica on this broker: its log follows its topic's configs (the same dict the
        controller holds, so a changed config applies at once) and tells this manager of its rolls."""
        log = replica.log
        log.config = self.broker.cluster.controller.topic_configs[replica.state.topic]
        log.manager = self
        log.tp = replica.state.tp

    def start(self) -> None:
        """The broker's process (re)starts: both tasks begin, bound to this incarnation."""
        incarnation = self.broker.incarnation
        self.sim.after(self.initial_delay_ms, self._retention_task, incarnation)
        if self.cleaner_enabled:
            self.sim.after(0 if self._compacted_logs() else self.cleaner_backoff_ms, self._cleaner_task, incarnation)

    def _current(self, incarnation: int) -> bool:
        broker = self.broker
        return broker.alive and broker.incarnation == incarnation

    def now_ms(self) -> int:
        """The broker's wall clock, in the same epoch as the records' CreateTime timestamps."""
        return EPOCH_MS + int(self.sim.now)

    # -- the retention check (LogManager.cleanupLogs) -----------------------------------------
    def _retention_task(self, incarnation: int) -> None:
        if not self._current(incarnation):
            return
        now_ms = self.now_ms()
        for rep in list(self.broker.replicas.values()):
            log = rep.log
            if log.config is not None and "compact" not in log.config["cleanup.policy"]:
                self._delete_old_segments(log, now_ms)
        self.sim.after(self.retention_check_ms, self._retention_task, incarnation)

    def _delete_old_segments(self, log: "Log", now_ms: int) -> None:
        for reason, entries, segments in delete_old_segments(log, now_ms):
            self.mark(entries, DELETED)
            self._emit("log.retention", log, reason=reason, segments=segments,
                       records=sum(len(e.record_ids) for e in entries), bytes=sum(e.size for e in entries),
                       log_start_offset=log.log_start_offset)

    # -- the cleaner thread (LogCleaner.CleanerThread.doWork) --------------------------------
    def _compacted_logs(self) -> list:
        return [(tp, rep.log) for tp, rep in self.broker.replicas.items()
                if rep.log.config is not None and "compact" in rep.log.config["cleanup.policy"]]

    def _cleaner_task(self, incarnation: int) -> None:
        if not self._current(incarnation):
            return
        # Cleaned something: the thread goes on at once; nothing to clean: it sleeps the backoff.
        # Each cleaning leaves that log with no dirty bytes, so this ends.
        while self.clean_once():
            pass
        self.sim.after(self.cleaner_backoff_ms, self._cleaner_task, incarnation)

    def clean_once(self) -> bool:
        """CleanerThread.cleanFilthiestLog: clean the filthiest compacted log if one qualifies, then delete
        old segments of every compacted log. True if a log was cleaned."""
        logs = self._compacted_logs()
        now_ms = self.now_ms()
        ltc = log_cleaner.grab_filthiest(logs, now_ms)
        if ltc is not None:
            log = ltc.log
            ratio = ltc.cleanable_ratio
            start = ltc.first_dirty
            end, stats = log_cleaner.clean(ltc, now_ms)
            self.mark_ids(stats.removed_ids, COMPACTED)
            self._emit("log.cleaned", log, first_dirty_offset=start, end_offset=end, dirty_ratio=round(ratio, 4),
                       records=stats.records_read, removed=stats.records_removed,
                       tombstones_kept=stats.tombstones_kept, tombstones_removed=stats.tombstones_removed,
                       bytes_before=stats.bytes_before, bytes_after=stats.bytes_after)
        for _, log in logs:
            self._delete_old_segments(log, now_ms)
        return ltc is not None

    def start_at_leader_start(self, log: "Log", offset: int, leader: int) -> None:
        """A follower fell below its leader's log start offset: its log goes, it starts again there."""
        before = log.log_end_offset
        dropped = log.truncate_fully_and_start_at(offset)
        state = self.broker.replicas[log.tp].state
        self.broker.cluster.trace.emit(self.sim.now, "log.truncated", broker=self.broker.broker_id,
                                       partition=log.tp.partition, from_offset=before, to_offset=offset,
                                       records=sum(len(e.record_ids) for e in dropped), leader=leader,
                                       epoch=state.leader_epoch, topic=log.tp.topic, reason="offset out of range")

    # -- bookkeeping --------------------------------------------------------------------------
    def on_rolled(self, log: "Log", segment: "Segment", reason: str) -> None:
        self._emit("segment.rolled", log, base_offset=segment.base_offset, reason=reason, segments=len(log.segments))

    def mark(self, entries: list["LogEntry"], reason: int) -> None:
        for e in entries:
            self.mark_ids(e.record_ids, reason)

    def mark_ids(self, rids: list[int], reason: int) -> None:
        if not rids:
            return
        removed = self.removed
        top = max(rids) + 1
        if top > len(removed):
            removed.extend(bytes(top - len(removed)))
        deque(map(removed.__setitem__, rids, repeat(reason)), maxlen=0)  # in C, one pass

    def _emit(self, kind: str, log: "Log", **fields: object) -> None:
        tp = log.tp
        self.broker.cluster.trace.emit(self.sim.now, kind, topic=tp.topic, partition=tp.partition,
                                       broker=self.broker.broker_id, **fields)
