"""The lab websocket: check the Origin, take a session place, then pace the session and stream its frames.

The simulation lives in app/live (LabSession) and app/sim; this router owns the
wall clock and the socket. One task reads messages into a queue; the session loop
ticks at most ``lab_frames_per_sec`` times a second and sends a frame when the page
has acknowledged enough of the earlier ones (docs/protocol.md). Every send has a time
limit: a page that stopped reading ends its session rather than hold its place.

The labs' HTTP routes (what-if curves, the codec comparison, the partitioner's key)
live here too; the CPU-heavy ones take a slot or get 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from app.live import LABS, LabSession, Limits, ProtocolError
from app.live.protocol import encode
from app.live.labs.compression import MAX_TEXT_BYTES, CompareError, compare
from app.live.labs.partitioning import MAX_PARTITIONS, KeyQuery, null_key_runs
from app.live.labs.security_bytes import MAX_BATCH_BYTES, ByteViewError, byte_view
from app.live.registry import SessionRegistry
from app.settings import Settings
from app.web.bodies import BodyError, read_json
from app.web.cpu_pool import CpuPool
from app.web.hosts import allowed_hosts, host_name

router = APIRouter(tags=["labs"])

#: Close codes (RFC 6455 and the 4000s private range): see docs/protocol.md.
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013
CLOSE_IDLE = 4000
CLOSE_SLOW_READER = 4001
#: Error frames a session sends a second at most; one ``errors_dropped`` says the rest of that second's are not sent.
ERRORS_PER_SEC = 10
_TICK = object()


def origin_allowed(ws: WebSocket, settings: Settings) -> bool:
    """Same origin as the page (host and port match) on a host the server answers to, or listed in ``lab_allowed_origins``.

    Browsers always send Origin on a websocket; a missing one is a non-browser client,
    which a cross-site page cannot be. The Host a request carries is the attacker's to
    choose under DNS rebinding, so matching it is not enough: the name must be allowed too.
    """
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    if origin in settings.lab_allowed_origins:
        return True
    netloc = urlsplit(origin).netloc.lower()
    return netloc == (ws.headers.get("host") or "").lower() and host_name(netloc) in allowed_hosts(settings)


def limits_from(settings: Settings) -> Limits:
    # A tick makes up for at most a quarter second of wall time: a busy server lets a run fall
    # behind real time rather than spiral into ever longer catch-up ticks.
    return Limits(events_per_sec=settings.lab_events_per_sec, messages_per_sec=settings.lab_messages_per_sec,
                  message_burst=max(1, int(settings.lab_messages_per_sec * 2)), max_tick_ms=250.0,
                  memory_bytes=settings.lab_session_memory_mb << 20)


def _tick(session: LabSession, now: float, budget_ms: float) -> dict[str, Any] | None:
    session.tick(now, budget_ms)
    return session.next_frame(now)


class _SlowReader(Exception):
    """A message waited longer than ``lab_send_timeout_seconds`` to be sent: the page stopped reading."""


class _Sender:
    """A session's way out: each send within ``timeout`` seconds, and at most ERRORS_PER_SEC error frames a second.

    Without the time limit a page that never reads holds its session, and its place, in a send forever;
    without the error cap a client sending bad messages without reading piles error frames up in the
    server's write buffer.
    """

    def __init__(self, ws: WebSocket, timeout: float, clock: Callable[[], float]) -> None:
        self.ws = ws
        self.timeout = timeout
        self.clock = clock
        self._second = -1
        self._errors = 0

    async def send(self, message: dict[str, Any]) -> None:
        if message.get("type") == "error":
            admitted = self._admit_error(message)
            if admitted is None:
                return
            message = admitted
        try:
            await asyncio.wait_for(self.ws.send_text(encode(message)), self.timeout)
        except TimeoutError:
            raise _SlowReader from None

    async def close(self, code: int, reason: str = "") -> None:
        """Close; a close frame stuck behind unread ones is given up after the timeout (the session ends all the same)."""
        with contextlib.suppress(TimeoutError, WebSocketDisconnect):
            await asyncio.wait_for(self.ws.close(code=code, reason=reason), self.timeout)

    def _admit_error(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The error frame itself, the one ``errors_dropped`` notice of a second past the cap, or None (dropped)."""
        second = int(self.clock())
        if second != self._second:
            self._second, self._errors = second, 0
        self._errors += 1
        if self._errors <= ERRORS_PER_SEC:
            return message
        if self._errors == ERRORS_PER_SEC + 1:
            return ProtocolError("errors_dropped", f"more than {ERRORS_PER_SEC} errors in a second: "
                                 "the rest of this second's are not sent").frame()
        return None


@router.websocket("/ws/labs/{lab}")
async def lab_socket(ws: WebSocket, lab: str) -> None:
    settings: Settings = ws.app.state.settings
    if not origin_allowed(ws, settings):
        await ws.close(code=CLOSE_POLICY, reason="origin not allowed")
        return
    await ws.accept()
    sender = _Sender(ws, settings.lab_send_timeout_seconds, asyncio.get_running_loop().time)
    try:
        await _open(ws, sender, lab, settings)
    except WebSocketDisconnect:
        pass
    except _SlowReader:
        await sender.close(CLOSE_SLOW_READER, f"frames went unread for {settings.lab_send_timeout_seconds:g} s: the lab closed")


async def _open(ws: WebSocket, sender: _Sender, lab: str, settings: Settings) -> None:
    """Serve the lab if it exists and a session place is free; say why not otherwise."""
    definition = LABS.get(lab)
    if definition is None:
        await sender.send(ProtocolError("unknown_lab", f"there is no lab {lab!r}; labs: {', '.join(LABS)}").frame())
        await sender.close(CLOSE_POLICY)
        return
    registry: SessionRegistry = ws.app.state.lab_sessions
    if not registry.try_open():
        await sender.send(ProtocolError("too_many_sessions", f"this server runs at most {registry.limit} labs at once "
                                        "(as many as its memory for labs allows: docs/web.md); "
                                        "try again in a moment").frame())
        await sender.close(CLOSE_TRY_LATER)
        return
    try:
        await _serve(ws, sender, definition, settings)
    finally:
        registry.close()


async def _serve(ws: WebSocket, sender: _Sender, definition: Any, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Any] = asyncio.Queue(maxsize=64)

    async def read() -> None:
        tell_loop = True
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await inbox.put(message.get("text") if message.get("text") is not None else b"")
        except asyncio.CancelledError:
            # The loop has ended (a slow reader, idle) and empties the inbox no more: an end marker put
            # into a full one would wait forever, and this task with it.
            tell_loop = False
            raise
        finally:
            if tell_loop:
                await inbox.put(None)

    reader = asyncio.create_task(read())
    ms = lambda: loop.time() * 1000.0  # noqa: E731
    session = LabSession(definition, limits_from(settings), wall_ms=ms())
    period = 1.0 / settings.lab_frames_per_sec
    idle_ms = settings.lab_idle_seconds * 1000.0
    next_tick = loop.time()
    try:
        await sender.send(session.hello())
        while True:
            if session.idle_for(ms()) > idle_ms:
                await sender.send(ProtocolError("idle", f"no control for {settings.lab_idle_seconds:g} s: the lab closed. "
                                                "Reload the page (its link replays the run).").frame())
                await sender.close(CLOSE_IDLE)
                return
            wait = next_tick - loop.time()
            item: Any = _TICK
            if wait > 0:
                try:
                    item = await asyncio.wait_for(inbox.get(), wait)
                except TimeoutError:
                    item = _TICK
            if item is None:
                return
            if item is _TICK:
                next_tick = max(next_tick + period, loop.time())
                now = ms()
                # On the event loop itself, within its slice of the server's time: nothing of this session is queued
                # anywhere else, so its work ends with its socket, and a session the server cannot keep up with
                # slows its own clock (pace < 1) rather than everyone's frames.
                frame = _tick(session, now, settings.lab_tick_budget_ms)
                if frame is not None:
                    # Wall-clock send time (epoch ms): lets a page or bench/lab_frames.py measure event-to-frame latency.
                    frame["wall"] = round(time.time() * 1000.0, 1)
                    await sender.send(frame)
            elif isinstance(item, bytes):
                await sender.send(ProtocolError("bad_message", "send text frames holding JSON, not binary ones").frame())
            else:
                # A seek replays the run from virtual time 0, which can take seconds: off the event loop,
                # so other sessions keep streaming. Only this loop touches the session, one call at a time.
                for reply in await asyncio.to_thread(session.receive, item, ms()):
                    await sender.send(reply)
    finally:
        reader.cancel()


#: What-if sweeps run at most this many at once (each is bounded in points and wall time: app/live/labs/whatif.py).
_WHATIF_SLOTS = threading.BoundedSemaphore(2)
#: Codec comparisons run at most this many at once (each is CPU for up to a second or two: compression.TIME_BUDGET_S).
_COMPARE_SLOTS = threading.BoundedSemaphore(2)
#: A comparison's body: the text (MAX_TEXT_BYTES of UTF-8, more once escaped in JSON) and a few small fields.
COMPARE_BODY_BYTES = MAX_TEXT_BYTES * 2 + 4096
#: A key query's body: a key of MAX_KEY_BYTES escaped at worst (6 characters a byte) and two counts fit easily.
KEY_BODY_BYTES = 8192
#: The security lab's byte views run at most this many at once (each makes a real TLS session: milliseconds).
_BYTES_SLOTS = threading.BoundedSemaphore(2)
#: A capture's body: its batch in base64 and a few small fields.
BYTES_BODY_BYTES = MAX_BATCH_BYTES * 4 // 3 + 4096


def _cpu_pool(request: Request) -> CpuPool:
    """Where sweeps and comparisons run: processes of their own, off the loop that draws every lab's frames."""
    return request.app.state.cpu_pool


def _busy(what: str) -> JSONResponse:
    return JSONResponse({"detail": f"the server is busy with other {what}; try again in a moment"}, status_code=429)


@router.get("/api/labs/{lab}/whatif")
async def lab_whatif(lab: str, request: Request) -> Any:
    """One setting of a lab swept fast over its range, the others as in the query (``?setting=linger.ms&batch.size=16384``)."""
    from app.live.labs.whatif import WhatIfError, sweep_lab

    params = dict(request.query_params)
    name = params.pop("setting", None)
    seed_text = params.pop("seed", None)
    definition = LABS.get(lab)
    if definition is None:
        return JSONResponse({"detail": f"there is no lab {lab!r}; labs: {', '.join(LABS)}"}, status_code=404)
    if not name:
        return JSONResponse({"detail": "the query needs setting=<the setting to sweep>"}, status_code=422)
    try:
        seed = None if seed_text is None else int(seed_text)
    except ValueError:
        return JSONResponse({"detail": f"seed must be an integer; got {seed_text!r}"}, status_code=422)
    return await _in_slot(request, _WHATIF_SLOTS, "what-if curves", WhatIfError, sweep_lab, lab, name, params, seed)


@router.post("/api/labs/compression/compare")
async def compression_compare(request: Request) -> Any:
    """The same batches encoded with every codec (app/live/labs/compression.py ``compare``); body: payload, text, records_per_batch, levels."""
    try:
        data = await read_json(request, COMPARE_BODY_BYTES)
    except BodyError as exc:
        return exc.response()
    allowed = {"payload", "text", "records_per_batch", "levels"}
    if not isinstance(data, dict) or set(data) - allowed:
        return JSONResponse({"detail": f"the body must be an object with only: {', '.join(sorted(allowed))}"}, status_code=422)
    return await _in_slot(request, _COMPARE_SLOTS, "codec comparisons", CompareError, compare, data.get("payload", "json"),
                          data.get("text"), data.get("records_per_batch", 10), data.get("levels"))


async def _in_slot(request: Request, slots: threading.BoundedSemaphore, what: str, refused: type[Exception],
                   fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in the pool of worker processes if a slot is free (429 otherwise); ``refused`` is answered 422
    with its words. ``fn`` is module-level and its arguments plain: they travel by pickle."""
    if not slots.acquire(blocking=False):
        return _busy(what)
    try:
        return await _cpu_pool(request).run(fn, *args)
    except refused as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    finally:
        slots.release()


@router.post("/api/labs/partitioning/key")
async def partitioning_key(request: Request) -> Any:
    """A typed key's bytes, murmur2, toPositive and partition (and other clients'), plus the generated keys' moves.

    Checked here rather than by FastAPI: its 422 echoes the input, and a key with a lone surrogate cannot be echoed.
    """
    try:
        query = KeyQuery.model_validate(await read_json(request, KEY_BODY_BYTES))
    except BodyError as exc:
        return exc.response()
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg'].removeprefix('Value error, ')}"
                           for e in exc.errors(include_input=False))
        return JSONResponse({"detail": detail}, status_code=422)
    return query.answer()


@router.get("/api/labs/partitioning/null-keys")
def partitioning_null_keys(partitions: int) -> Any:
    """Records without a key under round-robin, sticky and uniform sticky: three short simulator runs."""
    if not 1 <= partitions <= MAX_PARTITIONS:
        return JSONResponse({"detail": f"partitions must be from 1 to {MAX_PARTITIONS}; got {partitions}"}, status_code=422)
    return null_key_runs(partitions)


@router.post("/api/labs/security/bytes")
async def security_bytes(request: Request) -> Any:
    """A captured message's real bytes, and under TLS its real ciphertext (app/live/labs/security_bytes.py)."""
    try:
        data = await read_json(request, BYTES_BODY_BYTES)
    except BodyError as exc:
        return exc.response()
    return await _in_slot(request, _BYTES_SLOTS, "byte views", ByteViewError, byte_view, data)
