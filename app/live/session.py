"""One lab session: a Scenario paced in wall time, driven by control messages, replayable from its log.

Not a Kafka class. The simulator reads no clock; this class is told the wall time
(``wall_ms``) by its caller and advances virtual time by ``speed`` virtual ms per
wall ms. Every control that changes the run is written to the log with the virtual
time it was applied at; the seed, the start settings and that log rebuild the run
exactly, which is how seek and shared links work (docs/protocol.md, "Replay").
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any

from app.configs import ConfigException
from app.live import memory
from app.live.flow import FlowTracker
from app.live.labs import Lab, Scope, quoted
from app.live.outbox import Outbox
from app.live.protocol import PROTOCOL_VERSION, ProtocolError, parse
from app.live.runtime import ScenarioRuntime
from app.shell.commands import vocabulary as terminal_vocabulary
from app.sim import Scenario, SpecError, faults, parse_spec
from app.sim.copying import copy_paused

_log = logging.getLogger(__name__)

MIN_SPEED = 0.001
MAX_SPEED = 1.0


@dataclass(frozen=True)
class Limits:
    """Per-session limits; app.settings.Settings holds the server's values."""

    #: Trace events a session may produce per wall second; past it the run slows down (``throttled``).
    events_per_sec: int = 20_000
    #: Control messages per wall second (a token bucket that holds ``message_burst``).
    messages_per_sec: float = 30.0
    message_burst: int = 60
    #: Events one pending frame keeps in detail; more are counted and dropped.
    detail_cap: int = 500
    #: Frames sent and not yet acknowledged by the page.
    window: int = 2
    #: Controls a run's log may hold (a link carries them all).
    max_log: int = 500
    #: How often (wall ms) the ledger's audit is brought up to date while the run plays (what changed since the
    #: last time: app/sim/ledger_audit.py); four times a second is as fast as its figures can be read.
    ledger_every_ms: float = 250.0
    #: The most wall time one tick makes up for (None: all of it). When the machine is slower
    #: than the chosen speed, a tick that ran long would otherwise ask the next one to catch up
    #: on all of it, which runs longer still: the run falls behind instead (``throttled``) and
    #: stays live. The websocket sets it; tests that jump the wall clock leave it off.
    max_tick_ms: float | None = None
    #: What the run may hold in memory with its copies (bytes, estimated: app/live/memory.py); when it gets
    #: there the run ends at that moment and says why. None: no budget. The websocket sets it
    #: (Settings.lab_session_memory_mb).
    memory_bytes: int | None = None


#: A checkpoint (a deep copy of the run) every this many virtual ms at first; past
#: MAX_CHECKPOINTS every other one goes and the spacing doubles, so a seek back replays at most
#: one spacing of the run and a session keeps at most MAX_CHECKPOINTS copies.
CHECKPOINT_MS = 10_000.0
MAX_CHECKPOINTS = 16
#: A copy's size grows with the records the run has sent (its ledger's lines; the logs' batches are
#: shared between copies: app/live/memory.py). Past this share of the session's memory budget over
#: all copies, copies are thinned the same way (one copy is always kept), at the cost of longer seeks.
CHECKPOINT_SHARE = 0.25


@dataclass(frozen=True)
class _Checkpoint:
    """The run at virtual time ``now``: the runtime (its scenario and the lab's view, which watches
    it, copied together), with what replay needs to go on from there."""

    now: float
    cursor: int
    values: dict[str, Any]
    totals: Counter[str]
    run: ScenarioRuntime
    #: what the copy holds in memory, estimated from the records the copied run had sent (app/live/memory.py)
    bytes: int
    #: the messages in flight then (app/live/flow.py), so a seek back redraws them
    flow: FlowTracker


class Playback(str, Enum):
    PLAYING = "playing"
    PAUSED = "paused"
    ENDED = "ended"


def _round(t: float) -> float:
    return round(float(t), 3)


#: The longest line the terminal takes (a pasted JSON file fits; a link carries every line)
MAX_LINE_CHARS = 4096
SIGNALS = ("interrupt", "eof")


def _check_line(line: Any, ref: str) -> str:
    if not isinstance(line, str):
        raise ProtocolError("bad_value", f"a terminal line is a string; got {quoted(line)}", ref)
    if len(line) > MAX_LINE_CHARS or "\n" in line:
        raise ProtocolError("bad_value", f"a terminal line is one line of at most {MAX_LINE_CHARS} characters; got "
                            f"{len(line)} characters" + (" with a line break" if "\n" in line else ""), ref)
    return line


def _check_signal(name: Any, ref: str) -> str:
    if name not in SIGNALS:
        raise ProtocolError("bad_value", f"signal must be one of {', '.join(SIGNALS)} (Ctrl-C, Ctrl-D); got {quoted(name)}",
                            ref)
    return name  # type: ignore[return-value]


def _ms(t: float) -> str:
    """A time for a message: to the microsecond, without trailing zeros (2000.001, 2000)."""
    return f"{_round(t):.3f}".rstrip("0").rstrip(".")


class LabSession:
    """The run of one lab for one page. ``receive`` takes a message, ``tick`` the wall clock, ``next_frame`` the output."""

    def __init__(self, lab: Lab, limits: Limits | None = None, wall_ms: float = 0.0) -> None:
        self.lab = lab
        self.limits = limits or Limits()
        self.outbox = Outbox(self.limits.detail_cap, self.limits.window)
        self.speed = lab.speed
        self.paused = False
        self.throttled = False
        self._wall = wall_ms
        self._window_start = wall_ms
        self._window_events = 0
        self._tokens = float(self.limits.message_burst)
        self._token_wall = wall_ms
        self.last_control_wall = wall_ms
        self._ledger: dict[str, Any] | None = None
        self._ledger_wall = -1e18
        self._link_dirty = True
        #: virtual time gained and asked for in the current wall second, and the pace of the last one
        self._window_gained = self._window_asked = 0.0
        self.pace = 1.0
        self._load(lab.seed, dict(lab.preset), [])

    # -- building and replaying runs -----------------------------------------------------------
    def _load(self, seed: int, start: dict[str, Any], log: list[list[Any]], until: float = 0.0) -> None:
        """A fresh Scenario from seed + start settings, with ``log`` replayed up to virtual time ``until``."""
        self.seed = seed
        self.start = dict(start)
        self.log = log
        self._checkpoints: list[_Checkpoint] = []
        self._checkpoint_every = CHECKPOINT_MS
        self._next_checkpoint = CHECKPOINT_MS
        self.horizon = 0.0
        #: where the run ended for memory (``_check_memory``), or None; a run with another future may go further
        self.stop_ms: float | None = None
        self._start_run()
        self._replay(until)

    def _start_run(self) -> None:
        self.cursor = 0
        self.values = dict(self.start)
        self.run = self.lab.runtime(self.lab, self.start, self.seed)
        self.flow = FlowTracker()  # the messages in flight, for the page's picture (app/live/flow.py)

    @property
    def sc(self) -> Scenario:
        """The run's (main) scenario."""
        return self.run.sc

    def _rewind(self, t: float) -> None:
        """Back to virtual ``t`` of this run: from the last checkpoint at or before it (or from 0), then replay."""
        cp = next((c for c in reversed(self._checkpoints) if c.now <= t), None)
        if cp is None:
            self._start_run()
            self._replay(t)
            return
        self.run = copy_paused(cp.run)  # the checkpoint stays as it was, for the next seek
        self.flow = copy_paused(cp.flow)
        self.cursor, self.values = cp.cursor, dict(cp.values)
        self._replay(t, Counter(cp.totals))

    def _checkpoint(self, totals: Counter[str]) -> None:
        """Keep a copy of the run as it is now (all events up to now run, ``totals`` counted)."""
        self._checkpoints.append(_Checkpoint(self.run.now, self.cursor, dict(self.values), Counter(totals),
                                             copy_paused(self.run), memory.copy_bytes(self.run.records()),
                                             copy_paused(self.flow)))
        budget = self.limits.memory_bytes
        while len(self._checkpoints) > 1 and (
                len(self._checkpoints) > MAX_CHECKPOINTS
                or (budget is not None and self._copies_bytes() > budget * CHECKPOINT_SHARE)):
            self._checkpoints = self._checkpoints[1::2]
            self._checkpoint_every *= 2
        self._next_checkpoint = self._checkpoints[-1].now + self._checkpoint_every

    def _copies_bytes(self) -> int:
        return sum(c.bytes for c in self._checkpoints)

    def memory_bytes(self) -> int:
        """What this session's run and its copies hold, estimated (app/live/memory.py)."""
        return self.run.memory_bytes() + self._copies_bytes()

    def _check_memory(self) -> None:
        """At the memory budget the run ends where it is, and says so: a session's memory is bounded, so the
        server can say how many it runs at once (Settings.lab_session_memory_mb)."""
        budget = self.limits.memory_bytes
        if budget is None or self.stop_ms is not None or self.memory_bytes() < budget:
            return
        self.stop_ms = self.run.now
        self.outbox.notice("session.memory", f"This run ended at {self.run.now / 1000:.1f} s: it holds every record "
                           f"it has sent ({self.run.records():,}) and has reached the {budget >> 20} MB a lab "
                           "session may use on this server. Seek back, restart, or send fewer records a second "
                           "to run further.")

    def _drop_checkpoints_after(self, t: float) -> None:
        """A new control at ``t`` rewrote the log after it: copies of the run past ``t`` are of another run."""
        self._checkpoints = [c for c in self._checkpoints if c.now <= t]
        last = self._checkpoints[-1].now if self._checkpoints else 0.0
        self._next_checkpoint = last + self._checkpoint_every

    def _advance(self, t: float, notify: bool) -> None:
        """Run to virtual ``t``, applying the logged controls on the way (after a seek back, the log runs ahead)."""
        while self.cursor < len(self.log) and self.log[self.cursor][0] <= t:
            entry = self.log[self.cursor]
            self.run.run_until(entry[0])
            self._apply(entry, notify=notify)
            self.cursor += 1
        self.run.run_until(t)

    def _replay(self, until: float, totals: Counter[str] | None = None) -> None:
        """Run to ``until`` applying the logged controls, keeping checkpoints on the way; ``totals``: the event counts so far."""
        totals = Counter() if totals is None else totals
        while True:
            stop = min(until, self._next_checkpoint)
            self._advance(stop, notify=False)
            events = self.run.drain_events()
            self.flow.add(events, self.run.now)
            totals.update(e["kind"] for e in events)
            if stop >= until:
                break
            self._checkpoint(totals)
            self._check_memory()
            if self.stop_ms is not None and self.run.now >= self.stop_ms:
                break  # a link or a seek forward ends where the played run would have: at the memory budget
        self.horizon = max(self.horizon, self.run.now)
        self.outbox.restart(totals)
        self.run.terminal_discard()  # replayed lines printed their text the first time
        self._ledger = None
        self._link_dirty = True

    def _apply(self, entry: list[Any], notify: bool) -> None:
        """One logged control, at the scenario's current time. Deterministic: replay calls it too."""
        _, kind, a, b = entry
        if kind == "config":
            setting = self.lab.setting(a)
            self.values[a] = b
            if setting.scope is Scope.PRODUCER:
                producer_id = self.run.replace_producer(self.lab.producer_configs(self.values))
                if notify:
                    self.outbox.notice("producer.created", f"New producer created: {a}={b}"
                                       + (f" (producer id {producer_id}). " if producer_id >= 0 else ". ") +
                                       "A producer reads its configs once, so Kafka needs a new KafkaProducer; the old one was closed after sending what it had.")
            else:
                self.run.alter_topic_config(a, b)
                if notify:
                    self.outbox.notice("topic.altered", f"Topic config altered: {a}={b}, as kafka-configs --alter does; "
                                       "it applies to the next produce request, with the same producer.")
        elif kind == "fault":
            self.run.inject(a, b)
        elif kind == "command":
            self.run.command(a)
        elif kind == "signal":
            self.run.signal(a)

    # -- the wall clock ------------------------------------------------------------------------
    @property
    def end_ms(self) -> float:
        """Where this run ends: the lab's end, or earlier where it reached its memory budget."""
        return self.run.end_ms if self.stop_ms is None else min(self.stop_ms, self.run.end_ms)

    @property
    def playback(self) -> Playback:
        if self.run.now >= self.end_ms:
            return Playback.ENDED
        return Playback.PAUSED if self.paused else Playback.PLAYING

    def tick(self, wall_ms: float, budget_ms: float | None = None) -> None:
        """Advance virtual time by ``speed`` x the wall time since the last tick, within the event budget and,
        given ``budget_ms``, within that much of the server's time (measured here, never by the simulator): a
        session the server cannot keep up with falls behind its speed and says so (``throttled``, ``pace``),
        instead of taking the time of every other session on the server."""
        dt = max(0.0, wall_ms - self._wall)
        self._wall = wall_ms
        if wall_ms - self._window_start >= 1000.0:
            # The pace of the second that ended: virtual time gained / what the speed asked for.
            self.pace = self._window_gained / self._window_asked if self._window_asked > 0 else 1.0
            self._window_start = wall_ms
            self._window_events = 0
            self._window_gained = self._window_asked = 0.0
            self.throttled = False
            self._check_memory()
        if self.limits.max_tick_ms is not None and dt > self.limits.max_tick_ms:
            dt = self.limits.max_tick_ms
            self.throttled = True
        if self.playback is not Playback.PLAYING or dt == 0.0:
            return
        # The clock moved, so the page needs a frame even when no event happened: a quiet stretch
        # (or the last one, into the run's end) would otherwise leave its clock and state stale.
        self.outbox.dirty = True
        start = self.run.now
        target = min(start + self.speed * dt, self.end_ms)
        self._window_asked += target - start
        deadline = time.perf_counter() + budget_ms / 1000.0 if budget_ms is not None else None
        # Four slices, so an event-heavy stretch stops at the budget instead of overshooting it by a whole tick.
        slice_ms = max((target - self.run.now) / 4, 0.001)
        while self.run.now < min(target, self.end_ms):  # end_ms comes nearer when the run reaches its memory budget
            if self._window_events >= self.limits.events_per_sec or (deadline is not None and time.perf_counter() > deadline):
                self.throttled = True
                self.outbox.dirty = True
                break
            self._run_to(min(target, self.run.now + slice_ms))
        self._window_gained += self.run.now - start

    def _run_to(self, t: float) -> None:
        self._advance(t, notify=True)
        self._collect()

    def _collect(self) -> None:
        events = self.run.drain_events()
        self.flow.add(events, self.run.now)
        self._window_events += len(events)
        self.outbox.add(events)
        self.horizon = max(self.horizon, self.run.now)
        if self.run.now >= self._next_checkpoint:
            self._checkpoint(self.outbox.totals)
            self._check_memory()

    # -- messages --------------------------------------------------------------------------------
    def receive(self, text: str, wall_ms: float) -> list[dict[str, Any]]:
        """Handle one message; the replies to send at once (error frames). Never raises: a bad message never ends a session."""
        self._refill(wall_ms)
        try:
            msg = parse(text)
            # Acknowledgements are bounded by the frames sent (at most the frame rate), so only controls spend tokens.
            if msg["type"] != "ack":
                if self._tokens < 1.0:
                    raise ProtocolError("rate_limited", f"more than {self.limits.messages_per_sec:g} control messages a "
                                        "second; this one was ignored", msg["type"])
                self._tokens -= 1.0
                self.last_control_wall = wall_ms
            self.handle(msg)
        except ProtocolError as exc:
            return [exc.frame()]
        except Exception:  # a bug, not the learner's fault: say so, keep the session, log it for us
            _log.exception("lab %s: a message raised instead of being refused", self.lab.name)
            return [ProtocolError("internal_error", "the server could not handle this message (a bug in Brokerlab, "
                                  "now in its log); the run goes on").frame()]
        return []

    def _refill(self, wall_ms: float) -> None:
        self._tokens = min(float(self.limits.message_burst),
                           self._tokens + max(0.0, wall_ms - self._token_wall) / 1000.0 * self.limits.messages_per_sec)
        self._token_wall = wall_ms

    def handle(self, msg: dict[str, Any]) -> None:
        """One parsed message; ProtocolError when its values are wrong (the run is unchanged then)."""
        kind = msg["type"]
        getattr(self, f"_on_{kind}")(msg)
        if kind != "ack":
            self.outbox.dirty = True

    def _on_ack(self, msg: dict[str, Any]) -> None:
        self.outbox.ack(msg["seq"])

    def _on_pause(self, msg: dict[str, Any]) -> None:
        self.paused = True

    def _on_resume(self, msg: dict[str, Any]) -> None:
        self.paused = False

    def _on_speed(self, msg: dict[str, Any]) -> None:
        value = msg["value"]
        if not MIN_SPEED <= value <= MAX_SPEED:
            raise ProtocolError("bad_value", f"speed must be from {MIN_SPEED} (1/1000 of real time) to {MAX_SPEED} "
                                f"(real time); got {value}", "speed")
        self.speed = float(value)

    def _on_step(self, msg: dict[str, Any]) -> None:
        """Pause, then run the next virtual instant that has an event (or a logged control)."""
        if self.playback is Playback.ENDED:
            raise ProtocolError("ended", "the run has ended: there is no next event; replay it from the start, seek back "
                                "or restart", "step")
        self.paused = True
        nxt = self.run.next_event_time()
        if self.cursor < len(self.log) and (nxt is None or self.log[self.cursor][0] <= nxt):
            self._run_to(self.log[self.cursor][0])
        elif nxt is not None:
            self._run_to(nxt)
        self._ledger = None

    def _on_seek(self, msg: dict[str, Any]) -> None:
        t = float(msg["t"])
        # Frames give the horizon rounded to the microsecond, so the page may ask for a hair more.
        if not 0.0 <= t <= _round(self.horizon):
            raise ProtocolError("bad_value", f"seek t must be from 0 to {_ms(self.horizon)} ms (as far as this run has got); "
                                f"got {_ms(t)}", "seek")
        t = min(t, self.horizon)
        horizon = self.horizon
        ahead = any(self.run.now < c.now <= t for c in self._checkpoints)
        if t >= self.run.now and not ahead:
            # Forward, within what this run has reached, and no copy of the run on the way: run on
            # from here, applying the logged controls on the way. The simulator is deterministic, so
            # this is the replay from 0 without its first part (a drag along the timeline stays
            # cheap). With a copy between here and t, starting from the last one is cheaper.
            self._collect()
            self._replay(t, Counter(self.outbox.totals))
        else:
            self._rewind(t)
        self.horizon = horizon

    def _on_restart(self, msg: dict[str, Any]) -> None:
        """From virtual time 0, same seed, the settings in force now; faults and the log are gone."""
        self._load(self.seed, self.values, [])

    def _on_reset(self, msg: dict[str, Any]) -> None:
        """Back to the lab's preset: its seed, its settings, its speed."""
        self.speed = self.lab.speed
        self.paused = False
        self._load(self.lab.seed, dict(self.lab.preset), [])

    def _on_load(self, msg: dict[str, Any]) -> None:
        """A shared link: seed, start settings and the log; the run replays from virtual time 0."""
        seed = msg.get("seed", self.lab.seed)
        if not 0 <= seed < 2**31:
            raise ProtocolError("bad_value", f"load.seed must be an integer from 0 to {2**31 - 1}; got {seed}", "load")
        try:
            start = self.lab.check_values(msg.get("settings", {}))
            log = self._check_log(msg.get("log", []))
        except ProtocolError as exc:
            exc.ref = "load"  # a setting's own check says set_config; the page needs to know a link failed
            raise
        self._load(seed, start, log)

    def _on_set_config(self, msg: dict[str, Any]) -> None:
        setting = self.lab.setting(msg["name"])
        value = setting.check(msg["value"])
        if self.values.get(setting.name) == value:
            return
        if setting.scope is Scope.CREATION:
            values = {**self.values, setting.name: value}
            self.lab.check_start(values)
            if self.lab.build_spec(values) == self.lab.build_spec(self.values):
                # The run does not depend on it as things stand (pasted text while the payload
                # is JSON): kept for later and for the link, and the run goes on.
                self.values[setting.name] = self.start[setting.name] = value
                self._link_dirty = self.outbox.dirty = True
                return
            self._load(self.seed, values, [])
            note = self.lab.notes.get(setting.name)  # a lab's own words for a start setting that is not the topic's
            self.outbox.notice("topic.created", note.format(value=value) if note else f"{setting.name} is fixed when a topic is created: the topic was created "
                               f"again with {setting.name}={value} and the run started again from 0.")
            return
        if setting.scope is Scope.PRODUCER:
            try:  # check it as Kafka's ProducerConfig would, before anything changes
                self.run.check_producer_configs(self.lab.producer_configs({**self.values, setting.name: value}))
            except ConfigException as exc:
                raise ProtocolError("bad_value", str(exc), "set_config") from None
        self._control([_round(self.run.now), "config", setting.name, value])

    def _on_fault(self, msg: dict[str, Any]) -> None:
        action = msg["action"]
        # A broker fault names its broker; a consumer fault its member or group (``target``).
        target = msg["target"] if "target" in msg else msg.get("broker")
        sc = self.run.sc
        target = self._check_fault(action, target, "fault", sc.member_names(), sc.group_ids())
        problem = self.run.refusal(action, target)  # a fault that changes nothing (a second click on Kill)
        if problem:
            raise ProtocolError("bad_value", f"{action}: {problem}; nothing to do", "fault")
        self._control([_round(self.run.now), "fault", action, target])

    def _on_command(self, msg: dict[str, Any]) -> None:
        """A line typed in the lab's terminal: logged like every control, so seek and links run it again."""
        self._control([_round(self.run.now), "command", _check_line(msg["line"], "command"), None])

    def _on_signal(self, msg: dict[str, Any]) -> None:
        """Ctrl-C or Ctrl-D in the lab's terminal."""
        self._control([_round(self.run.now), "signal", _check_signal(msg["name"], "signal"), None])

    def _check_fault(self, action: Any, target: Any, ref: str, members: Any = (), groups: Any = ()) -> Any:
        """The fault's target, checked against the lab's list and the fault table (app/sim/faults.py)."""
        if action not in self.lab.faults:
            offered = ", ".join(self.lab.faults) or "none"
            raise ProtocolError("bad_value", f"fault action must be one of {offered}; got {quoted(action)}", ref)
        try:
            return faults.check_target(faults.fault(action), target, self.lab.broker_count, members, groups)
        except faults.FaultError as exc:
            raise ProtocolError("bad_value", f"{action} {exc}", ref) from None

    def _control(self, entry: list[Any]) -> None:
        """A new control now: the future of the log (after a seek back) is dropped, this one is applied and logged."""
        if self.run.now >= self.end_ms:
            raise ProtocolError("ended", "the run has ended: nothing more can happen in it; restart (or seek back) to go on",
                                entry[1])
        if self.cursor >= self.limits.max_log:
            raise ProtocolError("log_full", f"this run holds {self.limits.max_log} controls already; restart to go on", entry[1])
        # Events at this instant that an earlier control scheduled run first, exactly as replay will run them.
        self.run.run_until(self.run.now)
        self._collect()
        del self.log[self.cursor:]
        self.horizon = self.run.now
        self.stop_ms = None  # another future: the budget is checked again as it runs
        self._drop_checkpoints_after(self.run.now)
        self._apply(entry, notify=True)
        self.log.append(entry)
        self.cursor += 1
        self._collect()
        self._ledger = None
        self._link_dirty = True

    def _check_log(self, log: list[Any]) -> list[list[Any]]:
        if len(log) > self.limits.max_log:
            raise ProtocolError("bad_value", f"load.log may hold at most {self.limits.max_log} controls; got {len(log)}", "load")
        out: list[list[Any]] = []
        last = 0.0
        groups = parse_spec(self.lab.build_spec(self.start))["consumer_groups"]
        counts = {g["group.id"]: g["members"] for g in groups}
        for i, entry in enumerate(log):
            # The member names the run will have by then: each group's first ones and one per add_consumer so far.
            members = [f"{g}-{n}" for g, count in counts.items() for n in range(count)]
            where = f"load.log[{i}]"
            if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], (int, float))
                    and not isinstance(entry[0], bool) and entry[1] in ("config", "fault", "command", "signal")):
                raise ProtocolError("bad_value", f'{where} must be [t, "config", name, value], [t, "fault", action, broker], '
                                    f'[t, "command", line, null] or [t, "signal", name, null]; got {json.dumps(entry)[:80]}',
                                    "load")
            t = float(entry[0])
            if not last <= t <= self.run.end_ms:
                raise ProtocolError("bad_value", f"{where}: times must not go back and stay within the run "
                                    f"({last:g} to {self.run.end_ms:g} ms); got {t:g}", "load")
            last = t
            if entry[1] == "config":
                setting = self.lab.setting(entry[2])
                if setting.scope is Scope.CREATION:
                    raise ProtocolError("bad_value", f"{where}: {setting.name} is a start setting, not a control", "load")
                out.append([t, "config", setting.name, setting.check(entry[3])])
            elif entry[1] == "command":
                out.append([t, "command", _check_line(entry[2], "load"), None])
            elif entry[1] == "signal":
                out.append([t, "signal", _check_signal(entry[2], "load"), None])
            else:
                self._check_fault(entry[2], entry[3], "load", members, list(counts))
                if entry[2] == "add_consumer":
                    counts[entry[3]] += 1
                out.append([t, "fault", entry[2], entry[3]])
        return out

    # -- frames ----------------------------------------------------------------------------------
    def hello(self) -> dict[str, Any]:
        return {"v": PROTOCOL_VERSION, "type": "hello", "lab": self.lab.describe(), "speed": {"min": MIN_SPEED, "max": MAX_SPEED},
                "terminal": terminal_vocabulary(self.sc.spec["kafka_version"]),
                "limits": {"frames_unacked": self.limits.window, "messages_per_sec": self.limits.messages_per_sec,
                           "events_per_sec": self.limits.events_per_sec, "detail_cap": self.limits.detail_cap}}

    def link(self) -> dict[str, Any]:
        """What a link needs to replay this run: seed, start settings, the log."""
        return {"seed": self.seed, "settings": dict(self.start), "log": [list(e) for e in self.log]}

    def ledger(self, wall_ms: float, force: bool = False) -> dict[str, Any]:
        """The ledger's audit, at most every ``ledger_every_ms`` while playing (``force``: now)."""
        if self._ledger is None or force or wall_ms - self._ledger_wall >= self.limits.ledger_every_ms:
            self._ledger = self.run.ledger()
            self._ledger_wall = wall_ms
        return self._ledger

    def metrics(self) -> dict[str, Any]:
        return self.run.metrics()

    def next_frame(self, wall_ms: float | None = None) -> dict[str, Any] | None:
        """The next frame to send, or None when the page is behind (``window`` unacknowledged) or nothing changed."""
        if not self.outbox.can_send():
            return None
        wall = self._wall if wall_ms is None else wall_ms
        reset = self.outbox.reset
        frame: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": "frame", **self.outbox.take()}
        frame["state"] = self.run.snapshot()
        frame["flow"] = self.flow.frame(self.sc, self.run.now, redraw=reset, standstill=self.playback is not Playback.PLAYING)
        # Exact whenever the run stands still (paused, ended) or jumped: no later frame would correct it.
        exact = reset or self.playback is not Playback.PLAYING
        frame["ledger"] = self.ledger(wall, force=exact)
        frame["metrics"] = self.metrics()
        view = self.run.lab_view(exact)
        if view is not None:
            frame["lab"] = view
        terminal = self.run.terminal_view()
        if terminal is not None:
            frame["terminal"] = terminal
        frame["settings"] = dict(self.values)
        frame["playback"] = {"state": self.playback.value, "speed": self.speed, "throttled": self.throttled,
                             "pace": round(self.pace, 3)}
        frame["timeline"] = {"now": _round(self.run.now), "horizon": _round(self.horizon), "end": self.run.end_ms,
                             "marks": [[e[0], e[1], e[2], e[3]] for e in self.log]}
        if self._link_dirty or reset:
            frame["link"] = self.link()
            self._link_dirty = False
        return frame

    def idle_for(self, wall_ms: float) -> float:
        return wall_ms - self.last_control_wall


__all__ = ["Limits", "LabSession", "MAX_SPEED", "MIN_SPEED", "Playback", "SpecError"]
