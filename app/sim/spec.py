"""Reading a scenario spec: plain JSON-able data in, checked and normalised, or a SpecError naming the path.

Not a Kafka class. Kafka configs inside the spec are checked by the config
registry (ConfigException names key, value and range); everything else here.
"""

from __future__ import annotations

from typing import Any

from app.configs import KAFKA_VERSIONS, ConfigException
from app.sim.config import resolve_broker, resolve_consumer, resolve_producer, resolve_topic
from app.sim.errors import SpecError
from app.sim.faults import FAULTS, FaultError, Target, check_options, check_target
from app.sim.cluster_security import client_security, listeners_set, make_authorizer, parse_cluster_listeners
from app.sim.topic import topic_name_problem
from app.sim.payloads import PAYLOAD_KINDS
from app.sim.producer.partitioner import NullKeyStrategy

_TOP = ("kafka_version", "cluster", "topic", "topics", "producer", "producers", "workload", "consumer_groups", "faults",
        "duration_ms", "settle_ms", "trace", "network", "partitioner", "acls", "users")
#: A consumer group's keys besides consumer configs (app/sim/consumer/consumer.py says what they do).
_GROUP = ("topics", "members", "process_ms", "commit", "static", "racks", "host", "principal", "listener", "certificate")
_CLUSTER = ("brokers", "racks", "latency_ms", "bandwidth_mbps")
_WORKLOAD = ("records_per_sec", "keys", "value", "value_bytes", "text", "records", "start_ms", "duration_ms")


def _describe(v: Any) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def _int(path: str, v: Any, low: int | None = None, high: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        bound = f" >= {low}" if low is not None else ""
        raise SpecError(path, f"must be an integer{bound}, got {_describe(v)}")
    if low is not None and v < low:
        raise SpecError(path, f"must be an integer >= {low}, got {v}")
    if high is not None and v > high:
        raise SpecError(path, f"must be an integer <= {high}, got {v}")
    return v


def _num(path: str, v: Any, low: float = 0.0) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        raise SpecError(path, f"must be a number >= {low:g}, got {_describe(v)}")
    if v < low:
        raise SpecError(path, f"must be a number >= {low:g}, got {v}")
    return float(v)


def _dict(path: str, v: Any, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise SpecError(path, f"must be an object, got {_describe(v)}")
    if allowed is not None:
        extra = sorted(k for k in v if k not in allowed)
        if extra:
            raise SpecError(f"{path}.{extra[0]}" if path else extra[0], f"unknown key; expected one of: {', '.join(allowed)}")
    return v


def _configs(path: str, scope: str, values: dict[str, Any], version: str,
             broker: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        if scope == "topic":  # a topic falls back to its brokers' log.* configs
            return resolve_topic(values, version, broker)
        return {"producer": resolve_producer, "broker": resolve_broker, "consumer": resolve_consumer}[scope](values, version)
    except ConfigException as exc:
        raise SpecError(f"{path}.{exc.name}", str(exc)) from exc


def parse_spec(spec: Any) -> dict[str, Any]:
    """The spec with every default filled in; SpecError for the first problem found."""
    spec = _dict("", spec, _TOP)
    version = spec.get("kafka_version", "4.0")
    if version not in KAFKA_VERSIONS:
        raise SpecError("kafka_version", f"must be one of {', '.join(map(repr, KAFKA_VERSIONS))}, got {_describe(version)}")
    out: dict[str, Any] = {"kafka_version": version}

    cl = _dict("cluster", spec.get("cluster", {}))
    count = _int("cluster.brokers", cl.get("brokers", 3), 1, 100)
    racks = cl.get("racks", [])
    if not isinstance(racks, list) or not all(isinstance(r, str) for r in racks):
        raise SpecError("cluster.racks", f"must be a list of rack names, got {_describe(racks)}")
    broker_values = {k: v for k, v in cl.items() if k not in _CLUSTER}
    net = _dict("network", spec.get("network", {}), ("latency_ms", "bandwidth_mbps", "links"))
    out["cluster"] = {
        "brokers": count,
        # Racks repeat when fewer are given than brokers: 3 racks for 6 brokers -> a,b,c,a,b,c.
        "racks": [racks[i % len(racks)] for i in range(count)] if racks else [None] * count,
        "latency_ms": _num("cluster.latency_ms", cl.get("latency_ms", net.get("latency_ms", 1.0))),
        "bandwidth_mbps": _num("cluster.bandwidth_mbps", cl.get("bandwidth_mbps", net.get("bandwidth_mbps", 1000.0)), 0.001),
        "configs": _configs("cluster", "broker", broker_values, version),
        "links": _links(net.get("links", []), count),
    }
    try:
        authorizer = make_authorizer(out["cluster"]["configs"], version)
    except ConfigException as exc:
        raise SpecError(f"cluster.{exc.name}", str(exc)) from exc
    out["acls"] = _acls(spec.get("acls", []), authorizer is not None)
    out["users"] = _users(spec.get("users", {}))
    listener_names = _listener_names(out["cluster"]["configs"])
    raw_clients = [p for p in (spec.get("producers") or [spec.get("producer", {})]) if isinstance(p, dict)]
    raw_clients += [g for g in spec.get("consumer_groups", []) or [] if isinstance(g, dict)]
    # Connections carry their security when the spec says anything about it (docs/security.md, "Connections").
    security = listeners_set(out["cluster"]["configs"]) or any(
        k in c for c in raw_clients for k in ("security.protocol", "listener", "certificate"))
    out["cluster"]["security"] = security

    broker_cfg = out["cluster"]["configs"]
    topics = [_topic("topic", spec.get("topic", {}), count, version, broker_cfg)] if "topic" in spec or "topics" not in spec else []
    topics += [_topic(f"topics[{i}]", t, count, version, broker_cfg)
               for i, t in enumerate(_list("topics", spec.get("topics", [])))]
    names = [t["name"] for t in topics]
    dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if dup is not None:
        raise SpecError("topics", f"Topic '{dup}' already exists.")
    out["topics"] = topics
    out["topic"] = topics[0] if topics else None

    if "producers" in spec:
        for key in ("producer", "workload", "partitioner"):
            if key in spec:
                raise SpecError(key, "give either producers (a list) or producer/workload/partitioner, not both")
        producers = [_producer(f"producers[{i}]", dict(_dict(f"producers[{i}]", pr)), None, version, names,
                               listeners=listener_names if security else None)
                     for i, pr in enumerate(_list("producers", spec["producers"]))]
    else:
        single = dict(_dict("producer", spec.get("producer", {})))
        single.setdefault("topic", names[0] if names else None)
        single["workload"] = spec.get("workload", {})
        producers = [_producer("producer", single, spec.get("partitioner"), version, names, single_form=True,
                               listeners=listener_names if security else None)]
    out["producers"] = producers
    first = producers[0] if producers else None
    out["producer"] = first["configs"] if first else None
    out["partitioner"] = first["partitioner"] if first else NullKeyStrategy.for_version(version)
    out["workload"] = first["workload"] if first else None

    out["consumer_groups"] = [_group(f"consumer_groups[{i}]", g, version, names, listener_names if security else None)
                              for i, g in enumerate(_list("consumer_groups", spec.get("consumer_groups", [])))]
    ids = [g["group.id"] for g in out["consumer_groups"]]
    dup = next((g for i, g in enumerate(ids) if g in ids[:i]), None)
    if dup is not None:
        raise SpecError("consumer_groups", f"group.id {dup!r} is given twice: one entry per group")

    out["duration_ms"] = _num("duration_ms", spec.get("duration_ms", 10000))
    out["settle_ms"] = _num("settle_ms", spec.get("settle_ms", 1000))
    faults = _list("faults", spec.get("faults", []))
    members = _member_names(out["consumer_groups"], faults)
    out["faults"] = [_fault(i, f, count, members, ids) for i, f in enumerate(faults)]
    tr = _dict("trace", spec.get("trace", {}), ("records", "kinds", "enabled", "wire"))
    out["trace"] = {"records": bool(tr.get("records", True)), "kinds": tr.get("kinds"), "enabled": bool(tr.get("enabled", True)),
                    "wire": bool(tr.get("wire", False))}
    return out


def _topic(path: str, tp: Any, count: int, version: str, broker: dict[str, Any] | None = None) -> dict[str, Any]:
    tp = _dict(path, tp)
    name = tp.get("name", "orders")
    problem = topic_name_problem(name)
    if problem:
        raise SpecError(f"{path}.name", problem)
    partitions = _int(f"{path}.partitions", tp.get("partitions", 1), 1, 10000)
    rf = _int(f"{path}.replication.factor", tp.get("replication.factor", min(3, count)), 1)
    if rf > count:
        raise SpecError(f"{path}.replication.factor", f"Unable to replicate the partition {rf} time(s): The target replication "
                        f"factor of {rf} cannot be reached because only {count} broker(s) are registered.")
    topic_values = {k: v for k, v in tp.items() if k not in ("name", "partitions", "replication.factor")}
    return {"name": name, "partitions": partitions, "replication.factor": rf,
            "configs": _configs(path, "topic", topic_values, version, broker)}


def _producer(path: str, pr: dict[str, Any], partitioner: Any, version: str, topics: list[str],
              single_form: bool = False, listeners: list[str] | None = None) -> dict[str, Any]:
    """One producer: its topic, configs, null-key strategy, workload, and where it runs."""
    topic = pr.pop("topic", None)
    if topic not in topics:
        raise SpecError(f"{path}.topic", f"must name one of the spec's topics ({', '.join(topics) or 'none'}), got "
                        f"{_describe(topic)}")
    workload = _workload("workload" if single_form else f"{path}.workload", pr.pop("workload", {}))
    host = pr.pop("host", "producer" if single_form else None)
    rack = pr.pop("rack", None)
    where = "producer" if single_form else path
    principal = _principal(f"{where}.principal", pr.pop("principal", None))
    listener, certificate = pr.pop("listener", None), pr.pop("certificate", None)
    strategy = pr.pop("partitioner", partitioner)
    if strategy is None:
        chosen = NullKeyStrategy.for_version(version)
    else:
        try:
            chosen = NullKeyStrategy(strategy)
        except ValueError:
            raise SpecError(f"{'producer' if single_form else path}.partitioner", "must be one of 'round-robin', 'sticky', "
                            f"'uniform-sticky', got {_describe(strategy)}") from None
    configs = _configs(where, "producer", pr, version)
    _client_security(where, configs, principal, listener, certificate, listeners)
    return {"topic": topic, "configs": configs, "partitioner": chosen, "workload": workload, "host": host, "rack": rack,
            "principal": principal, "listener": listener, "certificate": certificate}


def _workload(path: str, wl: Any) -> dict[str, Any]:
    wl = _dict(path, wl, _WORKLOAD)
    keys = wl.get("keys", 0)
    value = wl.get("value", "json")
    if value not in PAYLOAD_KINDS:
        raise SpecError(f"{path}.value", f"must be one of {', '.join(PAYLOAD_KINDS)}, got {_describe(value)}")
    if value == "text" and not (isinstance(wl.get("text"), str) and wl["text"]):
        raise SpecError(f"{path}.text", "must be a non-empty string when workload.value is 'text'")
    out = {
        "records_per_sec": _num(f"{path}.records_per_sec", wl.get("records_per_sec", 1000)),
        "keys": 0 if keys is None else _int(f"{path}.keys", keys, 0),
        "value": value,
        "value_bytes": _int(f"{path}.value_bytes", wl.get("value_bytes", 100), 1 if value == "json" else 0),
        "text": wl.get("text"),
        "records": None if wl.get("records") is None else _int(f"{path}.records", wl["records"], 0),
        "start_ms": _num(f"{path}.start_ms", wl.get("start_ms", 0)),
    }
    if "duration_ms" in wl:
        out["duration_ms"] = _num(f"{path}.duration_ms", wl["duration_ms"])
    return out


def _group(path: str, g: Any, version: str, topics: list[str], listeners: list[str] | None = None) -> dict[str, Any]:
    """A consumer group: ``members`` consumers named ``<group.id>-0, -1, ...`` with the same configs."""
    g = dict(_dict(path, g))
    group_id = g.get("group.id")
    if not isinstance(group_id, str) or not group_id:
        raise SpecError(f"{path}.group.id", f"must be a non-empty string, got {_describe(group_id)}")
    subscribed = g.pop("topics", None)
    if not isinstance(subscribed, list) or not subscribed or any(t not in topics for t in subscribed):
        raise SpecError(f"{path}.topics", f"must be a non-empty list of the spec's topics ({', '.join(topics) or 'none'}), "
                        f"got {_describe(subscribed)}")
    members = _int(f"{path}.members", g.pop("members", 1), 0, 100)
    process_ms = _num(f"{path}.process_ms", g.pop("process_ms", 0.0))
    commit = g.pop("commit", "auto")
    if commit not in ("auto", "after", "before"):
        raise SpecError(f"{path}.commit", f"must be one of 'auto' (enable.auto.commit), 'after' (commitSync after "
                        f"processing), 'before' (commitSync before processing), got {_describe(commit)}")
    static = g.pop("static", False)
    if not isinstance(static, bool):
        raise SpecError(f"{path}.static", f"must be true (each member gets group.instance.id = its name) or false, got "
                        f"{_describe(static)}")
    racks = g.pop("racks", [])
    if not isinstance(racks, list) or not all(isinstance(r, str) for r in racks):
        raise SpecError(f"{path}.racks", f"must be a list of client.rack values, one per member (repeated), got {_describe(racks)}")
    host = g.pop("host", None)
    principal = _principal(f"{path}.principal", g.pop("principal", None))
    listener, certificate = g.pop("listener", None), g.pop("certificate", None)
    if commit != "auto" and "enable.auto.commit" not in g:
        g["enable.auto.commit"] = False  # committing by hand: auto-commit off, as an application that commits does
    configs = _configs(path, "consumer", g, version)
    _client_security(path, configs, principal, listener, certificate, listeners)
    return {"group.id": group_id, "topics": list(subscribed), "members": members, "process_ms": process_ms,
            "commit": commit, "static": static, "racks": racks, "host": host, "principal": principal, "configs": configs,
            "listener": listener, "certificate": certificate}


def _principal(path: str, v: Any) -> str | None:
    """A client's principal (``User:alice``): who SASL or its certificate would say it is; None for ANONYMOUS."""
    if v is None:
        return None
    from app.sim.security.acl import parse_principal

    try:
        parse_principal(v)
    except ValueError as exc:
        raise SpecError(path, str(exc)) from None
    return v


def _listener_names(cfg: dict[str, Any]) -> list[str]:
    """The brokers' listener names (``listeners``, checked as KafkaConfig checks them)."""
    try:
        return [e.name for e in parse_cluster_listeners(cfg).listeners]
    except ConfigException as exc:
        raise SpecError(f"cluster.{exc.name}", exc.reason) from None


def _client_security(path: str, configs: dict[str, Any], principal: str | None, listener: Any, certificate: Any,
                     listeners: list[str] | None) -> None:
    """A client's security settings, checked when connections carry security (``listeners``: the brokers')."""
    if listeners is None:
        return
    if principal is not None:
        raise SpecError(f"{path}.principal", "a client's principal comes from its connection when the spec sets "
                        "cluster.listeners or a client's security.protocol (its certificate or its SASL user); "
                        "remove principal")
    if listener is not None and listener not in listeners:
        raise SpecError(f"{path}.listener", f"must name one of the brokers' listeners ({', '.join(listeners)}), got "
                        f"{_describe(listener)}")
    try:
        client_security(configs, certificate)
    except ConfigException as exc:
        raise SpecError(f"{path}.{exc.name}", exc.reason) from None
    except ValueError as exc:
        raise SpecError(f"{path}.certificate", str(exc)) from None


def _users(v: Any) -> dict[str, str]:
    """The users the brokers know, name -> password: PLAIN's JAAS entries and the SCRAM credentials made from them."""
    users = _dict("users", v)
    for name, password in users.items():
        if not isinstance(name, str) or not name or not isinstance(password, str) or not password:
            raise SpecError(f"users.{name}", f"must map a user name to a non-empty password string, got {_describe(password)}")
    return dict(users)


def _acls(v: Any, have_authorizer: bool) -> list[Any]:
    """ACLs the cluster starts with, as ``kafka-acls --add`` would create them (AclBinding's checks)."""
    from app.sim.security.acl import AclBinding

    acls = []
    for i, a in enumerate(_list("acls", v)):
        a = _dict(f"acls[{i}]", a, ("principal", "host", "operation", "permission", "resource_type", "name", "pattern"))
        try:
            acls.append(AclBinding(a.get("principal"), a.get("host", "*"), a.get("operation"),  # type: ignore[arg-type]
                                   a.get("permission", "ALLOW"), a.get("resource_type"), a.get("name"),  # type: ignore[arg-type]
                                   a.get("pattern", "LITERAL")))
        except ValueError as exc:
            raise SpecError(f"acls[{i}]", str(exc)) from None
    if acls and not have_authorizer:
        raise SpecError("acls", "ACLs need an authorizer: set cluster.authorizer.class.name "
                        "(org.apache.kafka.metadata.authorizer.StandardAuthorizer)")
    return acls


def _member_names(groups: list[dict[str, Any]], faults: list[Any]) -> dict[str, str]:
    """Every member name a run can have (member -> group): the initial ones and one per add_consumer, in fault order."""
    names = {f"{g['group.id']}-{i}": g["group.id"] for g in groups for i in range(g["members"])}
    counts = {g["group.id"]: g["members"] for g in groups}
    timed = sorted((f.get("at_ms", 0) if isinstance(f.get("at_ms", 0), (int, float)) else 0, i, f)
                   for i, f in enumerate(faults) if isinstance(f, dict) and "add_consumer" in f)
    for _, _, f in timed:
        group_id = f["add_consumer"]
        if group_id in counts:
            names[f"{group_id}-{counts[group_id]}"] = group_id
            counts[group_id] += 1
    return names


def _list(path: str, v: Any) -> list:
    if not isinstance(v, list):
        raise SpecError(path, f"must be a list, got {_describe(v)}")
    return v


def _broker(path: str, v: Any, count: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < count:
        raise SpecError(path, f"must be a broker id from 0 to {count - 1}, got {_describe(v)}")
    return v


def _links(v: Any, count: int) -> list[tuple[Any, Any, float]]:
    out = []
    for i, link in enumerate(_list("network.links", v)):
        path = f"network.links[{i}]"
        link = _dict(path, link, ("from", "to", "latency_ms"))
        ends = []
        for end in ("from", "to"):
            x = link.get(end)
            ends.append("producer" if x == "producer" else _broker(f"{path}.{end}", x, count))
        out.append((ends[0], ends[1], _num(f"{path}.latency_ms", link.get("latency_ms"))))
    return out


def _fault(i: int, f: Any, count: int, members: dict[str, str], groups: list[str]) -> dict[str, Any]:
    """``{"at_ms": t, "<fault>": target}``, or for a fault with options ``{"<fault>": {"broker": b, "<option>": x}}``."""
    path = f"faults[{i}]"
    f = _dict(path, f, ("at_ms",) + tuple(FAULTS))
    at = _num(f"{path}.at_ms", f.get("at_ms"))
    actions = [k for k in FAULTS if k in f]
    if len(actions) != 1:
        raise SpecError(path, f"must have exactly one action of: {', '.join(FAULTS)}")
    name = actions[0]
    fault = FAULTS[name]
    arg = f[name]
    options: dict[str, Any] = {}
    if isinstance(arg, dict) and fault.options:
        d = _dict(f"{path}.{name}", arg, ("broker",) + tuple(o.name for o in fault.options))
        arg = d.get("broker")
        options = {k: v for k, v in d.items() if k != "broker"}
    if arg is True and fault.target in (Target.NONE, Target.BROKER_OR_ALL):
        arg = None  # {"flush": true}, {"heal": true}: the action with no particular broker
    try:
        target = check_target(fault, arg, count, members, groups)
        values = check_options(fault, options)
    except FaultError as exc:
        raise SpecError(f"{path}.{name}", str(exc)) from None
    return {"at_ms": at, "action": name, "target": target, "options": values}
