"""The consumers and basics labs on the server: consumer faults by name, start settings, replay."""

from __future__ import annotations

import json
from typing import Any

from app.live import LabSession
from app.live.labs.basics import BASICS
from app.live.labs.consumers import CONSUMERS

#: Not in app.live.LABS until their pages exist (a lab nobody can open is not linked).
LABS = {"basics": BASICS, "consumers": CONSUMERS}


def msg(type_: str, **fields: Any) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def _played(lab: str, wall: float, session: LabSession | None = None, start: float = 0) -> LabSession:
    s = session or LabSession(LABS[lab], wall_ms=0)
    t = start
    while t < wall:
        t += 250
        s.tick(t)
    return s


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


def test_the_basics_lab_shows_each_partition_s_records_and_who_read_them():
    s = _played("basics", 40000)
    view = s.next_frame(40000)["lab"]
    assert [p["partition"] for p in view["partitions"]] == [0, 1, 2]
    records = [r for p in view["partitions"] for r in p["records"]]
    assert records and all(r["key"].startswith("key-") for r in records)
    assert any(r["read_by"] == "readers-0" for r in records)
    [reader] = view["consumers"]
    assert reader["partitions"] == [0, 1, 2] and reader["state"] == "consuming"
