"""A terminal on a small simulated cluster, stepped by hand: the shell tests' fixture."""

from __future__ import annotations

from typing import Any

import pytest

from app.shell.output import Stream
from app.shell.session import TerminalSession
from app.sim import Scenario


def cluster(brokers: int = 3, version: str = "4.0", seed: int = 1, **configs: Any) -> Scenario:
    cl: dict[str, Any] = {"brokers": brokers, "log.segment.bytes": 1073741824, **configs}
    return Scenario({"kafka_version": version, "cluster": cl, "topics": [], "producers": [], "duration_ms": 1e9,
                     "settle_ms": 0, "trace": {"records": False}}, seed)


class Term:
    """A TerminalSession with helpers: ``run`` a line and get what it printed (echo left out)."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.session = TerminalSession(sc)

    def run(self, line: str, then_ms: float = 0.0) -> str:
        self.session.line(line)
        if then_ms:
            self.wait(then_ms)
        return self.take()

    def streams(self, line: str) -> dict[str, str]:
        """What one line printed, by stream."""
        self.session.line(line)
        out: dict[str, str] = {}
        for stream, text in self.session.output.take():
            out[stream] = out.get(stream, "") + text
        return out

    def wait(self, ms: float) -> None:
        self.sc.run(self.sc.now + ms)

    def take(self) -> str:
        return "".join(t for s, t in self.session.output.take() if s != Stream.ECHO.value)

    def kafka(self, tool: str, *args: str) -> str:
        return self.run(" ".join([tool, "--bootstrap-server", "localhost:9092", *args]))


@pytest.fixture
def term() -> Term:
    return Term(cluster())


@pytest.fixture
def make_term() -> Any:
    return lambda **kw: Term(cluster(**kw))
