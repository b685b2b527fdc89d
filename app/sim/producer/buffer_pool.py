"""The producer's memory: buffer.memory handed out in whole batch-sized buffers.

Models ``org.apache.kafka.clients.producer.internals.BufferPool``; leaves out the
free list of reusable ByteBuffers (only the byte accounting matters here) and
multiple waiting threads (the simulated application has one sending thread).
"""

from __future__ import annotations

from typing import Callable


class BufferPool:
    """``available`` bytes of ``total_memory``; a caller that cannot allocate waits in ``waiters``."""

    def __init__(self, total_memory: int, poolable_size: int) -> None:
        self.total_memory = total_memory
        self.poolable_size = poolable_size
        self.available = total_memory
        self.waiters: list[Callable[[], None]] = []
        # Time spent blocked, for bufferpool-wait-ratio.
        self.wait_time_ms = 0.0

    def try_allocate(self, size: int) -> bool:
        """Take ``size`` bytes now if they are free and nobody waits ahead of us."""
        if size <= self.available and not self.waiters:
            self.available -= size
            return True
        return False

    def allocate_for_waiter(self, size: int) -> bool:
        if size <= self.available:
            self.available -= size
            return True
        return False

    def deallocate(self, size: int) -> None:
        """A batch completed: its buffer returns, and the first waiter is told."""
        self.available += size
        if self.waiters:
            self.waiters[0]()

    def add_waiter(self, wake: Callable[[], None]) -> None:
        self.waiters.append(wake)

    def remove_waiter(self, wake: Callable[[], None]) -> None:
        if wake in self.waiters:
            self.waiters.remove(wake)

    @property
    def queued(self) -> int:
        return len(self.waiters)
