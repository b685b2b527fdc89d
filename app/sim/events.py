"""The discrete-event core: virtual time in milliseconds, a heap of callbacks, a seeded rng.

Models SimPy's ``Environment`` (not a Kafka class); leaves out processes as
generators: every actor here schedules plain callbacks, which is faster and
keeps the event order explicit.
"""

from __future__ import annotations

import heapq
import random
from heapq import heappush
from typing import Any, Callable

Callback = Callable[..., Any]


class Simulation:
    """Virtual clock plus event heap; equal times run first-in-first-out.

    Heap entries are ``(time, counter, callback, args)``: the counter breaks ties
    in scheduling order, so the same seed and spec give the same run, byte for byte.
    """

    __slots__ = ("now", "rng", "_heap", "_counter", "events_run", "_cancelled")

    def __init__(self, seed: int = 0) -> None:
        self.now: float = 0.0
        self.rng = random.Random(seed)
        self._heap: list[tuple[float, int, Callback, tuple]] = []
        self._counter = 0
        self.events_run = 0
        self._cancelled = 0

    def at(self, time: float, callback: Callback, *args: Any) -> None:
        """Run ``callback(*args)`` at virtual ``time`` (never in the past)."""
        if time < self.now:
            time = self.now
        self._counter = counter = self._counter + 1
        heappush(self._heap, (time, counter, callback, args))

    def timer_cancelled(self) -> None:
        """A pending Timer was cancelled. Its entry stays in the heap until its time, and request
        timeouts are 30 s long: once cancelled entries are most of the heap, drop them all, so the
        heap (and a lab's checkpoint, which copies it) stays the size of what can still happen."""
        self._cancelled += 1
        heap = self._heap
        if self._cancelled > 1024 and 2 * self._cancelled > len(heap):
            # In place: run() holds the list. Order is unchanged: the heap order is (time, counter).
            heap[:] = [e for e in heap if not _is_cancelled(e[2])]
            heapq.heapify(heap)
            self._cancelled = 0

    def after(self, delay: float, callback: Callback, *args: Any) -> None:
        self.at(self.now + delay, callback, *args)

    def peek(self) -> float | None:
        """The time of the next event, or None when nothing is scheduled."""
        return self._heap[0][0] if self._heap else None

    def step(self) -> bool:
        """Run one event; False when the heap is empty."""
        if not self._heap:
            return False
        time, _, callback, args = heapq.heappop(self._heap)
        self.now = time
        self.events_run += 1
        callback(*args)
        return True

    def run(self, until: float | None = None) -> None:
        """Run events up to and including ``until`` (all of them when None), then set now = until."""
        heap = self._heap
        pop = heapq.heappop
        count = 0
        while heap:
            if until is not None and heap[0][0] > until:
                break
            time, _, callback, args = pop(heap)
            self.now = time
            count += 1
            callback(*args)
        self.events_run += count
        if until is not None and until > self.now:
            self.now = until


def _is_cancelled(callback: Callback) -> bool:
    timer = getattr(callback, "__self__", None)
    return type(timer) is Timer and timer.cancelled


class Timer:
    """A cancellable one-shot callback: a cancelled timer's event fires as a no-op (or is dropped
    from the heap with the others, see Simulation.timer_cancelled)."""

    __slots__ = ("callback", "args", "cancelled", "when", "sim")

    def __init__(self, sim: Simulation, when: float, callback: Callback, *args: Any) -> None:
        self.callback = callback
        self.args = args
        self.cancelled = False
        self.when = when
        self.sim = sim
        sim.at(when, self._fire)

    def _fire(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            callback, args = self.callback, self.args
            self.args = ()
            callback(*args)

    def cancel(self) -> None:
        # The heap keeps the entry until its time (or a clean-up); drop what it refers to now, so
        # a cancelled request timeout does not hold a request's batches for 30 s.
        if not self.cancelled:
            self.cancelled = True
            self.args = ()
            self.sim.timer_cancelled()
