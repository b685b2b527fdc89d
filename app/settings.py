"""Brokerlab's settings: one class, read from BROKERLAB_* environment variables.

Tests build their own `Settings(content_dir=...)` and pass it to `create_app`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.paths import CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROKERLAB_", extra="ignore")

    #: Loopback by default: the course is for one person on their own machine.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Host names the server answers to besides 127.0.0.1, localhost, ::1 and ``host`` (e.g. "192.168.1.20" on a LAN).
    #: Any other Host header is refused: a DNS-rebinding page's requests carry its own name (app/web/hosts.py).
    allowed_hosts: list[str] = Field(default_factory=list)
    content_dir: Path = CONTENT_DIR
    templates_dir: Path = TEMPLATES_DIR
    static_dir: Path = STATIC_DIR

    # -- live labs (docs/protocol.md) -----------------------------------------------------------
    #: What one lab session's run may hold in memory with its copies (MiB, estimated: app/live/memory.py). A run
    #: that gets there ends at that moment and says why; the session cap follows from it (``max_sessions``).
    lab_session_memory_mb: int = Field(default=100, ge=8)
    #: Memory the server gives to lab sessions, all workers together (MiB); None: half the machine's memory.
    lab_memory_mb: int | None = Field(default=None, ge=8)
    #: Lab sessions (websockets) open at once in each worker; one more is refused with "too_many_sessions".
    #: None: as many as the memory allows (``max_sessions``).
    lab_max_sessions: int | None = Field(default=None, ge=1)
    #: Server processes sharing the port (`brokerlab serve --workers`, which sets it): they share the memory.
    workers: int = Field(default=1, ge=1)
    #: Control messages a session may send per second (acks excepted); more get "rate_limited".
    lab_messages_per_sec: float = Field(default=30.0, gt=0)
    #: Trace events a session's simulation may produce per wall second; past it the run slows down.
    lab_events_per_sec: int = Field(default=20_000, ge=1)
    #: A session with no control message (acks do not count) for this long is closed.
    lab_idle_seconds: float = Field(default=1800.0, gt=0)
    #: Frames a second a session sends at most.
    lab_frames_per_sec: float = Field(default=30.0, gt=0, le=60)
    #: The most of the server's time one tick of a session may take (ms): past it, that session's run falls behind
    #: its speed (its pace drops below 1 and the page says so) instead of delaying every other session's frames.
    lab_tick_budget_ms: float = Field(default=6.0, gt=0)
    #: Origins besides the server's own that may open a lab websocket (e.g. "https://course.example").
    lab_allowed_origins: list[str] = Field(default_factory=list)
    #: A frame the page has not taken in this long means it stopped reading: the session closes and frees its place.
    lab_send_timeout_seconds: float = Field(default=5.0, gt=0)

    def max_sessions(self) -> int:
        """Lab sessions one worker runs at once: ``lab_max_sessions``, or its share of the memory given to labs
        divided by what one session may hold (at least 1)."""
        if self.lab_max_sessions is not None:
            return self.lab_max_sessions
        pool = self.lab_memory_mb if self.lab_memory_mb is not None else physical_memory_mb() // 2
        return max(1, pool // self.workers // self.lab_session_memory_mb)


def physical_memory_mb() -> int:
    """The machine's memory (MiB), from the OS; a conservative 2 GiB where it cannot say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") >> 20
    except (ValueError, OSError, AttributeError):
        return 2048
