"""What a lab session drives: a run that advances in virtual time, takes controls, and is drawn.

Not a Kafka class. ``LabSession`` paces a runtime in wall time, logs its controls and keeps
copies of it for seeking; it knows nothing of what is inside. ``ScenarioRuntime`` is today's
kind (one Scenario and the lab's view of it); ``LockstepRuntime`` runs the view's own
scenarios beside it and gives each fault to all of them at the same virtual time (the
safe-producer lab's four columns). A lab that is not a producer lab (a terminal, a security
lab, two clusters) brings a runtime of its own with the same methods.

Every method is deterministic: the run is rebuilt from the seed, the start settings and the
log of controls, so a copy, a seek and a shared link all give the same run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.live import memory
from app.live.flow import with_wire
from app.shell.session import TerminalSession
from app.sim import Scenario, control, faults
from app.sim.config import resolve_producer

if TYPE_CHECKING:
    from app.live.labs import Lab


class ScenarioRuntime:
    """One Scenario built from the lab's spec; ``view``: the lab's own view of it (``Lab.view``), or None."""

    def __init__(self, lab: "Lab", values: dict[str, Any], seed: int) -> None:
        self.lab = lab
        # A lab never reads its logs' bytes back: they keep sizes only (memory of a 10-minute run).
        self.sc = Scenario(with_wire(lab.build_spec(values)), seed, keep_log_bytes=False)  # messages on: the picture
        self.view = lab.view(self.sc) if lab.view is not None else None
        #: the lab's terminal (app/shell), made by its first command: part of the run, copied with it
        self._terminal: TerminalSession | None = None

    # -- time ------------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.sc.now

    @property
    def end_ms(self) -> float:
        return self.sc.end_ms

    def run_until(self, t: float) -> None:
        control.run_until(self.sc, t)

    def next_event_time(self) -> float | None:
        """When the next event happens (None: nothing left before the run's end)."""
        nxt = self.sc.sim.peek()
        return nxt if nxt is not None and nxt <= self.sc.end_ms else None

    def drain_events(self) -> list[dict[str, Any]]:
        return control.drain_events(self.sc)

    # -- controls ---------------------------------------------------------------------------------
    def check_producer_configs(self, configs: dict[str, Any]) -> None:
        """ConfigException if Kafka's ProducerConfig would refuse these configs (nothing changes)."""
        resolve_producer(configs, self.sc.spec["kafka_version"])

    def replace_producer(self, configs: dict[str, Any]) -> int:
        """A new KafkaProducer with ``configs`` (the old one closed); its producer id (-1: not idempotent)."""
        return control.replace_producer(self.sc, configs).producer_id

    def alter_topic_config(self, name: str, value: Any) -> None:
        control.alter_topic_config(self.sc, name, value)

    def inject(self, action: str, target: Any) -> None:
        control.inject_fault(self.sc, action, target)

    def refusal(self, action: str, target: Any) -> str | None:
        """Why this fault would change nothing now (and is refused rather than logged), or None."""
        return faults.refusal(self.sc, action, target)

    # -- the terminal: Kafka's tools on this run's cluster ----------------------------------------
    @property
    def terminal(self) -> TerminalSession:
        if self._terminal is None:
            keep = () if self.lab.terminal_deletes_lab_topics else (t["name"] for t in self.sc.spec["topics"])
            self._terminal = TerminalSession(self.sc, frozenset(keep))
        return self._terminal

    def command(self, line: str) -> None:
        """A line typed in the lab's terminal, run at the run's virtual time now."""
        self.terminal.line(line)

    def signal(self, name: str) -> None:
        """Ctrl-C ("interrupt") or Ctrl-D ("eof") in the lab's terminal."""
        self.terminal.signal(name)

    def terminal_view(self) -> dict[str, Any] | None:
        """What the terminal printed since the last frame, its prompt and job, the topics (for completion)."""
        t = self._terminal
        if t is None:
            return None
        return {"output": t.output.take(), **t.state(), "topics": t.topic_names(), "files": sorted(t.files)}

    def terminal_discard(self) -> None:
        """A replay ran the terminal's lines again: what they printed then was printed before."""
        if self._terminal is not None:
            self._terminal.output.take()

    # -- what a frame shows ----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return control.snapshot(self.sc)

    def ledger(self) -> dict[str, Any]:
        return control.ledger_now(self.sc)

    def metrics(self) -> dict[str, Any]:
        sc = self.sc
        elapsed = max(sc.now, 1.0)
        producer = sc.producer_metrics.summary(sc.producer, elapsed)
        broker = sc.broker_metrics.summary(sc.cluster, elapsed)
        keep = ("request-latency-avg", "records-per-request-avg", "batch-size-avg", "record-retry-total",
                "record-error-total", "request-count", "batch-count",
                "bufferpool-wait-ratio", "buffer-available-bytes", "buffer-total-bytes")
        return {**{k: producer[k] for k in keep},
                **{k: broker[k] for k in ("UnderReplicatedPartitions", "UnderMinIsrPartitionCount", "OfflinePartitionsCount")}}

    def lab_view(self, exact: bool) -> dict[str, Any] | None:
        return self.view(exact=exact) if self.view is not None else None

    def scenarios(self) -> list[Scenario]:
        """The run's scenarios: its own and those its view runs beside it (``shadows``, Lab.view)."""
        return [self.sc, *getattr(self.view, "shadows", ())]

    def records(self) -> int:
        """Records sent so far in every scenario of this runtime: what a copy of it costs in memory."""
        return sum(len(sc.ledger.state) for sc in self.scenarios())

    def memory_bytes(self) -> int:
        """What this run holds in memory, estimated (app/live/memory.py)."""
        return memory.run_bytes(self.scenarios())


class LockstepRuntime(ScenarioRuntime):
    """The lab's scenario plus the view's own (``view.shadows``), which a fault hits at the same moment."""

    def inject(self, action: str, target: Any) -> None:
        super().inject(action, target)
        for shadow in self.view.shadows:
            control.run_until(shadow, self.sc.now)
            control.inject_fault(shadow, action, target)

