"""How many lab sessions a server runs at once: each is a simulation using CPU and memory, so there is a cap."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from typing import Callable


def _malloc_trim() -> Callable[[], None]:
    """glibc's malloc_trim(0), or nothing where the C library has none (macOS, musl)."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    return (lambda: trim(0)) if trim is not None else (lambda: None)


class SessionRegistry:
    def __init__(self, limit: int, give_back: Callable[[], None] | None = None) -> None:
        self.limit = limit
        self.open = 0
        self._trim = give_back if give_back is not None else _malloc_trim()

    def try_open(self) -> bool:
        """Take a place; False when ``limit`` sessions are already open."""
        if self.open >= self.limit:
            return False
        self.open += 1
        return True

    def close(self) -> None:
        self.open = max(0, self.open - 1)
        if self.open == 0:
            self.give_back()

    def give_back(self) -> None:
        """The last session has gone: its runs' objects are freed, but the C allocator keeps the pages they were
        in for later unless told otherwise. Collect the cycles, then hand the free pages back to the OS (glibc's
        malloc_trim), so a server between classes is back near the memory it started with."""
        gc.collect()
        self._trim()
