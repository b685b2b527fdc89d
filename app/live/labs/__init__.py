"""The labs: each one a preset scenario, the settings its page may change, and the faults it may inject.

A lab is data. ``LABS`` maps the name in ``data-lab="..."`` (and in /ws/labs/{name})
to its ``Lab``; docs/labs.md says how to add one.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from app.live.protocol import ProtocolError
from app.live.runtime import ScenarioRuntime
from app.sim.faults import FAULTS


class Scope(str, Enum):
    """Where a setting lives in Kafka, which decides how a change takes effect."""

    #: A producer config: Kafka reads it once, so a change means a new KafkaProducer.
    PRODUCER = "producer"
    #: A dynamic topic config (kafka-configs --alter): in force for the next request.
    TOPIC = "topic"
    #: Fixed when the topic is created (replication.factor): a change creates the topic again and restarts the run.
    CREATION = "creation"


@dataclass(frozen=True)
class Setting:
    """One control on the page: a Kafka key, its scope, and the values the lab offers."""

    name: str
    scope: Scope
    label: str
    choices: tuple[str, ...] | None = None
    low: int | None = None
    high: int | None = None

    def check(self, value: Any) -> Any:
        """The value as the lab stores it, or a ProtocolError naming the setting and the valid values."""
        if self.choices is not None:
            text = str(value).lower() if not isinstance(value, bool) else None
            chosen = next((c for c in self.choices if c.lower() == text), None)
            if chosen is None:
                raise ProtocolError("bad_value", f"{self.name} must be one of {', '.join(self.choices)}; got {value!r}", "set_config")
            return chosen
        if isinstance(value, bool) or not isinstance(value, int) or not (self.low <= value <= self.high):  # type: ignore[operator]
            raise ProtocolError("bad_value", f"{self.name} must be an integer from {self.low} to {self.high}; got {value!r}",
                                "set_config")
        return value

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "scope": self.scope.value, "label": self.label, "choices": self.choices,
                "low": self.low, "high": self.high}


#: Values quoted in an error message are cut to this many characters.
QUOTED_CHARS = 80


def quoted(value: Any) -> str:
    """``value`` as JSON (Infinity, [1], "x"), cut short: messages quote what arrived, which may be long."""
    text = json.dumps(value, default=repr)
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def text_problem(name: str, value: Any, max_bytes: int) -> str | None:
    """What is wrong with ``value`` as pasted text (a string, not blank, Unicode, at most ``max_bytes`` of
    UTF-8), or None. Shared by the compression lab's live run and its codec comparison."""
    if not isinstance(value, str):
        return f"{name} must be a string of text; got {quoted(value)}"
    if not value.strip():
        return f"{name} must not be empty: paste some text"
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError as exc:  # a lone surrogate (\ud800) arrives as valid JSON
        return f"{name} must be Unicode text: it holds a lone surrogate ({value[exc.start]!r}) at character {exc.start}"
    if size > max_bytes:
        return f"{name} must be at most {max_bytes} bytes of UTF-8; got {size}"
    return None


@dataclass(frozen=True)
class TextSetting(Setting):
    """A setting whose value is free text (the compression lab's pasted text): non-empty, at most ``max_bytes`` of UTF-8.

    The page gives it no slider (``describe`` says ``"text": true``); the lab's own renderer sends it.
    """

    max_bytes: int = 4096

    def check(self, value: Any) -> Any:
        problem = text_problem(self.name, value, self.max_bytes)
        if problem:
            raise ProtocolError("bad_value", problem, "set_config")
        return value

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "text": True, "max_bytes": self.max_bytes}


@dataclass(frozen=True)
class Lab:
    """A lab's server side: the spec it runs, what the learner may change, and how it starts."""

    name: str
    title: str
    base_spec: dict[str, Any]
    settings: tuple[Setting, ...]
    preset: dict[str, Any]
    seed: int = 1
    faults: tuple[str, ...] = ()
    #: Virtual ms per wall ms at the start: slow enough to follow single records.
    speed: float = 0.05
    notes: dict[str, str] = field(default_factory=dict)
    #: Optional: called with each new Scenario (before replay); returns a function giving ``frame["lab"]``,
    #: the lab's own view of the run (the batching lab's accumulator, latency percentiles). It is called
    #: with ``exact=True`` when the run stands still (paused, ended) or jumped (seek, restart): a view that
    #: samples something costly now and then (a ledger) must take it now, as no later frame corrects it.
    #: A view that runs scenarios of its own lists them as ``shadows``: the session counts them in what
    #: the run holds in memory and what its copies of the run cost.
    view: Any = None
    #: What the session drives (app/live/runtime.py): one scenario, or the view's scenarios in lockstep.
    runtime: type[ScenarioRuntime] = ScenarioRuntime
    #: Whether the page shows the lab's terminal open from the start (every lab has one, behind a button).
    terminal_open: bool = False
    #: Whether its terminal may delete the lab's own topics: only a lab whose picture follows any topic.
    terminal_deletes_lab_topics: bool = False

    def __post_init__(self) -> None:
        unknown = [f for f in self.faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"lab {self.name}: unknown fault {unknown[0]!r}; faults are declared in app/sim/faults.py: "
                             f"{', '.join(FAULTS)}")

    def setting(self, name: str) -> Setting:
        for s in self.settings:
            if s.name == name:
                return s
        raise ProtocolError("bad_value", f"{self.name} lab has no setting {name!r}; it has: "
                            f"{', '.join(s.name for s in self.settings)}", "set_config")

    @property
    def broker_count(self) -> int:
        return int(self.base_spec.get("cluster", {}).get("brokers", 3))

    def check_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Preset values with ``values`` on top, each checked."""
        out = dict(self.preset)
        for name, value in values.items():
            out[name] = self.setting(name).check(value)
        self.check_start(out)
        return out

    def check_start(self, values: dict[str, Any]) -> None:
        """Checks across start settings (a ProtocolError); most labs have none."""

    def producer_configs(self, values: dict[str, Any]) -> dict[str, Any]:
        """The producer configs as a user writes them: the base spec's plus the lab's producer settings."""
        out = dict(self.base_spec.get("producer", {}))
        out.update({s.name: values[s.name] for s in self.settings if s.scope is Scope.PRODUCER and s.name in values})
        return out

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        spec = copy.deepcopy(self.base_spec)
        spec["producer"] = self.producer_configs(values)
        topic = spec.setdefault("topic", {})
        for s in self.settings:
            if s.scope is not Scope.PRODUCER and s.name in values:
                topic[s.name] = values[s.name]
        return spec

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "settings": [s.describe() for s in self.settings],
                "preset": self.preset, "seed": self.seed, "faults": list(self.faults), "brokers": self.broker_count,
                "speed": self.speed}


def _registry() -> dict[str, Lab]:
    from app.live.labs.acks import ACKS
    from app.live.labs.batching import BATCHING
    from app.live.labs.compression import COMPRESSION
    from app.live.labs.throughput import THROUGHPUT
    from app.live.labs.buffer import BUFFER
    from app.live.labs.idempotence import IDEMPOTENCE
    from app.live.labs.partitioning import PARTITIONING
    from app.live.labs.retries import RETRIES
    from app.live.labs.safe_producer import SAFE_PRODUCER
    from app.live.labs.security import SECURITY
    from app.live.labs.topic_config import TOPIC_CONFIG
    from app.live.labs.basics import BASICS
    from app.live.labs.consumers import CONSUMERS

    return {lab.name: lab for lab in (ACKS, BATCHING, COMPRESSION, THROUGHPUT, RETRIES, BUFFER, IDEMPOTENCE, PARTITIONING,
                                      SAFE_PRODUCER, TOPIC_CONFIG, SECURITY, BASICS, CONSUMERS)}


LABS: dict[str, Lab] = _registry()

__all__ = ["LABS", "Lab", "Scope", "Setting", "TextSetting"]
