"""``message.sent`` / ``message.lost``: every message on the network, with the times the run gave it.

What an animation draws travelling must be what the simulator did: each produce request's
message has the request's own send and arrival times, each answer leaves when the broker
sent it and arrives when the producer took it, and switching the message kinds on changes
nothing else in the run.
"""

from __future__ import annotations

from app.sim import run_scenario
from app.sim.trace import WIRE_KINDS
from tests.sim.conftest import small_spec


def _wired(spec: dict, seed: int = 5):
    spec = dict(spec)
    spec["trace"] = {**spec.get("trace", {}), "wire": True}
    return run_scenario(spec, seed=seed)


def test_messages_change_nothing_else_in_the_run():
    spec = small_spec(faults=[{"at_ms": 600, "kill_broker": 0}, {"at_ms": 900, "drop_responses": {"broker": 1, "count": 2}},
                              {"at_ms": 1200, "isolate_broker": 2}, {"at_ms": 1500, "heal": None}])
    plain = run_scenario(spec, seed=5)
    wired = _wired(spec)
    assert not any(e["kind"] in WIRE_KINDS for e in plain.trace)
    assert [e for e in wired.trace if e["kind"] not in WIRE_KINDS] == plain.trace
    assert wired.ledger == plain.ledger and wired.metrics == plain.metrics


def test_each_produce_request_and_its_answer_travel_with_the_run_s_own_times():
    result = _wired(small_spec(duration_ms=500))
    messages = {e["id"]: e for e in result.trace if e["kind"] == "message.sent"}
    requests = {e["request"]: e for e in result.trace if e["kind"] == "request.sent"}
    acks = {e["request"]: e for e in result.trace if e["kind"] == "ack.received"}
    produce = {m["request"]: m for m in messages.values() if m["type"] == "produce"}
    answers = {m["request"]: m for m in messages.values() if m["type"] == "produce.response"}
    assert produce.keys() == requests.keys() and len(produce) > 10
    for rid, req in requests.items():
        m = produce[rid]
        assert (m["src"], m["dst"]) == ("producer-1", req["broker"])
        assert (m["send_ms"], m["arrive_ms"], m["bytes"]) == (req["send_ms"], req["arrive_ms"], req["bytes"])
        assert [b[:3] for b in m["batches"]] == req["batches"]
    for rid, ack in acks.items():
        answer = answers[rid]
        assert (answer["src"], answer["dst"]) == (ack["broker"], "producer-1")
        assert requests[rid]["arrive_ms"] <= answer["send_ms"] < answer["arrive_ms"] == ack["receive_ms"]
        assert [r[:3] for r in answer["results"]] == [r[:3] for r in ack["results"]]
    # Every message is in the trace at its own send time, ids in sending order.
    ids = [e["id"] for e in result.trace if e["kind"] == "message.sent"]
    assert ids == sorted(ids) == list(range(1, len(ids) + 1))
    assert all(e["t"] == round(e["send_ms"], 3) for e in messages.values())


def test_followers_fetch_and_the_leader_answers_with_the_offsets_it_sent():
    result = _wired(small_spec(duration_ms=300))
    fetched = [e for e in result.trace if e["kind"] == "replica.fetched"]
    answers = [e for e in result.trace if e["kind"] == "message.sent" and e["type"] == "fetch.response"]
    requests = [e for e in result.trace if e["kind"] == "message.sent" and e["type"] == "fetch"]
    assert requests and answers
    assert all(isinstance(r["src"], int) and r["replica"] == r["src"] for r in requests)
    for f in fetched:
        # The answer that carried these offsets left the leader at the fetch's send time.
        match = [a for a in answers if a["dst"] == f["broker"] and a["src"] == f["leader"] and a["send_ms"] == f["send_ms"]
                 and a["arrive_ms"] == f["receive_ms"]]
        assert match, f
        parts = {(p[0], p[1]): p for p in match[0]["partitions"]}
        topic, partition, start, end, _ = parts[("orders", f["partition"])]
        assert start <= f["from_offset"] < f["to_offset"] <= end


def test_a_dropped_answer_is_drawn_leaving_and_never_arriving():
    spec = small_spec(duration_ms=800, faults=[{"at_ms": 300, "drop_responses": {"broker": 0, "count": 1}}])
    result = _wired(spec)
    dropped = [e for e in result.trace if e["kind"] == "response.dropped"]
    lost = [e for e in result.trace if e["kind"] == "message.sent" and e.get("lost")]
    assert dropped and len(lost) == len(dropped)
    for d, m in zip(dropped, lost):
        assert (m["type"], m["src"], m["request"], m["lost"]) == ("produce.response", d["broker"], d["request"], d["reason"])
        assert m["arrive_ms"] > m["send_ms"]


def test_a_message_caught_by_an_isolation_is_lost_where_it_would_have_arrived():
    spec = small_spec(duration_ms=800, faults=[{"at_ms": 300, "isolate_broker": 1}])
    result = _wired(spec)
    lost = [e for e in result.trace if e["kind"] == "message.lost"]
    sent = {e["id"]: e for e in result.trace if e["kind"] == "message.sent"}
    assert lost and all(e["reason"] == "isolated" for e in lost)
    for e in lost:
        m = sent[e["id"]]
        assert 1 in (m["src"], m["dst"])
        # Lost on the way (arrival time) or at once (sent while already cut off: no arrival).
        assert e["t"] == round(m["arrive_ms"], 3) or (m["arrive_ms"] == -1 and e["t"] == m["t"])


def test_metadata_requests_make_a_round_trip():
    spec = small_spec(duration_ms=1500, faults=[{"at_ms": 300, "kill_broker": 0}])
    result = _wired(spec)
    asks = [e for e in result.trace if e["kind"] == "message.sent" and e["type"] == "metadata"]
    answers = [e for e in result.trace if e["kind"] == "message.sent" and e["type"] == "metadata.response"]
    assert asks and len(asks) == len(answers)
    for ask, answer in zip(asks, answers):
        assert ask["src"] == answer["dst"] == "producer-1" and ask["dst"] == answer["src"]
        assert ask["arrive_ms"] == answer["send_ms"] < answer["arrive_ms"]
