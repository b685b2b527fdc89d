"""Frames waiting for a slow page: events coalesce, counters stay exact, detail is dropped and counted.

Not a Kafka class. The page acknowledges each frame it has drawn (``ack``); at most
``window`` frames are ever unacknowledged. While the page is behind, everything new
waits here as one pending frame: per-kind counts stay exact, the event list keeps
at most ``detail_cap`` events (plus every rare, important one), and ``dropped``
says how many events were left out. So the server holds one bounded frame per session,
however slow the page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.sim.trace import WIRE_KINDS

#: Rare events a page must never miss: a broker down, the ISR changing, a leader moving, a log truncated.
IMPORTANT_KINDS = frozenset({
    "broker.down", "broker.up", "broker.fenced", "isr.shrunk", "isr.expanded", "leader.elected", "partition.offline",
    "log.truncated", "network.isolated", "network.healed", "network.latency", "network.drop_responses",
    "buffer.exhausted", "batch.expired",
})


class Outbox:
    def __init__(self, detail_cap: int = 500, window: int = 2) -> None:
        self.detail_cap = detail_cap
        self.window = window
        self.seq = 0
        self.acked = 0
        self.totals: Counter[str] = Counter()
        self._clear()
        self.reset = True

    def _clear(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self.dropped = 0
        self.notices: list[dict[str, str]] = []
        self.reset = False
        self.dirty = False

    def add(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        self.dirty = True
        keep = self.events
        room = self.detail_cap - len(keep)
        for e in events:
            kind = e["kind"]
            self.counts[kind] += 1
            if kind in WIRE_KINDS:
                continue  # messages reach the page in the frame's flow section (app/live/flow.py), not here
            if room > 0 or kind in IMPORTANT_KINDS:
                keep.append(e)
                room -= 1
            else:
                self.dropped += 1
        self.totals.update(Counter(e["kind"] for e in events))

    def notice(self, kind: str, text: str) -> None:
        self.notices.append({"kind": kind, "text": text})
        self.dirty = True

    def restart(self, totals: Counter[str]) -> None:
        """The run was rebuilt (seek, restart): what was pending belongs to the old timeline."""
        notices = self.notices
        self._clear()
        self.notices = notices
        self.totals = totals
        self.reset = True
        self.dirty = True

    def ack(self, seq: int) -> None:
        if self.acked < seq <= self.seq:
            self.acked = seq

    @property
    def unacked(self) -> int:
        return self.seq - self.acked

    def can_send(self) -> bool:
        return self.dirty and self.unacked < self.window

    def take(self) -> dict[str, Any]:
        """The pending frame's event part; the pending frame starts again empty."""
        self.seq += 1
        out = {"seq": self.seq, "reset": self.reset, "events": self.events, "counts": dict(self.counts),
               "totals": dict(self.totals), "dropped": self.dropped, "notices": self.notices}
        self._clear()
        return out
