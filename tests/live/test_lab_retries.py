"""The retries and idempotence labs on the server: exact outcomes of injected errors and lost responses."""

from __future__ import annotations

import json

from app.live import LABS, LabSession
from app.live.labs.retries import FLAGGED
from app.sim.log_reader import LeaderLogReader


def msg(type_: str, **fields) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def run(lab: str, until: float, log: list, **settings) -> tuple[LabSession, dict]:
    s = LabSession(LABS[lab], wall_ms=0)
    assert s.receive(msg("load", settings=settings, log=log), 0) == []
    s.receive(msg("speed", value=1), 0)
    s.tick(until)
    s.outbox.ack(s.outbox.seq)
    frame = s.next_frame()
    assert frame is not None
    return s, frame


ERRORS = [[1000, "fault", "error_not_enough_replicas", 0], [2000, "fault", "error_not_enough_replicas", 0],
          [3000, "fault", "error_not_leader_or_follower", 0]]
DROPS = [[1000, "fault", "drop_responses", 2], [2500, "fault", "drop_responses", 2]]


def test_the_preset_explains_idempotence_is_off() -> None:
    lab = LABS["retries"]
    assert lab.preset["enable.idempotence"] == "false"
    assert lab.preset["max.in.flight.requests.per.connection"] == 5
    s = LabSession(lab, wall_ms=0)
    assert s.sc.partition_view()[0]["leader"] == 0  # the browser test's link aims at broker 0


def test_in_flight_5_and_retriable_errors_reorder_keys_and_the_view_marks_each_one() -> None:
    s, frame = run("retries", 5000, ERRORS)
    ledger, view = s.ledger(0, force=True), frame["lab"]
    assert ledger["reordered"] > 0 and ledger["duplicated"] == 0 and ledger["lost"] == 0
    assert sum(len(offsets) for offsets in view["reordered_keys"].values()) == ledger["reordered"]
    assert all(r["reordered"] and r["after"] > r["record"] for r in view["flagged"])
    assert view["counts"]["retried_batches"] == 6  # three faults, two batches each
    refused = [a for a in view["answers"] if a["kind"] == "produce.error"]
    assert {a["error"] for a in refused} == {"NOT_ENOUGH_REPLICAS", "NOT_LEADER_OR_FOLLOWER"}


def test_in_flight_1_retries_the_same_batches_and_keeps_the_order() -> None:
    s, frame = run("retries", 5000, ERRORS, **{"max.in.flight.requests.per.connection": 1})
    assert s.ledger(0, force=True)["reordered"] == 0
    assert frame["lab"]["reordered_keys"] == {}
    # One batch out at a time: each fault's second refusal hits the retry of the first, so three batches
    # were refused twice each, and nothing overtook them.
    assert frame["lab"]["counts"]["retried_batches"] == 3
    assert sum(1 for a in frame["lab"]["answers"] if a["kind"] == "produce.error") == 6


def test_idempotence_keeps_the_order_with_5_in_flight() -> None:
    s, frame = run("retries", 5000, ERRORS, **{"enable.idempotence": "true"})
    assert s.ledger(0, force=True)["reordered"] == 0
    errors = {a["error"] for a in frame["lab"]["answers"] if a["kind"] == "produce.error"}
    assert "OUT_OF_ORDER_SEQUENCE_NUMBER" in errors  # the batches that would overtake are refused


def test_seek_back_then_forward_repeats_an_injected_error() -> None:
    s, _ = run("retries", 2500, [])
    s.receive(msg("fault", action="error_not_enough_replicas", broker=0), 2500)
    s.tick(5000)
    s.outbox.ack(s.outbox.seq)
    want = (json.dumps(s.next_frame()["lab"], sort_keys=True), s.ledger(0, force=True))
    s.receive(msg("seek", t=1000), 5001)
    s.receive(msg("seek", t=5000), 5002)
    s.outbox.ack(s.outbox.seq)
    assert (json.dumps(s.next_frame()["lab"], sort_keys=True), s.ledger(0, force=True)) == want


def test_a_lab_refuses_a_fault_it_does_not_offer() -> None:
    s = LabSession(LABS["idempotence"], wall_ms=0)
    [error] = s.receive(msg("fault", action="error_not_enough_replicas", broker=0), 0)
    assert error["code"] == "bad_value" and "drop_responses" in error["message"]


def test_lost_responses_without_idempotence_duplicate_records() -> None:
    s, frame = run("idempotence", 5000, DROPS, **{"enable.idempotence": "false"})
    ledger = s.ledger(0, force=True)
    assert ledger["duplicated"] > 0 and ledger["lost"] == 0
    counts = frame["lab"]["counts"]
    # The 2 + 2 answers the faults drop, and with each the answers behind it on the same connection
    # (they come in order) until request.timeout.ms closes it: every one of those batches is retried.
    assert counts["response.dropped"] == counts["retried_batches"] == 8
    assert ledger["duplicated"] == 8 * 3  # three records a batch, each appended twice
    assert len(frame["lab"]["flagged"]) == min(FLAGGED, ledger["duplicated"])
    assert frame["lab"]["flagged_total"] == ledger["duplicated"]  # the page says how many it does not list
    assert frame["lab"]["producer"]["producer_id"] == -1


def test_lost_responses_with_idempotence_get_the_original_offsets() -> None:
    s, frame = run("idempotence", 5000, DROPS)
    assert s.ledger(0, force=True)["duplicated"] == 0
    view = frame["lab"]
    assert view["counts"]["duplicate.rejected"] == view["counts"]["response.dropped"] == 8  # every retry recognised
    rejected = [a for a in view["answers"] if a["kind"] == "duplicate.rejected"]
    # The newest: the four batches whose answers the second fault cost, each answered with its original offsets.
    assert [(a["producer_id"], a["base_sequence"], a["offset"]) for a in rejected] == [(1001, s, s) for s in (30, 33, 36, 39)]
    batch = view["batches"][-1]
    assert batch["producer_id"] == 1001 and batch["producer_epoch"] == 0
    assert batch["last_sequence"] - batch["base_sequence"] + 1 == batch["records"]
    assert all(r["sequence"] >= 0 for r in view["records"])


def _read_from_the_start(s: LabSession) -> dict:
    """The same moment's view from a watch that reads the whole log again."""
    watch = s.run.view
    watch.reader = LeaderLogReader(s.sc.cluster, watch.reader.tp, committed=True)
    watch._restart()
    return watch()


def test_the_view_read_as_the_log_grows_is_the_view_read_whole() -> None:
    """Each frame reads only the batches committed since the last; at every moment (retries, duplicates,
    a leader killed and back, which truncates a follower) it says what a read of the whole log says."""
    s = LabSession(LABS["retries"], wall_ms=0)
    drops = [[1000, "fault", "drop_responses", 0], [2500, "fault", "drop_responses", 0]]  # the leader's answers
    s.receive(msg("load", log=drops), 0)
    s.receive(msg("speed", value=1), 0)
    checked = 0
    for wall in range(500, 12_001, 500):
        if wall == 3500:
            s.run.inject("kill_broker", 0)
        if wall == 6000:
            s.run.inject("restart_broker", 0)
        s.tick(wall)
        s.outbox.ack(s.outbox.seq)
        frame = s.next_frame()
        if frame is None:
            continue
        grown = frame["lab"]
        assert grown == _read_from_the_start(s), wall
        checked += 1
    assert checked >= 20
    assert s.run.view.flagged_total > 0  # duplicates were there to be found
    assert s.sc.partition_view()[0]["leader_epoch"] >= 1  # and the leader moved (the reader started over)
