"""A lab app per test (fresh session registry), with small limits where a test needs them."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

import warnings

with warnings.catch_warnings():  # as in tests/conftest.py: TestClient's httpx notice is not ours to fix
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ORIGIN = {"origin": "http://testserver"}


def make_client(sample_content, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(content_dir=sample_content, **settings)))


@pytest.fixture
def lab_client(sample_content) -> Callable[..., TestClient]:
    return lambda **settings: make_client(sample_content, **settings)


def send(ws: Any, type_: str, **fields: Any) -> None:
    ws.send_text(json.dumps({"v": 1, "type": type_, **fields}))


def next_of(ws: Any, kind: str, limit: int = 200) -> dict[str, Any]:
    """The next message of ``kind``, acknowledging frames on the way (as the page does)."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == "frame":
            send(ws, "ack", seq=msg["seq"])
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message in {limit}")
