"""What ``kafka-acls --add`` turns its flags into (kafka.admin.AclCommand, Kafka 4.0).

``--producer`` grants WRITE, DESCRIBE and CREATE on each ``--topic``, WRITE and DESCRIBE on
each ``--transactional-id``, and with ``--idempotent`` IDEMPOTENT_WRITE on the cluster
(getProducerResourceFilterToAcls). ``--consumer`` grants READ and DESCRIBE on each topic
and READ on each ``--group`` (getConsumerResourceFilterToAcls). Without ``--allow-host``
an allowed principal gets host ``*``. The lines printed are AclCommand.addAcls's:
``Adding ACLs for resource `ResourcePattern(...)`:`` and one tab-indented entry a line
(Kafka prints a Scala Set, in hash order; here the order is the operations' as listed).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.sim.security.acl import CLUSTER_NAME, WILDCARD_HOST, AclBinding, AclOperation as Op, PatternType, _parse

__all__ = ["acl_command_bindings", "acl_command_output"]

_PRODUCER_TOPIC = (Op.WRITE, Op.DESCRIBE, Op.CREATE)
_PRODUCER_TXN = (Op.WRITE, Op.DESCRIBE)
_CONSUMER_TOPIC = (Op.READ, Op.DESCRIBE)


def acl_command_bindings(*, allow_principals: Sequence[str] = (), deny_principals: Sequence[str] = (),
                         allow_hosts: Sequence[str] = (), deny_hosts: Sequence[str] = (),
                         operations: Sequence[str] = (), topics: Sequence[str] = (), groups: Sequence[str] = (),
                         transactional_ids: Sequence[str] = (), cluster: bool = False, producer: bool = False,
                         consumer: bool = False, idempotent: bool = False,
                         resource_pattern_type: str = "LITERAL") -> list[AclBinding]:
    """The bindings ``kafka-acls --add`` creates for these flags, with AclCommand's own checks."""
    pattern = _parse(PatternType, resource_pattern_type, "--resource-pattern-type",
                     (PatternType.LITERAL, PatternType.PREFIXED))
    if (producer or consumer) and (operations or deny_principals or deny_hosts):
        raise ValueError("Option \"[producer]\" can't be used with option \"[operation]\" or deny options "
                         "(--producer and --consumer infer the operations and allow only)")
    if producer and not topics:
        raise ValueError("With --producer you must specify a --topic")
    if idempotent and not producer:
        raise ValueError("The --idempotent option is only available if --producer is set")
    if consumer and (not topics or not groups or (not producer and (cluster or transactional_ids))):
        raise ValueError("With --consumer you must specify a --topic and a --group and no --cluster or "
                         "--transactional-id option should be specified.")
    resources: list[tuple[str, str, tuple[Op, ...]]] = []  # (resource type, name, operations)
    if producer:
        resources += [("TOPIC", t, _PRODUCER_TOPIC) for t in topics]
        resources += [("TRANSACTIONAL_ID", x, _PRODUCER_TXN) for x in transactional_ids]
        if idempotent and pattern is PatternType.LITERAL:
            resources.append(("CLUSTER", CLUSTER_NAME, (Op.IDEMPOTENT_WRITE,)))
    if consumer:
        resources += [("TOPIC", t, _CONSUMER_TOPIC) for t in topics]
        resources += [("GROUP", g, (Op.READ,)) for g in groups]
    if not producer and not consumer:
        ops = tuple(_parse(Op, o, "--operation", tuple(Op)[2:]) for o in operations) or (Op.ALL,)
        resources += [("TOPIC", t, ops) for t in topics] + [("GROUP", g, ops) for g in groups]
        resources += [("TRANSACTIONAL_ID", x, ops) for x in transactional_ids]
        if cluster and pattern is PatternType.LITERAL:
            resources.append(("CLUSTER", CLUSTER_NAME, ops))
    if not resources:
        raise ValueError("You must provide at least one resource: --topic <topic> or --cluster or "
                         "--group <group> or --delegation-token <Delegation Token ID>")
    bindings: list[AclBinding] = []
    grants = [("ALLOW", p, allow_hosts or [WILDCARD_HOST]) for p in allow_principals]
    grants += [("DENY", p, deny_hosts or [WILDCARD_HOST]) for p in deny_principals]
    for rtype, name, ops in resources:
        rpattern = PatternType.LITERAL if rtype == "CLUSTER" else pattern
        for permission, principal, hosts in grants:
            for op in ops:
                for host in hosts:
                    binding = AclBinding(principal.strip(), host.strip(), op, permission, rtype, name, rpattern)
                    if binding not in bindings:
                        bindings.append(binding)
    return bindings


def acl_command_output(bindings: Sequence[AclBinding]) -> str:
    """AclCommand.addAcls's lines for these bindings, grouped by resource in first-seen order."""
    by_resource: dict[str, list[str]] = {}
    for b in bindings:
        by_resource.setdefault(b.pattern_text(), []).append("\t" + b.entry_text())
    return "".join(f"Adding ACLs for resource `{resource}`: \n {chr(10).join(entries)} \n\n"
                   for resource, entries in by_resource.items())
