"""The partitioning lab's server side: the key arithmetic route, the generated keys' moves, the null-key runs,
and the partition count as a creation setting of the live run."""

from __future__ import annotations

import json

import pytest

from app.live import LABS, LabSession
from app.live.labs.partitioning import explain_key, generated_keys, null_key_runs
from app.sim import partition_for_key

from .conftest import ORIGIN


def test_a_key_worked_through_as_kafka_does() -> None:
    # Kafka's UtilsTest: murmur2("21") = -973932308; toPositive % 3 = 0 where abs() % 3 = 2.
    k = explain_key("21", 3)
    assert (k["bytes_hex"], k["length"], k["murmur2"], k["to_positive"], k["partition"], k["abs_partition"]) == \
        ("32 31", 2, -973932308, 1173551340, 0, 2)
    # The lesson's self-check: order-42 on 6 partitions, Java 0, librdkafka's CRC-32 4.
    k = explain_key("order-42", 6, previous=3)
    assert k["partition"] == 0 and k["previous_partition"] == partition_for_key(b"order-42", 3)
    assert {o["client"]: o["partition"] for o in k["others"]}["librdkafka"] == 4
    assert explain_key("Grüße", 6)["length"] == len("Grüße".encode())


def test_generated_keys_and_the_share_that_moves() -> None:
    g = generated_keys(8, previous=6)
    expected = [partition_for_key(f"key-{i}".encode(), 8) != partition_for_key(f"key-{i}".encode(), 6) for i in range(12)]
    assert [r["moved"] for r in g["keys"]] == expected and g["moved"] == sum(expected)
    # About three keys in four move from 6 to 8 partitions (the lesson's self-check).
    assert 0.70 < g["sample_moved"] / g["sample_total"] < 0.80
    assert generated_keys(6)["moved"] == 0


def test_null_keys_under_each_strategy() -> None:
    rr, sticky, uniform = null_key_runs(6)
    assert [r["strategy"] for r in (rr, sticky, uniform)] == ["round-robin", "sticky", "uniform-sticky"]
    assert rr["per_partition"] == [200] * 6 and rr["records_per_batch"] == 1.0
    assert rr["first"][:6] == sorted(rr["first"][:6], key=lambda p: (p - rr["first"][0]) % 6)
    # Sticky (KIP-480) changes partition with every new batch; uniform sticky keeps one for batch.size bytes.
    assert sticky["records_per_batch"] > 1 and len(set(sticky["first"][:10])) > 1
    assert len(set(uniform["first"][:60])) == 1
    assert all(sum(r["per_partition"]) == r["records"] == 1200 for r in (rr, sticky, uniform))


def test_the_route_answers_and_refuses_bad_input(lab_client) -> None:
    client = lab_client()
    answer = client.post("/api/labs/partitioning/key", json={"key": "21", "partitions": 3}).json()
    assert answer["key"]["partition"] == 0 and answer["generated"]["total"] == 12
    assert client.post("/api/labs/partitioning/key", json={"partitions": 6}).json()["key"] is None
    for body, words in [
        ('{"key": "\\ud800", "partitions": 6}', "lone surrogate"),
        (json.dumps({"key": "é" * 200, "partitions": 6}), "at most 256 bytes in UTF-8; got 400"),
        (json.dumps({"key": "a", "partitions": 0}), "partitions"),
        (json.dumps({"key": "a", "partitions": 6, "colour": "red"}), "colour"),
        ("{not json", "not JSON"),
    ]:
        response = client.post("/api/labs/partitioning/key", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422 and words in response.json()["detail"], (body, response.text)
    runs = client.get("/api/labs/partitioning/null-keys", params={"partitions": 3}).json()
    assert [r["strategy"] for r in runs] == ["round-robin", "sticky", "uniform-sticky"]
    assert client.get("/api/labs/partitioning/null-keys", params={"partitions": 99}).status_code == 422


def test_the_live_run_puts_each_key_where_partition_for_key_says() -> None:
    s = LabSession(LABS["partitioning"], wall_ms=0)
    s.receive(json.dumps({"v": 1, "type": "speed", "value": 1}), 0)
    s.tick(5000)
    sent = [e for e in s.outbox.events if e["kind"] == "record.sent"]
    assert len(sent) > 50
    assert all(e["partition"] == partition_for_key(e["key"].encode(), 6) for e in sent)


@pytest.mark.parametrize("value", [0, 17, "6"])
def test_the_partition_count_is_checked(value) -> None:
    s = LabSession(LABS["partitioning"], wall_ms=0)
    [error] = s.receive(json.dumps({"v": 1, "type": "set_config", "name": "partitions", "value": value}), 0)
    assert error["code"] == "bad_value" and "partitions must be an integer from 1 to 16" in error["message"]


def test_a_new_partition_count_creates_the_topic_again(lab_client) -> None:
    s = LabSession(LABS["partitioning"], wall_ms=0)
    s.tick(2000)
    assert s.receive(json.dumps({"v": 1, "type": "set_config", "name": "partitions", "value": 8}), 2000) == []
    assert s.sc.now == 0 and len(s.sc.partition_view()) == 8 and s.values["partitions"] == 8
    with lab_client().websocket_connect("/ws/labs/partitioning", headers=ORIGIN) as ws:
        hello = ws.receive_json()
        assert hello["lab"]["name"] == "partitioning" and hello["lab"]["preset"] == {"partitions": 6}
