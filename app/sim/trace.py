"""The trace: typed events with stable dotted kinds, JSON-serialisable, and the seam to watch a run.

Not a Kafka class: it is what a lab animates. Per-record kinds (``record.sent``,
``record.acked``) can be switched off for speed; the trace records only what it
was asked to record and the simulation behaves the same either way.

``subscribe(kinds, handler)`` is how a lab or a view watches a run without touching the
simulator: the handler gets each event of those kinds as it happens (recorded or not).
Besides the trace's own kinds there are SIGNALS, never recorded, which carry the live
objects a view needs (the batch that closed, the record ids acknowledged); they are only
built when someone subscribed to them.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

#: Every kind the simulator emits. Labs key on these names; they are stable.
KINDS: tuple[str, ...] = (
    "record.sent", "record.acked", "record.failed", "record.blocked",
    "batch.created", "batch.ready", "batch.expired",
    "request.sent", "request.timeout", "request.disconnected",
    "produce.appended", "produce.error", "ack.received", "record.retried", "duplicate.rejected", "batch.recompressed",
    "replica.fetched", "hw.advanced", "isr.shrunk", "isr.expanded",
    "leader.elected", "partition.offline", "broker.down", "broker.restarting", "broker.up", "broker.fenced",
    "broker.added", "broker.shutting_down", "broker.unregistered",
    "reassignment.started", "reassignment.completed", "reassignment.cancelled",
    "topic.created", "topic.deleted", "partitions.created", "config.altered",
    "log.truncated", "segment.rolled", "log.retention", "log.cleaned", "metadata.updated",
    "network.isolated", "network.healed", "network.latency", "network.drop_responses", "response.dropped",
    "buffer.exhausted",
    "message.sent", "message.lost",
    # consumer groups: the coordinator's side, then the consumer's
    "group.rebalancing", "group.stable", "group.member_expired",
    "consumer.joining", "consumer.assigned", "consumer.revoked", "consumer.lost", "consumer.rebalance_requested",
    "consumer.reset", "consumer.coordinator_lost", "consumer.poll_timeout", "consumer.polled", "consumer.commit",
    "consumer.committed", "consumer.commit_failed", "consumer.offset_reset", "consumer.preferred_replica", "consumer.failed", "consumer.closed",
    "consumer.killed",
    "acl.denied",
    # connections with their security (app/sim/channel.py): set-up, failures, re-authentication
    "channel.connecting", "channel.ready", "channel.failed", "channel.reauthenticating", "channel.reauthenticated",
    "admin.result",
)
PER_RECORD_KINDS = frozenset({"record.sent", "record.acked", "record.failed"})
#: Every message on the network with its send and arrival times (docs/sim.md, "Messages"): what an
#: animation draws travelling. Off unless asked for (``wire=True``): a busy run sends several a millisecond.
WIRE_KINDS = frozenset({"message.sent", "message.lost"})
#: Kinds only subscribers see (``Trace.signal``), with live objects in their fields:
#: ``records.sent`` (``first``, ``count``: the record ids the application just handed to send()),
#: ``batch.closed`` (``batch``: a ProducerBatch just sealed), ``batch.drained`` (``batch``, before
#: each attempt), ``batch.acked`` (``batch``, ``base_offset``), ``records.failed`` (``records``: ids,
#: ``error``: Kafka's error or the client exception's name).
SIGNALS: tuple[str, ...] = ("records.sent", "batch.closed", "batch.drained", "batch.acked", "records.failed")

Handler = Callable[[dict[str, Any]], None]


class Trace:
    """An append-only list of events ``{"t": ms, "kind": ..., **fields}``.

    ``records=False`` leaves out the per-record kinds; ``wire=True`` adds the message kinds
    (WIRE_KINDS), which are left out otherwise; ``kinds`` keeps only the named kinds.
    """

    def __init__(self, records: bool = True, kinds: Iterable[str] | None = None, enabled: bool = True,
                 wire: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self._enabled = enabled
        self.records = records and enabled and (kinds is None or bool(PER_RECORD_KINDS & set(kinds)))
        #: Whoever emits a message kind tests this first (emit() does not filter them): most runs
        #: never record them, and building their fields costs.
        self.wire = wire and enabled and (kinds is None or bool(WIRE_KINDS & set(kinds)))
        # The kinds to keep, or None for all of them; a disabled trace keeps none, so that
        # emit() needs one test either way.
        self._kinds: frozenset[str] | None = None
        if not enabled:
            self._kinds = frozenset()
        elif kinds is not None:
            self._kinds = frozenset(kinds)

        # The last time emitted and its rounding: round(t, 3) costs about 0.3 µs, and one event
        # handler often emits several events with the same ``now`` (the very same float object).
        self._last_t: float | None = None
        self._last_t_rounded = 0.0
        #: kind -> handlers (``subscribe``); empty for most runs, and emit() then tests nothing more
        self._subs: dict[str, list[Handler]] = {}
        #: the SIGNALS someone subscribed to: an emitter tests this before building a signal's fields
        self.signals: frozenset[str] = frozenset()

    def subscribe(self, kinds: Iterable[str], handler: Handler) -> None:
        """Call ``handler(event)`` for every event of these kinds from now on, whether the trace keeps them or
        not (a per-record kind is only emitted while ``records`` is on). A handler must not change the run:
        it watches. Bound methods or callable objects, not closures, so a copy of the run (a lab's
        checkpoint, ``copy.deepcopy``) copies its watchers with it."""
        if getattr(handler, "__closure__", None):
            # A copy of the run would share the closure's cells with the original: its view would
            # go on watching the wrong run. A bound method is copied with its object.
            raise ValueError(f"subscribe takes a bound method or a callable object, not a closure ({handler!r}): "
                             "a copy of the run (a lab's checkpoint) must copy its watchers too")
        kinds = list(kinds)
        unknown = [k for k in kinds if k not in KINDS and k not in SIGNALS]
        if unknown:
            raise ValueError(f"unknown event kind {unknown[0]!r}; kinds: {', '.join(KINDS + SIGNALS)}")
        for k in kinds:
            self._subs.setdefault(k, []).append(handler)
        self.signals = frozenset(k for k in self._subs if k in SIGNALS)

    @property
    def enabled(self) -> bool:
        """Fixed at creation: emit() reads the kinds to keep, which say it too."""
        return self._enabled

    def emit(self, t: float, kind: str, **fields: Any) -> None:
        kinds = self._kinds
        if kinds is not None and kind not in kinds:
            if self._subs and kind in self._subs:
                self._notify({"t": round(t, 3), "kind": kind, **fields})
            return
        if t is not self._last_t:  # identity, not ==: the same object certainly rounds the same
            self._last_t = t
            self._last_t_rounded = round(t, 3)
        event = {"t": self._last_t_rounded, "kind": kind, **fields}
        self.events.append(event)
        if self._subs:
            handlers = self._subs.get(kind)
            if handlers:
                for handler in handlers:
                    handler(event)

    def signal(self, t: float, kind: str, **fields: Any) -> None:
        """A SIGNALS event, for subscribers only (emitters test ``kind in trace.signals`` first)."""
        self._notify({"t": round(t, 3), "kind": kind, **fields})

    def _notify(self, event: dict[str, Any]) -> None:
        for handler in self._subs.get(event["kind"], ()):
            handler(event)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e["kind"] == kind)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def to_json(self) -> str:
        return json.dumps(self.events, separators=(",", ":"), sort_keys=True)
