"""The consumers and basics labs on the server: consumer faults by name, start settings, replay, and the stories
the lesson tells, each checked in the frames the page draws them from."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.live import LABS, LabSession
from app.live.labs.consumers import RACK_AWARE


def msg(type_: str, **fields: Any) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def _played(lab: str, wall: float, session: LabSession | None = None, start: float = 0) -> LabSession:
    s = session or LabSession(LABS[lab], wall_ms=0)
    t = start
    while t < wall:
        t += 250
        s.tick(t)
    return s


def story(settings: dict[str, Any], log: list[list[Any]], until: float = 30000, lab: str = "consumers") -> dict[str, Any]:
    """The frame of a run loaded as a link (its settings and faults), played at real-time speed to ``until``, paused."""
    s = LabSession(LABS[lab], wall_ms=0)
    assert s.receive(msg("load", settings=settings, log=log), 0) == []
    s.receive(msg("speed", value=1), 0)
    s = _played(lab, until, s)
    s.receive(msg("pause"), until)
    frame = s.next_frame(until)
    assert frame is not None
    return frame


def stops(frame: dict[str, Any]) -> dict[int, list[list[Any]]]:
    """Per partition, the stretches nobody read it after the group first formed."""
    lanes = frame["lab"]["lanes"]["partitions"]
    return {p: [seg for seg in lane if seg[2] is None and seg[0] > 0] for p, lane in enumerate(lanes)}


def test_consumer_faults_name_a_member_or_the_group_and_a_wrong_name_is_refused_with_the_names_there_are():
    s = _played("consumers", 20000)
    assert s.receive(msg("fault", action="kill_consumer", target="billing-1"), 20000) == []
    [error] = s.receive(msg("fault", action="close_consumer", target="billing-7"), 20000)
    assert error["code"] == "bad_value" and "billing-0, billing-1, billing-2" in error["message"]
    [again] = s.receive(msg("fault", action="kill_consumer", target="billing-1"), 20000)
    assert "billing-1 has already stopped; nothing to do" in again["message"]
    assert s.receive(msg("fault", action="add_consumer", target="billing"), 20000) == []
    assert s.receive(msg("fault", action="restart_consumer", target="billing-1"), 20000) == []
    assert [e[2:] for e in s.log] == [["kill_consumer", "billing-1"], ["add_consumer", "billing"],
                                      ["restart_consumer", "billing-1"]]
    names = [m["name"] for m in s.next_frame(20000)["lab"]["members"]]
    assert names == ["billing-0", "billing-1", "billing-2", "billing-3"]


def test_a_seek_back_and_forward_replays_the_consumer_faults_to_the_same_group():
    s = _played("consumers", 20000)
    s.receive(msg("fault", action="kill_consumer", target="billing-0"), 20000)
    s = _played("consumers", 40000, s, 20000)
    s.receive(msg("fault", action="add_consumer", target="billing"), 40000)
    s = _played("consumers", 60000, s, 40000)
    straight = s.next_frame(60000)["lab"]
    s.receive(msg("seek", t=1000), 60000)
    s.receive(msg("seek", t=s.horizon), 60000)
    assert s.next_frame(60000)["lab"] == straight


def test_a_link_with_consumer_faults_is_checked_against_the_names_the_run_will_have():
    s = LabSession(LABS["consumers"], wall_ms=0)
    good = {"log": [[1000, "fault", "add_consumer", "billing"], [2000, "fault", "kill_consumer", "billing-3"]]}
    assert s.receive(msg("load", **good), 0) == []
    bad = {"log": [[2000, "fault", "kill_consumer", "billing-3"]]}
    [error] = s.receive(msg("load", **bad), 0)
    assert error["ref"] == "load" and "billing-3" in error["message"]


def test_switching_the_protocol_restarts_the_group_with_it_and_says_so():
    s = _played("consumers", 8000)
    s.receive(msg("set_config", name="group.protocol", value="consumer"), 8000)
    notice = s.next_frame(8000)["notices"]
    assert [n["kind"] for n in notice] == ["topic.created"] and "group.protocol=consumer" in notice[0]["text"]
    s = _played("consumers", 40000, s, 8000)
    frame = s.next_frame(40000)
    assert frame["settings"]["group.protocol"] == "consumer"
    assert {m["protocol"] for m in frame["lab"]["members"]} == {"consumer"}
    assert all(m["state"] == "consuming" for m in frame["lab"]["members"])


# -- the lesson's "things to try", as the page draws them --------------------------------------------------------

ADD = [[12000, "fault", "add_consumer", "billing"]]


def test_a_fourth_member_stops_every_partition_under_range_and_none_under_cooperative_sticky():
    """Three partitions, a fourth member that gets none: an eager assignor still revokes everything."""
    eager = story({}, ADD)
    assert all(len(s) == 1 for s in stops(eager).values())  # all three stopped, once
    [rebalance] = [r for r in eager["lab"]["rebalances"] if r["generation"] == 2]
    assert all(s[0][0] >= rebalance["start"] and s[0][1] <= rebalance["end"] + 100 for s in stops(eager).values())
    assert {m["name"]: m["state"] for m in eager["lab"]["members"]}["billing-3"] == "idle"
    cooperative = story({"partition.assignment.strategy": "cooperative-sticky"}, ADD)
    assert not any(stops(cooperative).values())
    assert [r["generation"] for r in cooperative["lab"]["rebalances"]] == [1, 2]
    assert [lane[-1][2] for lane in cooperative["lab"]["lanes"]["partitions"]] == ["billing-0", "billing-1", "billing-2"]


def test_under_the_consumer_protocol_a_new_member_stops_only_the_partition_it_takes():
    frame = story({"group.protocol": "consumer"}, ADD)
    after = {p: [seg for seg in s if seg[0] > 12000] for p, s in stops(frame).items()}
    [(moved, _)] = [(p, s) for p, s in after.items() if s]
    assert frame["lab"]["lanes"]["partitions"][moved][-1][2] == "billing-3"


def test_a_killed_member_s_partition_waits_for_the_session_timeout_and_its_records_since_the_last_commit_come_again():
    frame = story({}, [[12000, "fault", "kill_consumer", "billing-1"]])
    [[start, end, _]] = stops(frame)[1]  # billing-1 read partition 1
    assert start == 12000
    # session.timeout.ms (10 s in the lab) without a heartbeat, then a rebalance, as the coordinator sees it.
    assert 10000 <= end - start < 10000 + 3000
    [expired] = [r for r in frame["lab"]["rebalances"] if r["generation"] == 2]
    assert "on heartbeat expiration" in expired["reason"]
    assert frame["lab"]["ledger"]["redelivered"] > 0 and frame["lab"]["ledger"]["missed"] == 0
    assert {m["name"]: m["state"] for m in frame["lab"]["members"]}["billing-1"] == "killed"


def test_a_closed_member_leaves_at_once():
    frame = story({}, [[12000, "fault", "close_consumer", "billing-1"]])
    [left] = [r for r in frame["lab"]["rebalances"] if r["generation"] == 2]
    assert 12000 < left["start"] < 12500 and "(LeaveGroup)" in left["reason"]
    assert frame["lab"]["ledger"]["redelivered"] == 0
    assert {m["name"]: m["state"] for m in frame["lab"]["members"]}["billing-1"] == "closed"


def _killed_mid_batch(commit: str) -> dict[str, Any]:
    """billing-0 killed at the first moment after 12 s that it is processing two records or more of a poll."""
    s = LabSession(LABS["consumers"], wall_ms=0)
    s.receive(msg("set_config", name="commit", value=commit), 0)
    s.receive(msg("speed", value=1), 0)
    s = _played("consumers", 12000, s)
    t = 12000.0
    while t < 20000:  # fetch.min.bytes gathers a few records a poll: billing-0 is soon busy with some
        t += 5
        s.tick(t)
        frame = s.next_frame(t)
        if frame is None:
            continue
        s.outbox.ack(frame["seq"])  # as the page does: the next frame waits for it
        if frame["lab"]["members"][0]["processing"] >= 2:
            break
    else:
        raise AssertionError("billing-0 never processed a poll of two records or more")
    assert s.receive(msg("fault", action="kill_consumer", target="billing-0"), t) == []
    s = _played("consumers", t + 20000, s, t)
    return s.next_frame(t + 20000)["lab"]["ledger"]


def test_committing_before_processing_misses_what_a_killed_member_was_processing():
    before = _killed_mid_batch("commitSync before processing")
    assert before["missed"] > 0 and before["redelivered"] == 0
    auto = _killed_mid_batch("auto-commit")
    assert auto["missed"] == 0 and auto["redelivered"] > 0


def test_a_static_member_restarted_within_the_session_timeout_gets_its_partitions_back_without_a_rebalance():
    frame = story({"group.instance.id": "member name"},
                  [[12000, "fault", "kill_consumer", "billing-1"], [15000, "fault", "restart_consumer", "billing-1"]])
    assert frame["lab"]["generation"] == 1 and [r["generation"] for r in frame["lab"]["rebalances"]] == [1]
    assert {p: len(s) for p, s in stops(frame).items()} == {0: 0, 1: 1, 2: 0}
    lane = frame["lab"]["lanes"]["partitions"][1]
    assert [seg[2] for seg in lane[-3:]] == ["billing-1", None, "billing-1"]
    assert {m["name"]: m["instance_id"] for m in frame["lab"]["members"]}["billing-1"] == "billing-1"


def test_killing_the_coordinator_s_broker_moves_the_coordinator_without_a_rebalance():
    frame = story({}, [[12000, "fault", "kill_broker", 0]])
    assert frame["lab"]["coordinator"] == 1  # the next leader of the group's __consumer_offsets partition
    assert frame["lab"]["generation"] == 1
    assert frame["flow"]["groups"]["coordinators"] == {"billing": 1}
    assert [b["alive"] for b in frame["state"]["brokers"]] == [False, True, True]


def test_fetching_from_the_nearest_replica_keeps_the_group_s_bytes_in_its_zones():
    leaders = story({}, [], 15000)["lab"]
    nearest = story({"replica.selector.class": "RackAwareReplicaSelector"}, [], 15000)["lab"]
    assert nearest["fetch"]["selector"] == RACK_AWARE and leaders["fetch"]["selector"] is None
    assert leaders["fetch"]["cross_az_bytes"] == leaders["fetch"]["bytes"] > 0
    assert nearest["fetch"]["cross_az_bytes"] / nearest["fetch"]["bytes"] < 0.01
    # billing-0 reads partition 0 (led by broker 0, az-a) from az-b: from broker 1, the replica in its own zone.
    assert [m["rack"] for m in nearest["members"]] == ["az-b", "az-c", "az-a"]
    assert [m["from"] for m in leaders["members"]] == [[0], [1], [2]]
    assert [m["from"] for m in nearest["members"]] == [[1], [2], [0]]


def test_the_partition_table_reads_like_kafka_consumer_groups_describe():
    frame = story({}, [], 12000)
    for p in frame["lab"]["partitions"]:
        assert p["lag"] == p["high_watermark"] - p["committed"]
        assert p["records_lag"] == p["high_watermark"] - p["position"]
        assert p["reader"] == f"billing-{p['partition']}"


# -- the basics lab ----------------------------------------------------------------------------------------------

def test_the_basics_lab_shows_each_partition_s_records_and_who_read_them():
    s = _played("basics", 40000)
    view = s.next_frame(40000)["lab"]
    assert [p["partition"] for p in view["partitions"]] == [0, 1, 2]
    records = [r for p in view["partitions"] for r in p["records"]]
    assert records and all(r["key"].startswith("key-") for r in records)
    assert any(r["read_by"] == "readers-0" for r in records)
    [reader] = view["consumers"]
    assert reader["partitions"] == [0, 1, 2] and reader["state"] == "consuming"
    assert set(reader["positions"]) == {"0", "1", "2"}


@pytest.mark.parametrize("partitions", [3, 2])
def test_a_second_basics_consumer_shares_the_partitions_and_closing_it_gives_them_back(partitions: int):
    frame = story({"partitions": partitions}, [[6000, "fault", "add_consumer", "readers"]], 12000, lab="basics")
    split = {c["name"]: c["partitions"] for c in frame["lab"]["consumers"]}
    assert split == {"readers-0": list(range(partitions - 1)), "readers-1": [partitions - 1]}
    frame = story({"partitions": partitions}, [[6000, "fault", "add_consumer", "readers"],
                                               [12000, "fault", "close_consumer", "readers-1"]], 20000, lab="basics")
    states = {c["name"]: (c["state"], c["partitions"]) for c in frame["lab"]["consumers"]}
    assert states == {"readers-0": ("consuming", list(range(partitions))), "readers-1": ("closed", [])}
    # Records keep their partition by key: each key is in one partition only.
    keys: dict[str, set[int]] = {}
    for p in frame["lab"]["partitions"]:
        for r in p["records"]:
            keys.setdefault(r["key"], set()).add(p["partition"])
    assert all(len(parts) == 1 for parts in keys.values())
