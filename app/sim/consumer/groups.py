"""The consumer groups of a run: their members, started, stopped and added by name.

Not a Kafka class: the applications around the consumers. A group of a spec has ``members``
consumers named ``<group.id>-0``, ``<group.id>-1``, ... (the name faults use); ``add`` starts
the next one; ``restart`` starts a stopped one again under the same name (and, for a static
group, the same ``group.instance.id``: KIP-345's restart without a rebalance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.admin.remote import RemoteAdmin
from app.sim.channel import connector
from app.sim.consumer.consumer import KafkaConsumer
from app.sim.consumer.group_ledger import GroupLedger

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.ledger import Ledger
    from app.sim.trace import Trace


class ConsumerGroups:
    def __init__(self, cluster: "Cluster", trace: "Trace", ledger: "Ledger", specs: list[dict[str, Any]]) -> None:
        self.cluster = cluster
        self.trace = trace
        self.specs = {g["group.id"]: g for g in specs}
        self.ledgers = {g["group.id"]: GroupLedger(g["group.id"], g["topics"], ledger) for g in specs}
        self.members: dict[str, KafkaConsumer] = {}
        #: member name -> the admin client its application runs (``delete_topics``)
        self.admins: dict[str, RemoteAdmin] = {}
        self.counts = {g["group.id"]: 0 for g in specs}
        for group_ledger in self.ledgers.values():
            trace.subscribe(("group.stable",), group_ledger.on_stable)
        for g in specs:
            for _ in range(g["members"]):
                self.add(g["group.id"])

    def _start(self, group_id: str, name: str, index: int) -> KafkaConsumer:
        g = self.specs[group_id]
        cfg = dict(g["configs"])
        if g["static"]:
            cfg["group.instance.id"] = name
        if g["racks"]:
            cfg["client.rack"] = g["racks"][index % len(g["racks"])]
        consumer = KafkaConsumer(self.cluster, cfg, g["topics"], name, self.trace, self.ledgers[group_id], g["process_ms"],
                                 g["commit"], g["host"], g.get("principal"),
                                 connector=connector(self.cluster, cfg, g.get("listener"), g.get("certificate")))
        self.members[name] = consumer
        return consumer

    def add(self, group_id: str) -> KafkaConsumer:
        """The next member of the group starts."""
        index = self.counts[group_id]
        self.counts[group_id] = index + 1
        return self._start(group_id, f"{group_id}-{index}", index)

    def restart(self, name: str) -> KafkaConsumer:
        """A stopped member starts again under the same name (a new process: a new client.id)."""
        old = self.members[name]
        if not old.closed:
            raise ValueError(f"{name} is running")
        group_id = old.group_id
        return self._start(group_id, name, int(name.rsplit("-", 1)[1]))

    def delete_topics(self, name: str) -> None:
        """The member's application deletes the topics its group reads, with an admin client of its own (same
        security configs, so the same principal): app/sim/admin/remote.py."""
        group_id = self.member(name).group_id
        g = self.specs[group_id]
        admin = self.admins.get(name)
        if admin is None:
            # The application's own client.id with "-admin": two clients here cannot share a name on the network.
            own = g["configs"].get("client.id")
            admin = self.admins[name] = RemoteAdmin(self.cluster, self.trace, name, g["host"],
                                                    connector(self.cluster, g["configs"], g.get("listener"),
                                                              g.get("certificate")),
                                                    f"{own}-admin" if own else None)
        admin.delete_topics(list(g["topics"]))

    def member(self, name: str) -> KafkaConsumer:
        try:
            return self.members[name]
        except KeyError:
            raise KeyError(f"no consumer {name!r}; consumers: {', '.join(sorted(self.members)) or 'none'}") from None

    def names(self) -> list[str]:
        return sorted(self.members)

    def summary(self) -> dict[str, Any]:
        busy = frozenset(r.record for c in self.members.values() if c.processing is not None and not c.closed
                         for r in c.processing[1])
        return {group_id: {**ledger.summary(self.cluster, busy),
                           "members": {name: _state(c) for name, c in sorted(self.members.items()) if c.group_id == group_id}}
                for group_id, ledger in self.ledgers.items()}


def _state(c: KafkaConsumer) -> str:
    if c.failed:
        return "failed"
    if c.closed:
        return "stopped"
    return "consuming" if c.membership.stable() else "joining"
