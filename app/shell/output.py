"""What a terminal shows: the tools' standard output and error, in the order written, and Brokerlab's notes.

Not a Kafka class. Kafka's tools write to System.out and System.err (log4j's console appender
writes to System.err as well, with the pattern ``[%d] %p %m (%c)%n`` of Kafka's
tools-log4j configuration); a terminal shows both interleaved, and so does this. Brokerlab's
own explanations (what port 2181 is, what the simulator leaves out) are a third stream,
``note``, each line marked ``[brokerlab]`` so nobody takes it for Kafka's output.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum

from app.sim.producer.producer import EPOCH_MS

#: What a note line starts with, in the browser and in ``brokerlab shell``.
NOTE_PREFIX = "[brokerlab] "
#: The most text a session keeps unread (a console consumer left running on a busy topic); older text goes.
MAX_PENDING_CHARS = 200_000


class Stream(str, Enum):
    OUT = "out"  # System.out
    ERR = "err"  # System.err (and the tools' log lines)
    NOTE = "note"  # Brokerlab explaining, never Kafka's words
    ECHO = "echo"  # the prompt and the line typed, as a terminal shows them


class Output:
    """Chunks of text in the order written, each with its stream; consecutive writes to one stream merge."""

    def __init__(self) -> None:
        self.chunks: list[list[str]] = []
        self._chars = 0
        self.dropped = 0

    def write(self, stream: Stream, text: str) -> None:
        if not text:
            return
        if self.chunks and self.chunks[-1][0] == stream.value:
            self.chunks[-1][1] += text
        else:
            self.chunks.append([stream.value, text])
        self._chars += len(text)
        while self._chars > MAX_PENDING_CHARS and len(self.chunks) > 1:
            _, old = self.chunks.pop(0)
            self._chars -= len(old)
            self.dropped += len(old)

    def take(self) -> list[list[str]]:
        """The chunks since the last take: ``[[stream, text], ...]``."""
        out = self.chunks
        if self.dropped:
            out.insert(0, [Stream.NOTE.value, f"{NOTE_PREFIX}{self.dropped} characters of output were not shown: they "
                                              "came faster than the page read them.\n"])
        self.chunks, self._chars, self.dropped = [], 0, 0
        return out

    def text(self) -> str:
        return "".join(text for _, text in self.chunks)


def log_time(now_ms: float) -> str:
    """log4j's ``%d``: ``2023-11-14 22:13:20,000`` for virtual time 0 (the producer's record timestamps start there)."""
    instant = datetime.fromtimestamp((EPOCH_MS + int(now_ms)) / 1000, tz=timezone.utc)
    return instant.strftime("%Y-%m-%d %H:%M:%S,") + f"{(EPOCH_MS + int(now_ms)) % 1000:03d}"


def log_line(now_ms: float, level: str, message: str, logger: str) -> str:
    """One line of a tool's log: ``[%d] %p %m (%c)%n``."""
    return f"[{log_time(now_ms)}] {level} {message} ({logger})\n"


def note(text: str) -> str:
    """Brokerlab's words, every line marked."""
    return "".join(f"{NOTE_PREFIX}{line}\n" for line in text.split("\n"))
