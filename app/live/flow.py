"""What travels: the messages on the network at a frame's virtual time, bounded, for the page's cluster picture.

Not a Kafka class. The simulator records every message it puts on the network as a
``message.sent`` trace event (docs/sim.md, "Messages") with its own send and arrival
times, and ``message.lost`` when an isolation swallows one. ``FlowTracker`` reads those
events as the session drains them and gives each frame its ``flow`` section:

- ``in_flight``: the messages on the wire at the frame's virtual time that the page has
  not been given yet (all of them when ``redraw`` is true);
- ``passed``: messages that left and arrived (or were lost) between two frames: at
  real-time speed a 5 ms hop starts and ends inside one frame, and the page still
  hears of it;
- ``lost``: isolations that swallowed a message the page was given;
- ``omitted``: exactly how many of each list were left out by the caps, so a busy run
  costs a bounded frame and the page can say what it did not draw;
- ``accumulator``: the batches waiting in the producer's RecordAccumulator, and ``records``:
  the last records send() was called with (their key, the partition murmur2 chose, the batch),
  so the picture's producer side is the run's state too, after a seek as on the straight run;
- ``groups`` (runs with consumer groups, when it changed): each consumer's state and the
  partitions it reads, and each group's coordinator, so the picture's consumers say what they do.

A token's place on its path is ``(now - send_ms) / (arrive_ms - send_ms)``: the page
computes it; this module only decides which messages a frame carries. After a seek or a
reset (``redraw``), and whenever the run stands still after some were left out, the frame
carries the whole set in flight, so a paused picture is the straight run's picture.

The tracker is copied with the run at each checkpoint (``app/live/session.py``), so a
seek back restores the messages in flight at the checkpoint and replays from there.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from app.sim import Scenario
from app.sim.apis import offsets_partition
from app.sim.topic import CONSUMER_OFFSETS

#: Messages one frame carries at most in each list; the rest are counted in ``omitted``.
MAX_IN_FLIGHT = 2000
MAX_PASSED = 400
MAX_LOST = 400
#: The last records sent that a frame lists (the partitioning lab's send(key) column).
RECENT_RECORDS = 24
#: The trace kinds this module reads (app.sim.trace.WIRE_KINDS).
SENT = "message.sent"
LOST = "message.lost"
#: How a consumer stopped, from its last event (a closed KafkaConsumer does not say whether it was killed).
STOPPED = {"consumer.killed": "killed", "consumer.closed": "closed", "consumer.failed": "failed"}


def _token(event: dict[str, Any]) -> dict[str, Any]:
    """The message as the page gets it: the ``message.sent`` event's own fields, without ``t`` and ``kind``."""
    return {k: v for k, v in event.items() if k not in ("t", "kind")}


class FlowTracker:
    """The messages in flight in one run, and what the next frame owes the page about them."""

    def __init__(self, max_in_flight: int = MAX_IN_FLIGHT, max_passed: int = MAX_PASSED, max_lost: int = MAX_LOST) -> None:
        self.max_in_flight = max_in_flight
        self.max_passed = max_passed
        self.max_lost = max_lost
        #: id -> message.sent event, for every message whose arrival is after the last prune (lost ones too).
        self._flying: dict[int, dict[str, Any]] = {}
        #: ids of messages in flight the page has been given, or that a cap left out (cleared on every redraw)
        self._told: set[int] = set()
        self._passed: list[dict[str, Any]] = []
        self._lost: list[dict[str, Any]] = []
        self._omitted = {"in_flight": 0, "passed": 0, "lost": 0}
        #: A message left out of a frame while still in flight: the next standstill redraws.
        self._behind = False
        self.redraw = True
        self._topology: dict[str, Any] | None = None
        #: [key, partition, batch] of the last records sent, and how many were ever seen (a change to tell)
        self._records: deque[list[Any]] = deque(maxlen=RECENT_RECORDS)
        self._records_seen = 0
        self._records_told = 0
        #: member name -> how it stopped (killed, closed, failed), until it starts again
        self._stopped: dict[str, str] = {}
        self._groups: dict[str, Any] | None = None

    # -- reading the trace ------------------------------------------------------------------
    def add(self, events: list[dict[str, Any]], now: float) -> None:
        """The events the session drained (all kinds; only messages are read); ``now``: the run's clock after them."""
        flying = self._flying
        for e in events:
            kind = e["kind"]
            if kind == SENT:
                flying[e["id"]] = e
            elif kind == LOST:
                self._on_lost(e)
            elif kind == "record.sent":
                self._records.append([e["key"], e["partition"], e["batch"]])
                self._records_seen += 1
            elif kind in STOPPED:
                self._stopped[e["member"]] = STOPPED[kind]
            elif kind == "consumer.joining":
                self._stopped.pop(e["member"], None)
        self._prune(now)

    def _on_lost(self, e: dict[str, Any]) -> None:
        sent = self._flying.pop(e["id"], None)
        if sent is None:
            return
        if e["id"] in self._told:
            self._told.discard(e["id"])
            if len(self._lost) < self.max_lost:
                self._lost.append({"id": e["id"], "t": e["t"], "reason": e["reason"]})
            else:
                self._omitted["lost"] += 1
        else:  # never drawn: it left and was lost between two frames
            self._pass({**_token(sent), "lost": e["reason"], "lost_ms": e["t"]})

    def _pass(self, token: dict[str, Any]) -> None:
        if len(self._passed) < self.max_passed:
            self._passed.append(token)
        else:
            self._omitted["passed"] += 1

    def _prune(self, now: float) -> None:
        """Messages that arrived by ``now`` leave the set; those the page never saw go to ``passed``."""
        done = [mid for mid, e in self._flying.items() if e["arrive_ms"] <= now]
        for mid in done:
            e = self._flying.pop(mid)
            if mid in self._told:
                self._told.discard(mid)
            else:
                self._pass(_token(e))

    # -- the frame ---------------------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        return len(self._flying)

    def frame(self, sc: Scenario, now: float, redraw: bool = False, standstill: bool = False) -> dict[str, Any]:
        """The frame's ``flow`` section at virtual ``now``; what it carries is then owed no more.

        ``redraw``: the page must forget its tokens (a seek, a reset). ``standstill``: the run is
        paused or ended, so no later frame corrects a picture that left messages out: it redraws
        if any message in flight was left out.
        """
        self._prune(now)
        redraw = redraw or self.redraw or (standstill and self._behind)
        if redraw:
            self._told.clear()
            self._passed, self._lost = [], []
            self._omitted = {"in_flight": 0, "passed": 0, "lost": 0}
        new = [e for mid, e in self._flying.items() if mid not in self._told]
        new.sort(key=lambda e: e["id"])
        kept = new[: self.max_in_flight]
        # A message left out is counted once and not again: it is not owed to later frames, only to a redraw.
        self._omitted["in_flight"] += len(new) - len(kept)
        self._behind = len(new) > len(kept) or (self._behind and not redraw)
        self._told.update(e["id"] for e in new)
        out: dict[str, Any] = {
            "now": round(now, 3), "redraw": redraw, "in_flight": [_token(e) for e in kept], "passed": self._passed,
            "lost": self._lost, "omitted": self._omitted, "count": len(self._flying),
        }
        out["accumulator"] = accumulator(sc)
        if redraw or self._records_seen != self._records_told:
            out["records"] = list(self._records)
            self._records_told = self._records_seen
        # The layout only when it changed (a slowed link, a new client) or the page redraws.
        shape = topology(sc)
        if redraw or shape != self._topology:
            out["topology"] = self._topology = shape
        if sc.group_ids():
            now_groups = groups(sc, self._stopped)
            if redraw or now_groups != self._groups:
                out["groups"] = self._groups = now_groups
        self.redraw = False
        self._passed, self._lost = [], []
        self._omitted = {"in_flight": 0, "passed": 0, "lost": 0}
        return out


def accumulator(sc: Scenario) -> dict[str, Any]:
    """The producer's RecordAccumulator: per partition its batches waiting to be sent, oldest first, each
    ``[batch id, records, estimated bytes, full]``, and batch.size to measure them against."""
    p = sc.producer
    return {"batch_size": p.cfg["batch.size"],
            "partitions": [[[b.batch_id, len(b.record_ids), b.estimated_size(), b.is_full()] for b in dq]
                           for dq in p.accumulator.batches]}


def groups(sc: Scenario, stopped: dict[str, str]) -> dict[str, Any]:
    """The consumers as the picture draws them: ``members`` (name -> client.id, group, state, the partitions it reads
    ``[[topic, partition], ...]`` and the broker each one is fetched from) and ``coordinators`` (group -> the broker
    leading its ``__consumer_offsets`` partition, -1 while there is none). ``stopped``: how stopped members stopped.

    States: ``consuming`` (in a stable group, reading partitions), ``idle`` (stable, no partition: more members than
    partitions), ``joining`` (in a rebalance; a cooperative member still reads what it keeps), ``killed``, ``closed``,
    ``failed``."""
    members: dict[str, Any] = {}
    for name, c in sorted(sc.groups.members.items()):
        parts = sorted(c.assignment)
        if c.closed:
            state = stopped.get(name, "failed" if c.failed else "closed")
            parts = []
        elif not c.membership.stable():
            state = "joining"
        else:
            state = "consuming" if parts else "idle"
        members[name] = {"client": c.client_id, "group": c.group_id, "state": state, "partitions": [[tp.topic, tp.partition] for tp in parts],
                         "from": [fetched_from(c, tp, sc.now) for tp in parts]}
    controller = sc.cluster.controller
    coordinators = {}
    for group_id in sc.group_ids():
        # GroupCoordinatorService.partitionFor: the group's coordinator leads this partition of __consumer_offsets.
        state = controller.partition(CONSUMER_OFFSETS, offsets_partition(group_id, int(sc.cluster.broker_cfg["offsets.topic.num.partitions"])))
        coordinators[group_id] = state.leader if state is not None else -1
    return {"members": members, "coordinators": coordinators}


def fetched_from(c: Any, tp: Any, now: float) -> int:
    """The broker ``c`` fetches ``tp`` from: the replica a leader named for it (``preferred_read_replica``, KIP-392)
    while that holds, else the leader it knows (-1: none); read without changing the consumer (Fetcher's own
    lookup forgets an expired choice)."""
    chosen = c.fetcher.preferred.get(tp)
    if chosen is not None and chosen[1] > now:
        return int(chosen[0])
    return int(c.metadata.leader(tp))


def with_wire(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the messages on in its trace (``"trace": {"wire": true}``); nothing else in the run changes."""
    return {**spec, "trace": {**spec.get("trace", {}), "wire": True}}


def topology(sc: Scenario) -> dict[str, Any]:
    """What the picture lays out: clients, brokers with their rack (broker.rack), and each link's one-way latency.

    The clients are the run's producers now, its consumers and the admin clients applications started, by their
    client.id (the name their messages travel under); a consumer also carries the member name the lab gives it (a
    restarted member is a new client). A producer a lab replaced
    is not one: it sends only what it had, and the page draws its last messages on its successor's links."""
    clients = [{"name": p.client_id, "kind": "producer"} for p in sc.producers]
    # By client.id, the name messages travel under; ``member`` is the lab's handle for faults.
    clients += [{"name": sc.groups.members[m].client_id, "kind": "consumer", "member": m} for m in sc.member_names()]
    clients += [{"name": a.client_id, "kind": "admin"} for _, a in sorted(sc.groups.admins.items())]
    names = [c["name"] for c in clients]
    brokers = sorted(sc.cluster.brokers.items())
    net = sc.network
    links = [{"src": c, "dst": b, "latency_ms": net.latency(c, b)} for c in names for b, _ in brokers]
    links += [{"src": a, "dst": b, "latency_ms": net.latency(a, b)} for a, _ in brokers for b, _ in brokers if a != b]
    return {"clients": clients, "brokers": [{"broker": b, "rack": br.rack} for b, br in brokers], "links": links}


__all__ = ["FlowTracker", "MAX_IN_FLIGHT", "MAX_LOST", "MAX_PASSED", "accumulator", "groups", "topology", "with_wire"]
