"""The safe-producer lab on the server: four producers, the same faults, exact ledgers."""

from __future__ import annotations

import json

from app.configs import registry
from app.live import LABS, LabSession

LOG = [[2000, "fault", "drop_responses", 1], [4000, "fault", "kill_broker", 1]]


def msg(type_: str, **fields) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def frame_at(s: LabSession, until: float) -> dict:
    s.tick(until)
    s.outbox.ack(s.outbox.seq)
    frame = s.next_frame()
    assert frame is not None
    return frame


def columns(frame: dict) -> dict[str, dict]:
    return {c["key"]: c for c in frame["lab"]["columns"]}


def test_the_same_faults_on_four_producers() -> None:
    s = LabSession(LABS["safe-producer"], wall_ms=0)
    assert s.sc.partition_view()[0]["leader"] == 1  # the links here and in the browser test aim at broker 1
    s.receive(msg("load", log=LOG), 0)
    s.receive(msg("speed", value=1), 0)
    cols = columns(frame_at(s, 9000))
    for key in ("3.x", "4.0"):
        assert {k: cols[key]["ledger"][k] for k in ("lost", "duplicated", "reordered")} == {"lost": 0, "duplicated": 0, "reordered": 0}
    assert cols["recipe"]["ledger"]["lost"] == 0 and cols["recipe"]["ledger"]["reordered"] == 0
    assert cols["recipe"]["ledger"]["duplicated"] > 0  # no idempotence: a retry after a lost response writes again
    assert cols["2.8"]["ledger"]["lost"] > 0  # acks=1: the killed leader took acknowledged records with it
    # Every cluster saw the kill at the same moment.
    assert all(c["leader"] != 1 for c in cols.values())


def test_no_fault_means_nothing_lost_anywhere() -> None:
    s = LabSession(LABS["safe-producer"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    for c in frame_at(s, 5000)["lab"]["columns"]:
        assert c["ledger"]["lost"] == 0 and c["ledger"]["duplicated"] == 0, c["key"]
        assert c["ledger"]["acked"] > 150


def test_each_column_lists_its_versions_defaults_from_the_registry() -> None:
    s = LabSession(LABS["safe-producer"], wall_ms=0)
    cols = columns(frame_at(s, 100))
    reg = registry()
    for key, version in (("2.8", "2.8"), ("3.x", "3.x"), ("4.0", "4.0")):
        shown = {x["name"]: x for x in cols[key]["settings"]}
        assert shown["acks"]["default"] == str(reg.get("producer", "acks").default_for(version))
        assert shown["enable.idempotence"]["value"] == str(reg.get("producer", "enable.idempotence").default_for(version)).lower()
        assert not any(x["set"] for x in shown.values())
    recipe = {x["name"]: x for x in cols["recipe"]["settings"]}
    assert recipe["max.in.flight.requests.per.connection"] == {"scope": "producer", "name": "max.in.flight.requests.per.connection",
                                                               "default": "5", "value": "1", "set": True}
    assert recipe["min.insync.replicas"]["value"] == "2"


def test_seek_back_then_forward_replays_the_faults_on_every_column() -> None:
    s = LabSession(LABS["safe-producer"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(2000)
    s.receive(msg("fault", action="kill_broker", broker=1), 2000)
    want = json.dumps(frame_at(s, 6000)["lab"], sort_keys=True)
    s.receive(msg("seek", t=1500), 6001)
    s.receive(msg("seek", t=6000), 6002)
    s.outbox.ack(s.outbox.seq)
    assert json.dumps(s.next_frame()["lab"], sort_keys=True) == want


def test_paused_columns_show_the_ledger_now_not_a_sample_from_before() -> None:
    """Columns sample their ledgers at most every 250 virtual ms while playing; paused, they are exact."""
    s = LabSession(LABS["safe-producer"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    for wall in range(100, 3101, 100):
        s.tick(wall)
        frame = s.next_frame(wall)
        if frame is not None:
            s.receive(msg("ack", seq=frame["seq"]), wall)
    s.tick(3187)
    s.receive(msg("pause"), 3187)
    s.outbox.ack(s.outbox.seq)
    frame = s.next_frame(3187)
    primary = next(c for c in frame["lab"]["columns"] if c["key"] == "4.0")
    assert primary["ledger"] == frame["ledger"] == s.sc.ledger.summary(s.sc.cluster)
