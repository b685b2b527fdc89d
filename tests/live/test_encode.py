"""Frames are written with orjson (app/live/protocol.py encode): the page must read what json would have written."""

from __future__ import annotations

import json

import pytest

from app.live.labs import LABS
from app.live.protocol import encode
from app.live.session import LabSession


@pytest.mark.parametrize("name", sorted(LABS))
def test_every_lab_frame_reads_back_as_json_writes_it(name: str) -> None:
    session = LabSession(LABS[name], wall_ms=0.0)
    messages = [session.hello()]
    for wall in (0.0, 2_000.0, 4_000.0):
        session.tick(wall)
        frame = session.next_frame(wall)
        if frame is not None:
            messages.append(frame)
            session.outbox.ack(frame["seq"])
    assert len(messages) >= 3
    for message in messages:
        assert json.loads(encode(message)) == json.loads(json.dumps(message))


def test_integer_keys_become_strings_as_json_makes_them() -> None:
    assert encode({"slow_brokers": {1: 3000.0}}) == '{"slow_brokers":{"1":3000.0}}'
