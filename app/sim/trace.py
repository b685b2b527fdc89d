"""The trace: typed events with stable dotted kinds, JSON-serialisable.

Not a Kafka class: it is what a lab animates. Per-record kinds (``record.sent``,
``record.acked``) can be switched off for speed; the trace records only what it
was asked to record and the simulation behaves the same either way.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

#: Every kind the simulator emits. Labs key on these names; they are stable.
KINDS: tuple[str, ...] = (
    "record.sent", "record.acked", "record.failed", "record.blocked",
    "batch.created", "batch.ready", "batch.expired",
    "request.sent", "request.timeout", "request.disconnected",
    "produce.appended", "produce.error", "ack.received", "record.retried", "duplicate.rejected",
    "replica.fetched", "hw.advanced", "isr.shrunk", "isr.expanded",
    "leader.elected", "partition.offline", "broker.down", "broker.restarting", "broker.up", "broker.fenced",
    "log.truncated", "metadata.updated",
    "network.isolated", "network.healed", "network.latency", "network.drop_responses", "response.dropped",
    "buffer.exhausted",
    "message.sent", "message.lost",
)
PER_RECORD_KINDS = frozenset({"record.sent", "record.acked", "record.failed"})
#: Every message on the network with its send and arrival times (docs/sim.md, "Messages"): what an
#: animation draws travelling. Off unless asked for (``wire=True``): a busy run sends several a millisecond.
WIRE_KINDS = frozenset({"message.sent", "message.lost"})


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

    @property
    def enabled(self) -> bool:
        """Fixed at creation: emit() reads the kinds to keep, which say it too."""
        return self._enabled

    def emit(self, t: float, kind: str, **fields: Any) -> None:
        kinds = self._kinds
        if kinds is not None and kind not in kinds:
            return
        if t is not self._last_t:  # identity, not ==: the same object certainly rounds the same
            self._last_t = t
            self._last_t_rounded = round(t, 3)
        self.events.append({"t": self._last_t_rounded, "kind": kind, **fields})

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
