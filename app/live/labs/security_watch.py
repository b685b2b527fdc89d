"""What the security lab's page draws: each client's connections and principal, the denials, the threats, the captures.

Not a Kafka class: the lab's view of a secured run (app/live/labs/security.py), kept up to date from
the run's events through ``trace.subscribe`` (docs/labs.md). It keeps:

- per client and broker the connection's state, security protocol, TLS version and principal
  (``channel.*`` events), and each client's last failure with Kafka's words;
- the authoriser's denials that Kafka logs (``acl.denied`` at INFO) and the applications' own admin
  calls (``admin.result``);
- what an eavesdropper on the clients' network captures (``message.sent`` to or from a client): the
  newest messages that carry records or credentials, each with what the byte view needs to rebuild
  its real bytes (the batch's own bytes, from ``batch.closed``), and counts of what it could read.

Everything here is plain data, copied with the run at each checkpoint.
"""

from __future__ import annotations

import base64
from collections import Counter, OrderedDict, deque
from typing import Any

from app.live.labs.security_threats import cards, threats
from app.sim import Scenario
from app.sim.records import with_base_offset

#: Captures a frame lists: the newest of each type the eavesdropper keeps; denials: the newest.
KEEP_CAPTURES_PER_TYPE = 2
KEEP_DENIALS = 6
#: Batches remembered for the byte view: the last few seconds of the lab's producer.
KEEP_BATCHES = 64
#: The message types the eavesdropper keeps: they carry records, credentials or the handshake.
CAPTURED = ("produce", "fetch.response", "sasl_authenticate", "sasl_handshake", "tls", "api_versions")
_ERRORS = {"TOPIC": "TOPIC_AUTHORIZATION_FAILED", "GROUP": "GROUP_AUTHORIZATION_FAILED",
           "CLUSTER": "CLUSTER_AUTHORIZATION_FAILED", "TRANSACTIONAL_ID": "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"}


class SecurityWatch:
    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        #: (client, broker) -> its connection now: state, protocol, tls, principal, reauths
        self.links: dict[str, dict[str, Any]] = {}
        #: channel id -> (client, broker, mechanism), for the set-up's messages
        self.channels: dict[int, tuple[str, int, str | None]] = {}
        self.failures: dict[str, dict[str, Any]] = {}
        self.stopped: dict[str, dict[str, Any]] = {}
        self.denials: deque[dict[str, Any]] = deque(maxlen=KEEP_DENIALS)
        self.admin: list[dict[str, Any]] = []
        #: type -> its newest captures
        self.captures: dict[str, deque[dict[str, Any]]] = {}
        #: the producer's records that failed, by error (its application's callbacks)
        self.produce_errors: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.reauths = 0
        self.batches: OrderedDict[int, tuple[str, int, bytes]] = OrderedDict()
        self.appended: OrderedDict[tuple[str, int, int], tuple[int, int]] = OrderedDict()
        t = sc.trace
        t.subscribe(("channel.connecting", "channel.ready", "channel.failed", "channel.reauthenticated"), self._channel)
        t.subscribe(("acl.denied",), self._denied)
        t.subscribe(("consumer.failed",), self._stopped)
        t.subscribe(("admin.result",), self._admin)
        t.subscribe(("consumer.polled",), self._polled)
        t.subscribe(("batch.closed",), self._closed)
        t.subscribe(("batch.acked",), self._acked)
        t.subscribe(("records.failed",), self._records_failed)
        t.subscribe(("produce.appended",), self._appended)
        t.subscribe(("message.sent",), self._message)

    # -- connections ----------------------------------------------------------------------------
    def _channel(self, e: dict[str, Any]) -> None:
        key = f"{e['client']}>{e['broker']}"
        kind = e["kind"]
        if kind == "channel.connecting":
            self.channels[e["channel"]] = (e["client"], e["broker"], e.get("mechanism"))
            old = self.links.get(key, {})
            self.links[key] = {"client": e["client"], "broker": e["broker"], "state": "connecting", "principal": None,
                               "protocol": e["security_protocol"], "tls": None, "reauths": old.get("reauths", 0)}
        elif kind in ("channel.ready", "channel.reauthenticated"):
            link = self.links.setdefault(key, {"client": e["client"], "broker": e["broker"], "reauths": 0})
            link.update(state="ready", principal=e["principal"])
            if kind == "channel.ready":
                link.update(protocol=e["security_protocol"], tls=e["tls_version"], mechanism=e["mechanism"],
                            setup_ms=e["setup_ms"], setup_bytes=e["setup_bytes"])
                self.failures.pop(e["client"], None)
            else:
                link["reauths"] = link.get("reauths", 0) + 1
                self.reauths += 1
        else:  # channel.failed
            self.links.setdefault(key, {"client": e["client"], "broker": e["broker"], "reauths": 0})["state"] = "failed"
            self.failures[e["client"]] = {"t": e["t"], "exception": e["exception"], "message": e["message"],
                                          "client_log": e["client_log"], "broker_log": e["broker_log"],
                                          "retriable": e["retriable"], "stage": e["stage"]}

    def _stopped(self, e: dict[str, Any]) -> None:
        self.stopped[e["client"]] = {"t": e["t"], "error": e["error"], "message": e["message"]}

    def _denied(self, e: dict[str, Any]) -> None:
        if e.get("level") == "INFO":  # the lines kafka.authorizer.logger writes
            self.denials.append({"t": e["t"], "api": e["api"], "principal": e["principal"], "operation": e["operation"],
                                 "resource_type": e["resource_type"], "resource": e["resource"], "log": e["log"],
                                 "rule": e["rule"], "error": _ERRORS.get(e["resource_type"], "")})

    def _admin(self, e: dict[str, Any]) -> None:
        self.admin.append({k: e[k] for k in ("t", "client", "owner", "api", "topics", "results", "exception", "message")})

    def _polled(self, e: dict[str, Any]) -> None:
        self.records[e["client"]] += e["records"]

    def _acked(self, e: dict[str, Any]) -> None:
        self.records[self.sc.producer.client_id] += len(e["batch"].record_ids)

    def _records_failed(self, e: dict[str, Any]) -> None:
        self.produce_errors[e["error"]] += len(e["records"])

    # -- what the eavesdropper captures ---------------------------------------------------------
    def _closed(self, e: dict[str, Any]) -> None:
        b = e["batch"]
        self.batches[b.batch_id] = (b.topic, b.partition, b.data)
        while len(self.batches) > KEEP_BATCHES:
            self.batches.popitem(last=False)

    def _appended(self, e: dict[str, Any]) -> None:
        self.appended[(e["topic"], e["partition"], e["base_offset"])] = (e["batch"], e["epoch"])
        while len(self.appended) > KEEP_BATCHES:
            self.appended.popitem(last=False)

    def _message(self, e: dict[str, Any]) -> None:
        client = e["src"] if isinstance(e["src"], str) else e["dst"] if isinstance(e["dst"], str) else None
        if client is None:
            return  # between brokers: not on the clients' network
        broker = e["dst"] if isinstance(e["src"], str) else e["src"]
        self.seen["messages"] += 1
        kind = e["type"]
        if "encrypted" in e:  # a message of a connection's set-up
            encrypted, tls = e["encrypted"], e.get("tls")
        else:
            link = self.links.get(f"{client}>{broker}", {})
            tls = link.get("tls")
            encrypted = tls is not None
        if encrypted or kind == "tls":
            self.seen["encrypted"] += 1
        recipe = self._recipe(e, kind)
        if kind not in CAPTURED or recipe is None:
            return
        records = recipe.pop("records", 0)
        if not encrypted:
            self.seen["records read"] += records
            if kind == "sasl_authenticate" and recipe.get("mechanism") == "PLAIN":
                self.seen["passwords read"] += 1
        elif records:
            self.seen["records hidden"] += records
        kept = self.captures.setdefault(kind, deque(maxlen=KEEP_CAPTURES_PER_TYPE))
        kept.append({"id": e["id"], "t": e["t"], "type": kind, "src": e["src"], "dst": e["dst"],
                              "client": client, "broker": broker, "bytes": e["bytes"], "encrypted": encrypted,
                              "tls": tls, "label": e.get("label"), "recipe": recipe})

    def _recipe(self, e: dict[str, Any], kind: str) -> dict[str, Any] | None:
        """What the byte view needs to rebuild the message's bytes, or None for one not worth keeping."""
        if kind == "produce":
            _, batch_id, records, _ = e["batches"][0]
            found = self.batches.get(batch_id)
            if found is None or found[2] is None:
                return None
            topic, partition, data = found
            return {"topic": topic, "partition": partition, "batch": _b64(data), "acks": e["acks"],
                    "records": sum(b[2] for b in e["batches"])}
        if kind == "fetch.response":
            for topic, partition, start, end, hw in e.get("partitions", ()):
                found = self.appended.get((topic, partition, start))
                batch = self.batches.get(found[0]) if found else None
                if end > start and batch is not None and batch[2] is not None:
                    known = self.sc.cluster.controller.topics.get(topic)
                    topic_id = known.topic_id if known is not None else None
                    return {"topic": topic, "partition": partition, "topic_id": topic_id, "high_watermark": hw,
                            "batch": _b64(with_base_offset(batch[2], start, found[1])), "records": end - start}
            return None
        if kind in ("sasl_authenticate", "sasl_handshake", "tls", "api_versions"):
            if "channel" not in e:
                return None
            _, _, mechanism = self.channels.get(e["channel"], (None, None, None))
            return {"mechanism": mechanism, "label": e.get("label"), "channel": e["channel"],
                    "sender": "client" if isinstance(e["src"], str) else "broker"}
        return None

    # -- the frame ------------------------------------------------------------------------------
    def __call__(self, exact: bool = False) -> dict[str, Any]:
        sc = self.sc
        channels = sc.cluster.channels
        client_protocol = channels.protocol_of(None) if channels is not None else "PLAINTEXT"
        topics = sorted(t for t in sc.cluster.controller.topics if not t.startswith("__"))
        view = {"protocol": client_protocol, "authorizer": sc.cluster.authorizer is not None,
                "inter_broker": channels.protocol_of(channels.inter_broker) if channels is not None else "PLAINTEXT",
                "links": sorted(self.links.values(), key=lambda link: (link["client"], link["broker"])),
                "failures": self.failures, "stopped": self.stopped, "denials": list(self.denials),
                "admin": self.admin[-3:], "seen": dict(self.seen), "produce_errors": dict(self.produce_errors),
                "captures": sorted((c for kept in self.captures.values() for c in kept), key=lambda c: c["id"]),
                "records": dict(self.records), "reauths": self.reauths, "topics": topics}
        view["layers"] = layers_of(sc)
        view["server_properties"] = server_properties(sc)
        view["acls"] = [f"{b.principal} {b.permission.name} {b.operation.name} on {b.resource_type.name} {b.name} "
                        f"({b.pattern.name})" for b in sc.spec["acls"]]
        view["cards"] = cards(view, sc.spec)
        view["threats"] = threats(view, view["layers"], view["cards"])
        return view


#: The broker configs the lab's security sets, in server.properties order.
SECURITY_CONFIGS = ("listeners", "listener.security.protocol.map", "inter.broker.listener.name", "sasl.enabled.mechanisms",
                    "ssl.client.auth", "ssl.principal.mapping.rules", "ssl.enabled.protocols", "connections.max.reauth.ms",
                    "authorizer.class.name", "super.users")


def server_properties(sc: Scenario) -> list[str]:
    """The security lines of every broker's server.properties, as the spec set them."""
    cfg = sc.spec["cluster"]["configs"]
    explicit = getattr(cfg, "explicit", cfg)
    out = []
    for key in SECURITY_CONFIGS:
        if key in explicit:
            value = cfg[key]
            out.append(f"{key}={','.join(value) if isinstance(value, list) else value}")
    return out


def layers_of(sc: Scenario) -> dict[str, Any]:
    """What the run's clients' listener has switched on, read back from its configs."""
    channels = sc.cluster.channels
    side = channels.listeners[channels.client_listener]
    tls = next((v for v in ("TLSv1.3", "TLSv1.2") if v in side.tls_versions), None) if "SSL" in side.protocol else None
    if side.protocol.startswith("SASL_"):
        mechanism = side.enabled_mechanisms[0]
        auth = "OAUTHBEARER unsecured" if mechanism == "OAUTHBEARER" else mechanism
    else:
        auth = "mTLS" if tls and side.client_auth == "required" else "none"
    return {"protocol": side.protocol, "tls": tls, "authentication": auth, "acls": sc.cluster.authorizer is not None,
            "reauth_ms": side.max_reauth_ms}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
