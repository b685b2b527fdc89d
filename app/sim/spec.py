"""Reading a scenario spec: plain JSON-able data in, checked and normalised, or a SpecError naming the path.

Not a Kafka class. Kafka configs inside the spec are checked by the config
registry (ConfigException names key, value and range); everything else here.
"""

from __future__ import annotations

from typing import Any

from app.configs import KAFKA_VERSIONS, ConfigException
from app.sim.config import resolve_broker, resolve_producer, resolve_topic
from app.sim.errors import SpecError
from app.sim.faults import FAULTS, FaultError, Target, check_options, check_target
from app.sim.payloads import PAYLOAD_KINDS
from app.sim.producer.partitioner import NullKeyStrategy

_TOP = ("kafka_version", "cluster", "topic", "producer", "workload", "faults", "duration_ms", "settle_ms", "trace",
        "network", "partitioner")
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
        return {"producer": resolve_producer, "broker": resolve_broker}[scope](values, version)
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

    tp = _dict("topic", spec.get("topic", {}))
    name = tp.get("name", "orders")
    if not isinstance(name, str) or not name or len(name) > 249:
        raise SpecError("topic.name", f"must be a non-empty string of at most 249 characters, got {_describe(name)}")
    partitions = _int("topic.partitions", tp.get("partitions", 1), 1, 10000)
    rf = _int("topic.replication.factor", tp.get("replication.factor", min(3, count)), 1)
    if rf > count:
        raise SpecError("topic.replication.factor", f"Unable to replicate the partition {rf} time(s): The target replication "
                        f"factor of {rf} cannot be reached because only {count} broker(s) are registered.")
    topic_values = {k: v for k, v in tp.items() if k not in ("name", "partitions", "replication.factor")}
    out["topic"] = {"name": name, "partitions": partitions, "replication.factor": rf,
                    "configs": _configs("topic", "topic", topic_values, version, out["cluster"]["configs"])}

    pr = dict(_dict("producer", spec.get("producer", {})))
    strategy = pr.pop("partitioner", spec.get("partitioner"))
    if strategy is None:
        out["partitioner"] = NullKeyStrategy.for_version(version)
    else:
        try:
            out["partitioner"] = NullKeyStrategy(strategy)
        except ValueError:
            raise SpecError("producer.partitioner", "must be one of 'round-robin', 'sticky', 'uniform-sticky', "
                            f"got {_describe(strategy)}") from None
    out["producer"] = _configs("producer", "producer", pr, version)

    wl = _dict("workload", spec.get("workload", {}), _WORKLOAD)
    keys = wl.get("keys", 0)
    value = wl.get("value", "json")
    if value not in PAYLOAD_KINDS:
        raise SpecError("workload.value", f"must be one of {', '.join(PAYLOAD_KINDS)}, got {_describe(value)}")
    if value == "text" and not (isinstance(wl.get("text"), str) and wl["text"]):
        raise SpecError("workload.text", "must be a non-empty string when workload.value is 'text'")
    out["workload"] = {
        "records_per_sec": _num("workload.records_per_sec", wl.get("records_per_sec", 1000)),
        "keys": 0 if keys is None else _int("workload.keys", keys, 0),
        "value": value,
        "value_bytes": _int("workload.value_bytes", wl.get("value_bytes", 100), 1 if value == "json" else 0),
        "text": wl.get("text"),
        "records": None if wl.get("records") is None else _int("workload.records", wl["records"], 0),
        "start_ms": _num("workload.start_ms", wl.get("start_ms", 0)),
    }
    if "duration_ms" in wl:
        out["workload"]["duration_ms"] = _num("workload.duration_ms", wl["duration_ms"])

    out["duration_ms"] = _num("duration_ms", spec.get("duration_ms", 10000))
    out["settle_ms"] = _num("settle_ms", spec.get("settle_ms", 1000))
    out["faults"] = [_fault(i, f, count) for i, f in enumerate(_list("faults", spec.get("faults", [])))]
    tr = _dict("trace", spec.get("trace", {}), ("records", "kinds", "enabled", "wire"))
    out["trace"] = {"records": bool(tr.get("records", True)), "kinds": tr.get("kinds"), "enabled": bool(tr.get("enabled", True)),
                    "wire": bool(tr.get("wire", False))}
    return out


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


def _fault(i: int, f: Any, count: int) -> dict[str, Any]:
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
        target = check_target(fault, arg, count)
        values = check_options(fault, options)
    except FaultError as exc:
        raise SpecError(f"{path}.{name}", str(exc)) from None
    return {"at_ms": at, "action": name, "target": target, "options": values}
