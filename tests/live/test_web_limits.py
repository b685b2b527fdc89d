"""The labs' web routes under abuse: bad JSON values, big bodies, crowds of comparisons, pages that stop reading."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.live import ProtocolError
from app.live.labs import compression
from app.live.labs.whatif import sweep_lab
from app.main import create_app
from app.settings import Settings
from app.sim.compression import CODECS
from app.web import live
from app.web.cpu_pool import CpuPool

from .conftest import ORIGIN, send

COMPARE = "/api/labs/compression/compare"
KEY = "/api/labs/partitioning/key"


def run_async(coro: Any) -> Any:
    """asyncio.run on a thread of its own: in the whole suite the browser tests' Playwright keeps an
    event loop running on the main thread, where asyncio.run refuses to start another."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed to the test's thread, to fail there
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def make_app(content: Path, **settings: Any) -> FastAPI:
    return create_app(Settings(content_dir=content, **settings))


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    """A client in this event loop that streams request bodies chunk by chunk, as a real server would."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


# -- bad JSON values get a 422 that names the field --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('{"levels": {"zstd": Infinity}}', "levels.zstd must be an integer from -131072 to 22 (compression.zstd.level); got Infinity"),
        ('{"levels": {"zstd": 1e400}}', "levels.zstd must be an integer from -131072 to 22 (compression.zstd.level); got Infinity"),
        ('{"levels": {"zstd": -1e400}}', "got -Infinity"),
        ('{"levels": {"lz4": NaN}}', "levels.lz4 must be an integer from 1 to 17 (compression.lz4.level); got NaN"),
        ('{"levels": {"zstd": [1]}}', "levels.zstd must be an integer from -131072 to 22 (compression.zstd.level); got [1]"),
        ('{"levels": {"zstd": true}}', "got true"),
        ('{"levels": {"zstd": 3.9}}', "got 3.9"),
        ('{"levels": {"gzip": 0}}', "levels.gzip must be an integer from 1 to 9, or -1 (compression.gzip.level); got 0"),
        ('{"levels": {"snappy": 1}}', 'levels takes only gzip, lz4, zstd (the codecs with a level); got "snappy"'),
        ('{"levels": [3]}', "levels must be an object"),
        ('{"records_per_batch": 1e400}', "records_per_batch must be an integer from 1 to 500; got Infinity"),
        ('{"payload": "text", "text": "\\ud800"}', "text must be Unicode text: it holds a lone surrogate ('\\ud800') at character 0"),
        ('{"payload": "json", "text": "hello"}', "text is only for payload text; got payload json"),
        ('{"payload": "text", "text": 42}', "text must be a string of text; got 42"),
        ('{"payload": ["' + "x" * 5000 + '"]}', "payload must be one of json, logs, random, text; got [\"xxx"),
        ("[" * 5000, "nested too deeply"),
        ('{"levels":' * 3000, "nested too deeply"),
        ("{not json", "not JSON"),
    ],
)
def test_compare_refuses_bad_values_by_name(lab_client, body: str, words: str) -> None:
    response = lab_client().post(COMPARE, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    assert len(response.json()["detail"]) < 300  # what arrived is quoted, cut short


def test_compare_takes_what_the_page_sends(lab_client) -> None:
    # static/js/lab/compression.js: Number() of each level setting; whole floats are whole numbers.
    body = {"payload": "json", "records_per_batch": 10, "levels": {"gzip": -1, "lz4": 9, "zstd": 3.0}}
    result = lab_client().post(COMPARE, json=body).json()
    assert [(r["codec"], r["level"]) for r in result["rows"]] == [("none", None), ("gzip", -1), ("snappy", None), ("lz4", 9), ("zstd", 3)]
    assert set(result) == {"payload", "records_per_batch", "batches", "value_bytes", "uncompressed_bytes", "rows", "cpu_note"}
    assert set(result["rows"][0]) == {"codec", "level", "bytes", "us_per_batch", "ratio"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[" * 5000, "nested too deeply"),
        ('{"a":' * 1500, "nested too deeply"),  # deeper than the parser goes, within the 8 KiB body limit
        ('{"key": "a", "partitions": true}', "partitions: Input should be a valid integer"),
        ('{"key": "a", "partitions": "3"}', "partitions: Input should be a valid integer"),
        ('{"key": "a", "partitions": 3.0}', "partitions: Input should be a valid integer"),
        ('{"key": "a", "partitions": 3, "previous": true}', "previous: Input should be a valid integer"),
        ("[1]", "body: "),
    ],
)
def test_partitioning_key_refuses_bad_values_by_name(lab_client, body: str, words: str) -> None:
    response = lab_client().post(KEY, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and words in response.json()["detail"], response.text


def test_partitioning_key_takes_what_the_page_sends(lab_client) -> None:
    # static/js/lab/partitioning.js: JSON.stringify({ key, partitions, previous }), previous null at first.
    client = lab_client()
    assert client.post(KEY, json={"key": "order-42", "partitions": 6, "previous": None}).json()["key"]["partitions"] == 6
    assert client.post(KEY, json={"key": "order-42", "partitions": 8, "previous": 6}).json()["generated"]["previous"] == 6


# -- bodies are read with a cap ------------------------------------------------------------------------------------


ROUTES = [(COMPARE, live.COMPARE_BODY_BYTES), (KEY, live.KEY_BODY_BYTES)]


async def post_chunks(app: FastAPI, path: str, chunks: int, headers: dict[str, str]) -> tuple[httpx.Response, int]:
    """POST ``chunks`` KiB of body, streamed; the response and how many chunks the app pulled."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(chunks):
            pulled += 1
            yield b" " * 1024

    async with asgi_client(app) as client:
        response = await client.post(path, content=body(), headers={"content-type": "application/json", **headers})
    return response, pulled


@pytest.mark.parametrize(("path", "limit"), ROUTES)
def test_a_body_declared_too_large_is_refused_unread(sample_content: Path, path: str, limit: int) -> None:
    response, pulled = run_async(post_chunks(make_app(sample_content), path, 4, {"content-length": "300000000"}))
    assert response.status_code == 413 and f"at most {limit} bytes" in response.json()["detail"]
    assert pulled == 0


@pytest.mark.parametrize(("path", "limit"), ROUTES)
def test_a_streamed_body_is_cut_off_at_the_limit(sample_content: Path, path: str, limit: int) -> None:
    # No Content-Length (chunked): the app stops pulling once the body passes the limit.
    response, pulled = run_async(post_chunks(make_app(sample_content), path, 4 * limit // 1024, {}))
    assert response.status_code == 413 and f"at most {limit} bytes" in response.json()["detail"]
    assert pulled <= limit // 1024 + 1


# -- comparisons: a few at a time, off the labs' executor, within a time budget -------------------------------------


def test_compare_takes_a_slot_or_is_busy_and_runs_off_the_default_executor(sample_content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    release = threading.Event()

    def slow_compare(*args: Any) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        release.wait(5)
        return {"rows": []}

    monkeypatch.setattr(live, "compare", slow_compare)
    app = make_app(sample_content)
    app.state.cpu_pool = CpuPool(ThreadPoolExecutor(4))  # threads, to watch them (a process would not see the patch)

    async def crowd() -> tuple[list[int], httpx.Response]:
        async with asgi_client(app) as client:
            running = [asyncio.create_task(client.post(COMPARE, json={})) for _ in range(2)]
            try:
                for _ in range(500):
                    if len(threads) == 2:
                        break
                    await asyncio.sleep(0.01)
                third = await asyncio.wait_for(client.post(COMPARE, json={}), 2)
            finally:
                release.set()
            return [(await task).status_code for task in running], third

    statuses, third = run_async(crowd())
    assert third.status_code == 429 and "busy with other codec comparisons" in third.json()["detail"]
    assert statuses == [200, 200]
    # asyncio.to_thread's default executor (threads "asyncio_N") runs every lab's ticks.
    assert not any(name.startswith("asyncio") for name in threads), threads


def test_heavy_requests_run_in_another_process() -> None:
    pool = CpuPool()
    try:
        assert run_async(pool.run(os.getpid)) != os.getpid()
        # The labs were imported there when it started: a sweep is sent the lab's name, not its objects.
        curve = run_async(pool.run(sweep_lab, "acks", "acks", {}, None))
        assert curve["lab"] == "acks" and [p["value"] for p in curve["points"]] == ["0", "1", "all"]
    finally:
        pool.shutdown()


def test_compare_stops_repeating_passes_once_its_budget_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[str] = Counter()
    encode = compression.encode_batch

    def counting(batch: Any, codec: str, **kwargs: Any) -> bytes:
        calls[codec] += 1
        return encode(batch, codec, **kwargs)

    monkeypatch.setattr(compression, "encode_batch", counting)
    monkeypatch.setattr(compression, "TIME_BUDGET_S", 0.0)
    result = compression.compare("json", records_per_batch=5)
    # The warm-up, then one pass over the batches: the budget never takes a codec's only measurement.
    assert calls == {codec: 1 + compression.COMPARE_BATCHES for codec in CODECS}
    assert [r["codec"] for r in result["rows"]] == list(CODECS) and all(r["us_per_batch"] > 0 for r in result["rows"])
    calls.clear()
    monkeypatch.setattr(compression, "TIME_BUDGET_S", 600.0)
    compression.compare("json", records_per_batch=5)
    assert calls == {codec: 1 + compression.TIMING_PASSES * compression.COMPARE_BATCHES for codec in CODECS}


# -- the lab socket: errors coalesced, a page that stops reading loses its session ---------------------------------


class FakeSocket:
    """Just enough of a Starlette WebSocket for lab_socket: the peer takes in ``reads`` messages, then none."""

    def __init__(self, app: FastAPI, reads: int, close_stuck: bool = False) -> None:
        self.app = app
        self.headers: dict[str, str] = {}
        self.reads = reads
        self.close_stuck = close_stuck
        self.sent: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    async def accept(self) -> None:
        pass

    async def receive(self) -> dict[str, Any]:
        await asyncio.Event().wait()  # the peer says nothing
        raise AssertionError("unreachable")

    async def send_text(self, text: str) -> None:
        if len(self.sent) >= self.reads:
            await asyncio.Event().wait()  # a full send buffer: this send never completes
        self.sent.append(json.loads(text))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.close_stuck:
            await asyncio.Event().wait()  # the close frame queues behind the unread ones
        self.closed = (code, reason)


@pytest.mark.parametrize("close_stuck", [False, True])
def test_a_page_that_stops_reading_loses_its_session(sample_content: Path, close_stuck: bool) -> None:
    app = make_app(sample_content, lab_send_timeout_seconds=0.2)
    ws = FakeSocket(app, reads=1, close_stuck=close_stuck)
    run_async(asyncio.wait_for(live.lab_socket(ws, "acks"), 5))  # type: ignore[arg-type]
    assert ws.sent[0]["type"] == "hello"
    assert app.state.lab_sessions.open == 0
    assert ws.closed == (None if close_stuck else (live.CLOSE_SLOW_READER, "frames went unread for 0.2 s: the lab closed"))


def test_error_frames_past_the_cap_are_dropped_and_said_once_a_second() -> None:
    ws = FakeSocket(FastAPI(), reads=100)
    now = 100.0
    sender = live._Sender(ws, 1.0, lambda: now)  # type: ignore[arg-type]

    async def burst() -> None:
        nonlocal now
        for i in range(25):
            await sender.send(ProtocolError("bad_value", f"error {i}").frame())
        await sender.send({"v": 1, "type": "frame", "seq": 1})  # frames are never dropped
        now = 101.0
        await sender.send(ProtocolError("bad_value", "a new second").frame())

    run_async(burst())
    kinds = [m.get("code", m["type"]) for m in ws.sent]
    assert kinds == ["bad_value"] * live.ERRORS_PER_SEC + ["errors_dropped", "frame", "bad_value"]


def test_a_flood_of_bad_messages_gets_a_bounded_answer(lab_client) -> None:
    with lab_client().websocket_connect("/ws/labs/acks", headers=ORIGIN) as ws:
        assert ws.receive_json()["type"] == "hello"
        for _ in range(40):
            send(ws, "set_config", name="x" * 3000, value=1)
        send(ws, "pause")
        errors = []
        for _ in range(500):
            msg = ws.receive_json()
            if msg["type"] == "error":
                errors.append(msg["code"])
            elif msg["type"] == "frame":
                send(ws, "ack", seq=msg["seq"])
                if msg["playback"]["state"] == "paused":
                    break
    # 40 refusals within a second or two: at most the cap and one notice in each second.
    assert "errors_dropped" in errors and len(errors) <= 2 * (live.ERRORS_PER_SEC + 1)


# -- the same on a real server, as the reviewer found it ------------------------------------------------------------


@pytest.fixture
def real_server(sample_content: Path) -> Iterator[tuple[FastAPI, int]]:
    app = make_app(sample_content, lab_send_timeout_seconds=0.5)
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.02)
    yield app, uv.servers[0].sockets[0].getsockname()[1]
    uv.should_exit = True
    thread.join(timeout=10)


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked websocket frame (RFC 6455 5.2) of at most 65535 bytes, as a client sends it."""
    mask = os.urandom(4)
    size = bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + struct.pack(">H", len(payload))
    return bytes([0x80 | opcode]) + size + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_a_client_that_never_reads_frees_its_place_on_a_real_server(real_server: tuple[FastAPI, int]) -> None:
    app, port = real_server
    with socket.socket() as raw:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a client that takes in next to nothing
        raw.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        raw.sendall(f"GET /ws/labs/acks HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        for _ in range(250):  # the handshake is answered and the session takes its place
            if app.state.lab_sessions.open:
                break
            time.sleep(0.02)
        assert app.state.lab_sessions.open == 1
        # Pings fill the server's send buffer with pongs; then each bad message's error frame has to wait there.
        ping = client_frame(0x9, b"p" * 125)
        bad = client_frame(0x1, json.dumps({"v": 1, "type": "set_config", "name": "x" * 3000, "value": 1}).encode())
        raw.settimeout(0.5)
        deadline = time.monotonic() + 20
        # Sending stops for good once it times out (the server's loop waits in a send and reads no more): a
        # frame cut short and followed by another would be a protocol error, which closes the socket anyway.
        with contextlib.suppress(OSError):
            while app.state.lab_sessions.open and time.monotonic() < deadline:
                raw.sendall(ping * 2000 + bad)
        while app.state.lab_sessions.open and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app.state.lab_sessions.open == 0, "the session still holds its place"
