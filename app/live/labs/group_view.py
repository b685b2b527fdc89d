"""The consumers lab's view of its run (``frame["lab"]``): the group as the page draws it.

Not a Kafka class: what ``kafka-consumer-groups.sh --describe``, the consumer's metrics and
the lab's ledger would tell together, kept up to date through ``trace.subscribe``:

- ``members``: each one's state (consuming, idle, joining, killed, closed, failed), the
  partitions it reads and the broker it fetches each one from, its client.id, client.rack and
  group.instance.id, how many records it processed and how many it is processing now;
- ``partitions``: per partition its leader, reader, the reader's position, the committed
  offset, the high watermark, ``lag`` (high watermark minus committed, as the tool prints it;
  None before a first commit) and ``records_lag`` (minus the position: the consumer's
  ``records-lag`` metric);
- ``lanes``: who read each partition over the last minute (app/live/labs/ownership.py), and
  ``rebalances``: each one's start (``group.rebalancing``) and end (``group.stable``);
- ``coordinator``: the broker leading the group's ``__consumer_offsets`` partition;
- ``ledger``: records consumed, processed twice (``redelivered``) and never (``missed``);
- ``fetch``: bytes of fetch answers to the group's members and how many crossed zones
  (KIP-392: with ``replica.selector.class`` a member reads from the replica in its rack).

``missed`` walks the logs below the committed offsets: it is counted again only after a
commit or a stop, at most once a virtual second unless the page needs it exact.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from app.live.flow import STOPPED, groups
from app.live.labs.ownership import OwnershipLanes
from app.sim import Scenario

#: Rebalances and commits the page lists, the newest last.
KEEP_REBALANCES = 12
KEEP_COMMITS = 8
#: Virtual ms between two counts of ``missed`` while the run plays.
MISSED_EVERY_MS = 1000.0


class GroupWatch:
    """One group reading one topic; ``GROUP`` and ``TOPIC`` are the lab's (class attributes, set by the lab)."""

    GROUP = "billing"
    TOPIC = "orders"

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.lanes = OwnershipLanes(sc, self.GROUP, self.TOPIC)
        self.rebalances: deque[dict[str, Any]] = deque(maxlen=KEEP_REBALANCES)
        self.commits: deque[dict[str, Any]] = deque(maxlen=KEEP_COMMITS)
        self.stopped: dict[str, str] = {}
        self.fetch_bytes = 0
        self.cross_az_bytes = 0
        self._missed = 0
        self._missed_at = -MISSED_EVERY_MS
        self._missed_stale = True
        trace = sc.trace
        trace.subscribe(("group.rebalancing", "group.stable"), self._rebalance)
        trace.subscribe(("consumer.committed", "consumer.commit_failed"), self._commit)
        trace.subscribe((*STOPPED, "consumer.joining"), self._membership)
        trace.subscribe(("message.sent",), self._message)

    # -- following the run ---------------------------------------------------------------------------
    def _rebalance(self, e: dict[str, Any]) -> None:
        if e.get("group") != self.GROUP:
            return
        last = self.rebalances[-1] if self.rebalances else None
        if e["kind"] == "group.rebalancing":
            if last is None or last["end"] is not None:
                self.rebalances.append({"start": e["t"], "end": None, "generation": None, "protocol": e.get("protocol"),
                                        "assignor": None, "reason": e.get("reason")})
        elif last is not None and last["end"] is None:
            last.update(end=e["t"], generation=e["generation"], assignor=e.get("assignor"))
        else:  # KIP-848: a new target assignment may settle without a rebalancing event of its own
            self.rebalances.append({"start": e["t"], "end": e["t"], "generation": e["generation"],
                                    "protocol": e.get("protocol"), "assignor": e.get("assignor"), "reason": None})

    def _commit(self, e: dict[str, Any]) -> None:
        if e.get("group") != self.GROUP:
            return
        self._missed_stale = True
        self.commits.append({"t": e["t"], "member": e["member"], "ok": e["kind"] == "consumer.committed",
                             "offsets": [[p, o] for _, p, o in e.get("offsets") or []], "error": e.get("error")})

    def _membership(self, e: dict[str, Any]) -> None:
        if e.get("group") != self.GROUP:
            return
        if e["kind"] == "consumer.joining":
            self.stopped.pop(e["member"], None)
        else:
            self.stopped[e["member"]] = STOPPED[e["kind"]]
            self._missed_stale = True

    def _message(self, e: dict[str, Any]) -> None:
        # A consumer's fetch answers: the bytes a group reads, and those that crossed zones (billed on AWS).
        if e["type"] != "fetch.response" or not isinstance(e["dst"], str):
            return
        self.fetch_bytes += e["bytes"]
        racks = self.sc.network.racks
        a, b = racks.get(e["src"]), racks.get(e["dst"])
        if a is not None and b is not None and a != b:
            self.cross_az_bytes += e["bytes"]

    # -- the frame -------------------------------------------------------------------------------------
    def _missed_now(self, exact: bool) -> int:
        now = self.sc.now
        if self._missed_stale and (exact or now - self._missed_at >= MISSED_EVERY_MS):
            self._missed = self.sc.groups.summary()[self.GROUP]["missed"]
            self._missed_at = now
            self._missed_stale = False
        return self._missed

    def _partitions(self, readers: dict[int, tuple[str, Any, int]]) -> list[dict[str, Any]]:
        sc = self.sc
        committed = sc.groups.ledgers[self.GROUP].committed
        out = []
        for s in sc.cluster.controller.topics[self.TOPIC].partitions:
            holder = s.leader if s.leader >= 0 else (s.isr[0] if s.isr else s.replicas[0])
            hw = sc.cluster.brokers[holder].replicas[s.tp].log.high_watermark
            done = committed.get(s.tp)
            reader = readers.get(s.partition)
            position = reader[1].positions.get(s.tp) if reader else None
            out.append({"partition": s.partition, "leader": s.leader, "reader": reader[0] if reader else None,
                        "from": reader[2] if reader else None, "position": position, "committed": done,
                        "high_watermark": hw, "lag": None if done is None else max(0, hw - done),
                        "records_lag": None if position is None else max(0, hw - position)})
        return out

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        sc = self.sc
        picture = groups(sc, self.stopped)
        ledger = sc.groups.ledgers[self.GROUP]
        members = []
        readers: dict[int, tuple[str, Any, int]] = {}
        for name, m in picture["members"].items():
            c = sc.groups.members[name]
            for (topic, p), node in zip(m["partitions"], m["from"]):
                if topic == self.TOPIC:
                    readers[p] = (name, c, node)
            members.append({
                "name": name, "client_id": c.client_id, "state": m["state"],
                "protocol": c.cfg.get("group.protocol", "classic"),
                "partitions": [p for _, p in m["partitions"]], "from": m["from"],
                "processed": ledger.by_member.get(name, 0),
                # the records of its last poll it is processing now: what "commitSync before processing" loses in a kill
                "processing": len(c.processing[1]) if c.processing is not None and not c.closed else 0,
                "rack": c.cfg.get("client.rack") or None, "instance_id": c.cfg.get("group.instance.id"),
            })
        coordinator = picture["coordinators"][self.GROUP]
        return {
            "group": self.GROUP, "topic": self.TOPIC, "now": round(sc.now, 3), "members": members,
            "partitions": self._partitions(readers), "generation": ledger.generation,
            "coordinator": coordinator, "lanes": {"window_ms": self.lanes.window_ms, "partitions": self.lanes.view(sc.now)},
            "rebalances": list(self.rebalances), "commits": list(self.commits),
            "ledger": {"consumed": ledger.consumed, "redelivered": ledger.redelivered, "missed": self._missed_now(exact)},
            "fetch": {"bytes": self.fetch_bytes, "cross_az_bytes": self.cross_az_bytes,
                      "selector": sc.cluster.broker_cfg.get("replica.selector.class")},
        }


__all__ = ["GroupWatch"]
