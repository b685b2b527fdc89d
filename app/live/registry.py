"""How many lab sessions a server runs at once: each is a simulation using CPU, so there is a cap."""

from __future__ import annotations


class SessionRegistry:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    def try_open(self) -> bool:
        """Take a place; False when ``limit`` sessions are already open."""
        if self.open >= self.limit:
            return False
        self.open += 1
        return True

    def close(self) -> None:
        self.open = max(0, self.open - 1)
