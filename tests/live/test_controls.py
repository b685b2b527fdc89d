"""Every control counts: ids echoed (``done``, error ``id``), rate refusals the page can resend, a link opened at its
moment, idleness as the docs define it, and the limits (actions, the link's length) named when they refuse."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from app.live import LABS, LabSession, Limits
from app.live.links import form_chars, js_json, link_chars
from app.live.protocol import MAX_ACTIONS, MAX_LINK_CHARS

from .test_session import drain, msg


def test_a_control_with_an_id_is_confirmed_by_the_next_frame() -> None:
    s = LabSession(LABS["acks"])
    assert "done" not in drain(s)
    assert s.receive(msg("set_config", name="acks", value="1", id=7), 100) == []
    frame = drain(s)
    assert frame["done"] == 7 and frame["settings"]["acks"] == "1"
    # A value the run has already is taken too: the page still hears it was.
    assert s.receive(msg("set_config", name="acks", value="1", id=8), 200) == []
    assert drain(s)["done"] == 8


def test_a_refused_control_names_its_id_and_counts_as_taken() -> None:
    s = LabSession(LABS["acks"])
    [error] = s.receive(msg("set_config", name="acks", value="2", id=3), 100)
    assert error["code"] == "bad_value" and error["id"] == 3
    assert drain(s)["done"] == 3
    # Refused while parsing, the id is still found (the message is an object with a valid id).
    [error] = s.receive(json.dumps({"v": 1, "type": "speed", "value": "fast", "id": 4}), 100)
    assert error["code"] == "bad_field" and error["id"] == 4
    [error] = s.receive(json.dumps({"v": 1, "type": "pause", "id": -1}), 100)
    assert error["code"] == "bad_field" and "id must be an integer" in error["message"] and "id" not in error


def test_a_control_refused_for_rate_says_when_to_send_it_again_and_is_not_taken() -> None:
    s = LabSession(LABS["acks"], Limits(messages_per_sec=2, message_burst=2))
    assert s.receive(msg("pause", id=1), 0) == [] and s.receive(msg("resume", id=2), 0) == []
    [error] = s.receive(msg("set_config", name="acks", value="1", id=3), 0)
    assert error["code"] == "rate_limited" and error["id"] == 3 and error["retry_ms"] == 500.0
    assert "send it again" in error["message"]
    assert drain(s)["done"] == 2 and s.values["acks"] == "all"  # not taken
    [error] = s.receive(msg("set_config", name="acks", value="1", id=3), 250)
    assert error["retry_ms"] == 250.0
    assert s.receive(msg("set_config", name="acks", value="1", id=3), 500) == []  # sent again when told: taken
    assert drain(s)["done"] == 3 and s.values["acks"] == "1"
    assert s.receive(msg("ack", seq=1), 500) == []  # acks never spend the controls' allowance


def test_frames_list_the_ids_refused_for_rate_in_case_their_errors_were_dropped() -> None:
    s = LabSession(LABS["acks"], Limits(messages_per_sec=1, message_burst=1))
    assert s.receive(msg("pause", id=1), 0) == []
    assert [e["id"] for e in s.receive(msg("resume", id=2), 0) + s.receive(msg("step", id=3), 0)] == [2, 3]
    frame = drain(s)
    assert frame["retry"] == [2, 3] and frame["done"] == 1
    assert s.receive(msg("resume", id=2), 5000) == []  # sent again, with a token to spend
    later = drain(s)
    assert later["done"] == 2 and "retry" not in later  # each refusal is listed once


def test_a_link_opens_at_its_moment_at_once() -> None:
    log = [[800.0, "config", "acks", "1"], [1500.0, "fault", "kill_broker", 0], [4000.0, "fault", "restart_broker", 0]]
    straight = LabSession(LABS["acks"])
    assert straight.receive(msg("load", seed=9, log=log), 0) == [] and straight.receive(msg("speed", value=1), 0) == []
    for wall in range(100, 2501, 100):
        straight.tick(wall)
    assert straight.run.now == 2500.0

    opened = LabSession(LABS["acks"])
    assert opened.receive(msg("load", seed=9, log=log, t=2500), 0) == []
    frame = drain(opened)
    assert frame["reset"] and frame["timeline"]["now"] == 2500.0 and frame["timeline"]["horizon"] == 2500.0
    assert frame["state"] == drain(straight)["state"] and opened.cursor == 2  # the rest of the log is still ahead
    assert frame["link"]["log"] == log
    [error] = opened.receive(msg("load", t=opened.run.end_ms + 1), 0)
    assert error["code"] == "bad_value" and error["ref"] == "load" and f"load.t must be from 0 to {opened.run.end_ms:g} ms" in error["message"]


def test_idle_means_no_control_and_no_playing_run_drawn() -> None:
    s = LabSession(LABS["acks"], wall_ms=0.0)
    s.receive(msg("ack", seq=0), 5000)
    assert s.idle_for(6000) == 1000  # playing and drawn: the page's last ack counts
    s.receive(msg("pause"), 7000)
    s.receive(msg("ack", seq=0), 9000)
    assert s.idle_for(10_000) == 3000  # paused: only controls count, not acks
    s.receive(msg("resume"), 10_000)
    assert s.idle_for(12_000) == 2000  # playing, but the page stopped acknowledging (a hidden tab)


def test_hello_names_the_limits_the_page_states() -> None:
    hello = LabSession(LABS["compression"], Limits(idle_ms=120_000, hidden_ms=10_000)).hello()
    limits = hello["limits"]
    assert limits["actions"] == MAX_ACTIONS == 100 and limits["link_chars"] == MAX_LINK_CHARS == 6000
    assert limits["idle_ms"] == 120_000 and limits["hidden_ms"] == 10_000 and limits["message_burst"] == 60
    text = next(s for s in hello["lab"]["settings"] if s["name"] == "text")
    assert text["max_bytes"] == 4096


def test_the_action_list_is_bounded_and_says_its_number() -> None:
    s = LabSession(LABS["batching"], Limits(max_log=MAX_ACTIONS))
    s.speed = 1.0
    taken = 0
    for i in range(400):
        s.tick(i * 100.0)
        reply = s.receive(msg("fault", action="flush", broker=None), i * 100.0 + 5)
        if reply:
            break
        taken += 1
    [error] = reply
    # The 400 flushes: the hundredth is the last taken, and the link stays short.
    assert taken == MAX_ACTIONS and error["code"] == "log_full"
    assert f"holds {MAX_ACTIONS} actions" in error["message"] and "restart" in error["message"]
    link = s.link()
    assert len(link["log"]) == MAX_ACTIONS
    assert link_chars(link["seed"], link["settings"], link["log"]) <= MAX_LINK_CHARS


def test_pasted_text_that_would_make_the_link_too_long_is_refused_with_both_numbers() -> None:
    s = LabSession(LABS["compression"])
    # 1,300 three-byte characters: 3,900 bytes, under the text's 4096, but 9 characters each in a link.
    [error] = s.receive(msg("set_config", name="text", value="語" * 1300), 100)
    assert error["code"] == "link_too_long" and f"over the {MAX_LINK_CHARS}" in error["message"]
    assert "shorten the text" in error["message"] and s.values["text"] == ""
    assert s.receive(msg("set_config", name="text", value="kafka " * 600), 100) == []  # 3,600 bytes, 3,600 characters


@pytest.mark.parametrize("value", ["kafka kafka", "語 é \"q\" {a:1} *-._~!", "line\nbreak & = + % #"])
def test_link_length_counts_as_urlsearchparams_encodes(value: str) -> None:
    # The standard's application/x-www-form-urlencoded: Python's urlencode differs only on ~ and *.
    python = urlencode({"text": value})
    assert form_chars("text") + 1 + form_chars(value) == len(python) + 2 * value.count("~") - 2 * value.count("*")
    assert link_chars(5, {"text": value}, []) == len(f"seed=5&{python}") + 2 * value.count("~") - 2 * value.count("*")
    assert js_json([[1200.0, "fault", "flush", None], [1200.5, "config", "acks", "1"]]) == \
        '[[1200,"fault","flush",null],[1200.5,"config","acks","1"]]'


def test_over_the_socket_a_control_is_confirmed_by_id(lab_client) -> None:
    from .conftest import ORIGIN, next_of, send

    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        send(ws, "set_config", name="acks", value="0", id=41)
        for _ in range(100):
            frame = next_of(ws, "frame")
            if frame.get("done") == 41:
                break
        assert frame["done"] == 41 and frame["settings"]["acks"] == "0"
        send(ws, "set_config", name="acks", value="7", id=42)
        error = next_of(ws, "error")
        assert error["id"] == 42 and error["code"] == "bad_value"
