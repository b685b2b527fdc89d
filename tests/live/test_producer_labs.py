"""The batching, compression and throughput labs on the server: their views, replay, what-if curves, the codec comparison."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.live import LABS, LabSession
from app.live.labs.compression import compare
from app.live.labs.whatif import WhatIfError, sweep

from .conftest import ORIGIN


def msg(type_: str, **fields: Any) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def run(session: LabSession, until_wall: float, start: float = 0.0, step: float = 50.0) -> dict[str, Any]:
    t = start
    while t < until_wall:
        t += step
        session.tick(t)
    frame = session.next_frame(t)
    assert frame is not None
    session.receive(msg("ack", seq=frame["seq"]), t)
    return frame


def fresh(name: str, **settings: Any) -> LabSession:
    s = LabSession(LABS[name])
    s.speed = 1.0
    if settings:
        assert s.receive(msg("load", settings=settings), 0) == []
    return s


def test_raising_linger_ms_raises_the_batch_size_the_view_shows() -> None:
    sizes = {}
    for linger in (0, 20, 80):
        lab = run(fresh("batching", **{"linger.ms": linger}), 2500)["lab"]
        sizes[linger] = lab["window"]["batch_size_avg"]
        assert lab["window"]["p99"] >= lab["window"]["p50"] > 0
        assert lab["config"]["linger.ms"] == linger
    assert sizes[0] < sizes[20] < sizes[80]


def test_batches_leave_full_with_a_small_batch_size_and_by_linger_otherwise() -> None:
    lab = run(fresh("batching", **{"linger.ms": 100, "batch.size": "1024"}), 1500)["lab"]
    assert lab["reasons"].get("full", 0) > 0
    assert all(d["bytes"] <= 1024 + 200 for d in lab["departed"] if "bytes" in d)
    lab = run(fresh("batching"), 1500)["lab"]
    assert set(lab["reasons"]) <= {"linger", "drained"} and lab["reasons"]["linger"] > 0
    for p in lab["partitions"]:
        for b in p["batches"]:
            assert b["bytes"] <= 16384 and b["age_ms"] <= 5.0 + 1e-6


def test_the_lab_view_replays_exactly_after_a_seek() -> None:
    s = fresh("batching")
    run(s, 500)
    assert s.receive(msg("set_config", name="linger.ms", value=30), 500) == []
    straight = run(s, 1500, start=500)["lab"]
    now = straight["window"], straight["series"], straight["totals"]
    t = s.sc.now
    s.receive(msg("seek", t=100.0), 1500)
    s.receive(msg("seek", t=t), 1500)
    again = s.next_frame(1500)["lab"]
    assert (again["window"], again["series"], again["totals"]) == now


def test_compression_ratio_is_real_zstd_shrinks_json_random_stays() -> None:
    lab = run(fresh("compression", **{"compression.type": "zstd"}), 2000)["lab"]
    assert 0 < lab["window"]["ratio"] < 0.6
    assert lab["totals"]["wire"] < lab["totals"]["raw"]
    lab = run(fresh("compression", **{"compression.type": "zstd", "payload": "random"}), 2000)["lab"]
    assert 0.95 < lab["window"]["ratio"] < 1.05


def test_changing_the_payload_restarts_with_the_labs_own_notice() -> None:
    s = fresh("compression")
    run(s, 300)
    assert s.receive(msg("set_config", name="payload", value="logs"), 300) == []
    frame = s.next_frame(300)
    assert frame["reset"] and "logs values" in frame["notices"][0]["text"]
    assert s.receive(msg("set_config", name="compression.gzip.level", value="0"), 400)[0]["code"] == "bad_value"


def test_pasted_text_is_the_live_runs_payload_checked_and_replayed() -> None:
    s = fresh("compression", **{"compression.type": "zstd"})
    run(s, 200)
    before, now = s.sc, s.sc.now
    assert s.receive(msg("set_config", name="text", value="kafka " * 100), 200) == []
    assert s.sc is before and s.sc.now == now  # JSON values still: the text waits, the run goes on
    frame = s.next_frame(200)
    assert frame["notices"] == [] and frame["link"]["settings"]["text"] == "kafka " * 100
    s.receive(msg("ack", seq=frame["seq"]), 200)
    assert s.receive(msg("set_config", name="payload", value="text"), 200) == []
    frame = s.next_frame(200)
    assert frame["reset"] and [n["kind"] for n in frame["notices"]] == ["topic.created"]  # one restart, not two
    s.receive(msg("ack", seq=frame["seq"]), 200)
    lab = run(s, 2200, start=200)["lab"]
    assert lab["totals"]["batches"] and 0 < lab["window"]["ratio"] < 0.2
    link = s.link()
    assert link["settings"]["payload"] == "text" and link["settings"]["text"] == "kafka " * 100
    again = fresh("compression", **link["settings"])  # a shared link replays the same run
    assert run(again, 2000)["lab"]["totals"] == run(fresh("compression", **link["settings"]), 2000)["lab"]["totals"]
    for name, value, words in [("text", "", "must not be empty"), ("text", "   ", "must not be empty"),
                               ("text", "é" * 2049, "at most 4096 bytes"), ("text", 42, "must be a string")]:
        reply = s.receive(msg("set_config", name=name, value=value), 2300)
        assert reply[0]["code"] == "bad_value" and words in reply[0]["message"], (value, reply)
    assert s.values["text"] == "kafka " * 100 and s.sc.now > 0  # the session kept its run
    empty = fresh("compression")
    reply = empty.receive(msg("set_config", name="payload", value="text"), 0)
    assert reply[0]["code"] == "bad_value" and "payload=text needs your text first" in reply[0]["message"]
    assert empty.receive(msg("load", settings={"payload": "text"}), 0)[0]["code"] == "bad_value"
    assert run(empty, 500)["lab"]["totals"]["batches"]  # still running, on json


def test_compare_encodes_the_same_batches_with_every_codec() -> None:
    result = compare("json", records_per_batch=10)
    ratios = {r["codec"]: r["ratio"] for r in result["rows"]}
    assert ratios["none"] == 1.0 and all(ratios[c] < 0.7 for c in ("gzip", "snappy", "lz4", "zstd"))
    assert all(0.97 < r["ratio"] < 1.05 for r in compare("random")["rows"])
    assert compare("json")["rows"][4]["bytes"] == result["rows"][4]["bytes"]  # same data, same bytes


def test_compare_route_checks_its_input(lab_client) -> None:
    client = lab_client()
    ok = client.post("/api/labs/compression/compare", json={"payload": "text", "text": "hello kafka " * 30})
    assert ok.status_code == 200 and ok.json()["rows"][1]["ratio"] < 0.5
    for body, words in [({"payload": "text", "text": "   "}, "must not be empty"), ({"payload": "xml"}, "payload must be one of"),
                        ({"payload": "text", "text": "x" * 4097}, "at most 4096 bytes"), ({"nope": 1}, "only"),
                        ({"levels": {"zstd": 40}}, "compression.zstd.level")]:
        r = client.post("/api/labs/compression/compare", json=body)
        assert r.status_code in (413, 422) and words in r.json()["detail"], (body, r.json())


def test_whatif_sweeps_one_setting_with_the_others_as_set(lab_client) -> None:
    client = lab_client()
    r = client.get("/api/labs/batching/whatif", params={"setting": "linger.ms", "batch.size": "4096"})
    body = r.json()
    assert r.status_code == 200 and body["settings"]["batch.size"] == "4096" and body["current"] == 5
    assert 2 <= len(body["points"]) <= 12
    p99 = [p["p99"] for p in body["points"]]
    assert p99[-1] > p99[0]
    acks = client.get("/api/labs/acks/whatif", params={"setting": "min.insync.replicas", "acks": "all"}).json()
    assert [p["value"] for p in acks["points"]] == [1, 2, 3]
    for params, words in [({"setting": "acks"}, "setting must be one of"), ({"setting": "linger.ms", "linger.ms": "x"}, "integer"),
                          ({"setting": "linger.ms", "zzz": "1"}, "unknown parameter"), ({}, "setting="),
                          ({"setting": "linger.ms", "seed": "-4"}, "seed")]:
        r = client.get("/api/labs/batching/whatif", params=params)
        assert r.status_code == 422 and words in r.json()["detail"], (params, r.json())
    assert client.get("/api/labs/nope/whatif", params={"setting": "x"}).status_code == 404


def test_whatif_is_deterministic_and_bounded() -> None:
    a = sweep(LABS["compression"], "compression.type", {"compression.type": "zstd"})
    b = sweep(LABS["compression"], "compression.type", {"compression.type": "zstd"})
    assert a == b and len(a["points"]) == 5
    wire = {p["value"]: p["wire_bytes"] for p in a["points"]}
    assert wire["zstd"] < wire["none"] * 0.6
    cut = sweep(LABS["batching"], "linger.ms", {}, budget_s=0.0)
    assert cut["truncated"] and len(cut["points"]) == 1
    with pytest.raises(WhatIfError):
        sweep(LABS["throughput"], "kafka_version", {})


def test_throughput_twin_runs_the_recipe_on_the_same_records() -> None:
    lab = run(fresh("throughput"), 3000)["lab"]
    defaults, recipe = lab["runs"]
    assert recipe["config"]["compression.type"] == "snappy" and recipe["config"]["batch.size"] == 32768
    assert defaults["config"]["linger.ms"] == 5 and defaults["config"]["compression.type"] == "none"
    assert recipe["window"]["wire_per_sec"] < defaults["window"]["wire_per_sec"] / 2
    assert recipe["window"]["throughput"] > defaults["window"]["throughput"]
    old = run(fresh("throughput", kafka_version="2.8"), 1000)["lab"]
    assert old["version"] == "2.8" and old["runs"][0]["config"]["linger.ms"] == 0


def test_the_labs_answer_on_the_socket(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/batching", headers=ORIGIN) as ws:
        hello = ws.receive_json()
        assert hello["lab"]["name"] == "batching"
        assert [s["name"] for s in hello["lab"]["settings"]] == ["linger.ms", "batch.size"]


def test_flush_sends_the_open_batches_with_reason_flush_and_replays() -> None:
    s = fresh("batching", **{"linger.ms": 100})
    run(s, 1030)
    assert s.receive(msg("fault", action="flush", broker=None), 1030) == []
    lab = run(s, 1100, start=1030)["lab"]
    assert lab["reasons"].get("flush", 0) >= 1
    assert s.link()["log"][-1][1:] == ["fault", "flush", None]
    assert s.receive(msg("fault", action="kill_broker", broker=0), 1100)[0]["code"] == "bad_value"


def test_a_new_producer_closes_the_old_one_and_its_batches_say_close() -> None:
    """Changing a producer setting closes the old producer (KafkaProducer.close): its open batches
    are sent at once with reason close, not flush, which only the application's flush() gives."""
    s = fresh("batching", **{"linger.ms": 100})
    run(s, 1030)
    assert s.receive(msg("set_config", name="linger.ms", value=50), 1030) == []
    lab = run(s, 1100, start=1030)["lab"]
    assert lab["reasons"].get("close", 0) >= 1
    assert lab["reasons"].get("flush", 0) == 0
