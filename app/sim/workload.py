"""The application that calls send(): records at a steady rate over a set of keys.

Not a Kafka class: it stands for the user's code. Arrivals are bulk: record n
arrives at floor(n * 1000 / records_per_sec) ms, and one event per millisecond
tick (only ticks that have arrivals) hands all of that tick's records to the
producer, instead of one event per record.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

from app.sim.events import Simulation
from app.sim.payloads import make_payload_generator

if TYPE_CHECKING:
    from app.sim.ledger import Ledger
    from app.sim.producer.producer import KafkaProducer


class Workload:
    def __init__(self, sim: Simulation, producer: "KafkaProducer", ledger: "Ledger", spec: dict[str, Any],
                 seed: int, stop_ms: float, index: int = 0) -> None:
        self.sim = sim
        self.producer = producer
        self.ledger = ledger
        self.rate = float(spec["records_per_sec"])
        keys = spec.get("keys") or 0
        self.keys: list[bytes] | None = [f"key-{i}".encode() for i in range(keys)] if keys else None
        # A generator of its own, so that the data do not change with the producer's configs (and each
        # application of a spec with several producers sends data of its own).
        self.rng = random.Random(seed * 1_000_003 + 17 + index * 7_919)
        self.values = make_payload_generator(spec.get("value", "json"), int(spec.get("value_bytes", 100)), self.rng,
                                             spec.get("text"))
        self.limit: int | None = spec.get("records")
        self.start_ms = float(spec.get("start_ms", 0))
        self.stop_ms = min(stop_ms, float(spec.get("duration_ms", stop_ms)) + self.start_ms)
        self.sent = 0

    def start(self) -> None:
        if self.rate > 0:
            self.sim.at(self.start_ms + self._arrival(0), self._tick)

    def _arrival(self, n: int) -> float:
        return math.floor(n * 1000.0 / self.rate + 1e-9)

    def _count_until(self, t: float) -> int:
        """How many records arrive at or before relative ms ``t``."""
        return math.ceil((t + 1) * self.rate / 1000.0 - 1e-9)

    def _tick(self) -> None:
        now = self.sim.now
        if now >= self.stop_ms:
            return
        rel = now - self.start_ms
        upto = self._count_until(rel)
        if self.limit is not None:
            upto = min(upto, self.limit)
        n = upto - self.sent
        if n > 0:
            first = len(self.ledger.state)
            values = self.values.batch(n)
            keys = self.rng.choices(self.keys, k=n) if self.keys else [None] * n
            self.ledger.reserve(n, keys)
            self.sent = upto
            trace = self.producer.trace
            if "records.sent" in trace.signals:
                trace.signal(now, "records.sent", first=first, count=n)
            self.producer.send_run(first, keys, values)
        if self.limit is not None and self.sent >= self.limit:
            return
        nxt = self.start_ms + self._arrival(self.sent)
        if nxt <= now:
            nxt = now + 1
        if nxt < self.stop_ms:
            self.sim.at(nxt, self._tick)
