"""The lab websocket per docs/protocol.md: every message, error frames, limits, Origin."""

from __future__ import annotations

import time

import pytest
from starlette.websockets import WebSocketDisconnect

from .conftest import ORIGIN, next_of, send


def test_hello_then_frames_with_the_version(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        hello = ws.receive_json()
        assert hello["v"] == 1 and hello["type"] == "hello" and hello["lab"]["name"] == "acks"
        assert [s["name"] for s in hello["lab"]["settings"]] == ["acks", "min.insync.replicas", "replication.factor"]
        frame = next_of(ws, "frame")
        assert frame["v"] == 1 and frame["reset"] is True
        for key in ("seq", "events", "counts", "totals", "dropped", "state", "ledger", "metrics", "settings", "playback",
                    "timeline", "link", "notices"):
            assert key in frame


@pytest.mark.parametrize(
    ("message", "code", "words"),
    [
        ("{not json", "bad_json", "not JSON"),
        ('[1, 2]', "bad_message", "JSON object"),
        ('{"type": "pause"}', "bad_version", 'missing "v"'),
        ('{"v": 2, "type": "pause"}', "bad_version", "unsupported version 2"),
        ('{"v": 1, "type": "explode"}', "unknown_type", "'explode'"),
        ('{"v": 1, "type": "speed"}', "bad_field", "missing field 'value'"),
        ('{"v": 1, "type": "speed", "value": "fast"}', "bad_field", "speed.value must be"),
        ('{"v": 1, "type": "speed", "value": 5}', "bad_value", "speed must be from 0.001"),
        ('{"v": 1, "type": "pause", "now": true}', "bad_field", "unknown field 'now'"),
        ('{"v": 1, "type": "set_config", "name": "acks", "value": "2"}', "bad_value", "acks must be one of 0, 1, all"),
        ('{"v": 1, "type": "set_config", "name": "min.insync.replicas", "value": 9}', "bad_value", "from 1 to 3"),
        ('{"v": 1, "type": "set_config", "name": "linger.ms", "value": 9}', "bad_value", "no setting 'linger.ms'"),
        ('{"v": 1, "type": "fault", "action": "kill_broker", "broker": 7}', "bad_value", "broker id from 0 to 2"),
        ('{"v": 1, "type": "fault", "action": "format_disk", "broker": 0}', "bad_value", "must be one of"),
        ('{"v": 1, "type": "seek", "t": 999999}', "bad_value", "seek t must be from 0"),
        ('{"v": 1, "type": "load", "log": [[5, "fault", "kill_broker"]]}', "bad_value", "load.log[0]"),
        # Inputs that used to raise past the session and close it:
        ('{"v": 1, "type": "seek", "t": 1' + "0" * 400 + "}", "bad_value", "is too large: numbers must be within"),
        ('{"v": 1, "type": "load", "log": [[1' + "0" * 400 + ', "config", "acks", "1"]]}', "bad_value", "too large"),
        ("[" * 3000, "bad_json", "nested too deeply"),
        ('{"a":' * 3000, "bad_json", "nested too deeply"),
        ('{"v": 1.0, "type": "pause"}', "bad_version", "unsupported version 1.0"),
        ('{"v": 1, "type": "set_config", "name": "' + "é" * 40000 + '", "value": 1}', "too_large", "bytes of UTF-8"),
    ],
)
def test_a_bad_message_gets_an_error_frame_and_the_session_goes_on(lab_client, message: str, code: str, words: str) -> None:
    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        ws.send_text(message)
        error = next_of(ws, "error")
        assert error["v"] == 1 and error["code"] == code and words in error["message"], error
        send(ws, "pause")
        frame = next_of(ws, "frame")
        for _ in range(20):
            if frame["playback"]["state"] == "paused":
                break
            frame = next_of(ws, "frame")
        assert frame["playback"]["state"] == "paused"


def test_binary_messages_are_refused_politely(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        ws.send_bytes(b"\x00\x01")
        assert next_of(ws, "error")["code"] == "bad_message"


def _frame_where(ws, test, limit: int = 400) -> dict:
    for _ in range(limit):
        frame = next_of(ws, "frame")
        if test(frame):
            return frame
    raise AssertionError("no such frame")


def test_every_control_message(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        send(ws, "speed", value=1)
        _frame_where(ws, lambda f: f["playback"]["speed"] == 1 and f["timeline"]["now"] > 200)
        send(ws, "pause")
        paused = _frame_where(ws, lambda f: f["playback"]["state"] == "paused")
        send(ws, "step")
        stepped = _frame_where(ws, lambda f: f["timeline"]["now"] > paused["timeline"]["now"])
        assert stepped["playback"]["state"] == "paused"
        send(ws, "set_config", name="acks", value="1")
        f = _frame_where(ws, lambda f: f["settings"]["acks"] == "1")
        assert f["notices"][0]["text"].startswith("New producer created: acks=1")
        send(ws, "set_config", name="min.insync.replicas", value=1)
        f = _frame_where(ws, lambda f: f["state"]["topic"]["min.insync.replicas"] == 1)
        send(ws, "fault", action="kill_broker", broker=0)
        f = _frame_where(ws, lambda f: not f["state"]["brokers"][0]["alive"])
        assert [m[1:] for m in f["timeline"]["marks"]] == [["config", "acks", "1"], ["config", "min.insync.replicas", 1],
                                                           ["fault", "kill_broker", 0]]
        assert f["link"]["log"] == f["timeline"]["marks"]
        send(ws, "fault", action="restart_broker", broker=0)
        # Its old session is still valid (paused, no time passed): it registers once that expires.
        _frame_where(ws, lambda f: f["state"]["brokers"][0]["restarting"])
        send(ws, "resume")
        _frame_where(ws, lambda f: f["state"]["brokers"][0]["alive"])
        send(ws, "pause")
        _frame_where(ws, lambda f: f["playback"]["state"] == "paused")
        send(ws, "fault", action="isolate_broker", broker=1)
        _frame_where(ws, lambda f: f["state"]["brokers"][1]["isolated"])
        send(ws, "fault", action="heal")
        _frame_where(ws, lambda f: not f["state"]["brokers"][1]["isolated"])
        send(ws, "seek", t=0)
        f = _frame_where(ws, lambda f: f["reset"])
        assert f["timeline"]["now"] == 0 and f["settings"]["acks"] == "all"  # acks=1 came later in the log
        send(ws, "resume")
        _frame_where(ws, lambda f: f["playback"]["state"] == "playing")
        send(ws, "restart")
        f = _frame_where(ws, lambda f: f["reset"])
        assert f["link"]["log"] == [] and f["timeline"]["now"] < 100
        send(ws, "load", seed=3, settings={"acks": "0"}, log=[[50, "fault", "kill_broker", 2]])
        f = _frame_where(ws, lambda f: f["reset"] and f["link"]["seed"] == 3)
        assert f["settings"]["acks"] == "0"
        send(ws, "reset")
        f = _frame_where(ws, lambda f: f["reset"] and f["link"]["seed"] == 7)
        assert f["settings"] == {"acks": "all", "min.insync.replicas": 2, "replication.factor": 3}


def test_a_page_that_does_not_acknowledge_gets_few_coalesced_frames_with_exact_counts(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        hello = ws.receive_json()
        window = hello["limits"]["frames_unacked"]
        send(ws, "speed", value=1)
        time.sleep(1.0)  # ~30 ticks, no acknowledgement
        frames = [ws.receive_json() for _ in range(window)]
        assert all(f["type"] == "frame" for f in frames)
        # Nothing more until the page acknowledges: the server holds one pending frame, not a queue.
        send(ws, "ack", seq=frames[-1]["seq"])
        later = ws.receive_json()
        assert later["seq"] == frames[-1]["seq"] + 1
        counted = {}
        for f in [*frames, later]:
            for k, n in f["counts"].items():
                counted[k] = counted.get(k, 0) + n
        # The first frame's totals include what ran before it; the rest add up exactly.
        base = {k: n - frames[0]["counts"].get(k, 0) for k, n in frames[0]["totals"].items()}
        assert {k: base.get(k, 0) + n for k, n in counted.items()} == later["totals"]
        assert later["timeline"]["now"] > 500


def test_sessions_per_server_are_limited(lab_client) -> None:
    client = lab_client(lab_max_sessions=1)
    with client.websocket_connect("/ws/labs/acks", headers=ORIGIN) as first:
        next_of(first, "hello")
        with client.websocket_connect("/ws/labs/acks", headers=ORIGIN) as second:
            error = second.receive_json()
            assert error["code"] == "too_many_sessions"
            with pytest.raises(WebSocketDisconnect) as closed:
                second.receive_json()
            assert closed.value.code == 1013
    with client.websocket_connect("/ws/labs/acks", headers=ORIGIN) as again:
        assert next_of(again, "hello")["type"] == "hello"


def test_control_messages_are_rate_limited(lab_client) -> None:
    with lab_client(lab_messages_per_sec=2).websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        for _ in range(8):
            send(ws, "pause")
        assert next_of(ws, "error")["code"] == "rate_limited"


def _closed_code(ws, limit: int = 400) -> int:
    """Read (acknowledging frames) until the server closes; the close code."""
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(limit):
            msg = ws.receive_json()
            if msg["type"] == "frame":
                send(ws, "ack", seq=msg["seq"])
    return closed.value.code


def test_a_paused_session_nobody_uses_is_closed_as_idle(lab_client) -> None:
    with lab_client(lab_idle_seconds=0.3).websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        send(ws, "pause")
        error = next_of(ws, "error")
        assert error["code"] == "idle" and "nobody used this lab for 0.3 s" in error["message"]
        assert _closed_code(ws) == 4000


def test_a_playing_session_whose_page_stopped_drawing_is_closed_as_idle(lab_client) -> None:
    with lab_client(lab_idle_seconds=0.3).websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        assert ws.receive_json()["type"] == "hello"
        for _ in range(40):  # no acks: the page is not drawing (a hidden tab, a closed laptop)
            msg = ws.receive_json()
            if msg["type"] == "error":
                break
        assert msg["code"] == "idle"


def test_a_foreign_origin_is_refused_and_told_why(lab_client) -> None:
    client = lab_client()
    with client.websocket_connect("/ws/labs/acks", headers={"origin": "http://evil.example"}) as ws:
        error = ws.receive_json()
        assert error["code"] == "origin" and "http://evil.example" in error["message"]
        assert "BROKERLAB_LAB_ALLOWED_ORIGINS" in error["message"]
        assert _closed_code(ws) == 1008
    with client.websocket_connect("/ws/labs/acks", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_an_allowed_origin_may_connect(lab_client) -> None:
    with lab_client(lab_allowed_origins=["https://course.example"]).websocket_connect(
        "/ws/labs/acks", headers={"origin": "https://course.example"}
    ) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_an_unknown_lab_says_which_labs_exist(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/nope", headers=ORIGIN) as ws:
        error = ws.receive_json()
        assert error["code"] == "unknown_lab" and "acks" in error["message"]
