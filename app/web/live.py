"""The lab websocket: check the Origin, take a session place, then pace the session and stream its frames.

The simulation lives in app/live (LabSession) and app/sim; this router owns the
wall clock and the socket. One task reads messages into a queue; the session loop
ticks at most ``lab_frames_per_sec`` times a second and sends a frame when the page
has acknowledged enough of the earlier ones (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from app.live import LABS, LabSession, Limits, ProtocolError
from app.live.registry import SessionRegistry
from app.settings import Settings

router = APIRouter(tags=["labs"])

#: Close codes (RFC 6455 and the 4000s private range): see docs/protocol.md.
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013
CLOSE_IDLE = 4000
_TICK = object()


def origin_allowed(ws: WebSocket, settings: Settings) -> bool:
    """Same origin as the page (host and port match), or listed in ``lab_allowed_origins``.

    Browsers always send Origin on a websocket; a missing one is a non-browser client,
    which a cross-site page cannot be.
    """
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    if origin in settings.lab_allowed_origins:
        return True
    return urlsplit(origin).netloc.lower() == (ws.headers.get("host") or "").lower()


def limits_from(settings: Settings) -> Limits:
    # A tick makes up for at most a quarter second of wall time: a busy server lets a run fall
    # behind real time rather than spiral into ever longer catch-up ticks.
    return Limits(events_per_sec=settings.lab_events_per_sec, messages_per_sec=settings.lab_messages_per_sec,
                  message_burst=max(1, int(settings.lab_messages_per_sec * 2)), max_tick_ms=250.0)


def _tick(session: LabSession, now: float) -> dict[str, Any] | None:
    session.tick(now)
    return session.next_frame(now)


async def _send(ws: WebSocket, message: dict[str, Any]) -> None:
    await ws.send_text(json.dumps(message, separators=(",", ":")))


@router.websocket("/ws/labs/{lab}")
async def lab_socket(ws: WebSocket, lab: str) -> None:
    settings: Settings = ws.app.state.settings
    if not origin_allowed(ws, settings):
        await ws.close(code=CLOSE_POLICY, reason="origin not allowed")
        return
    definition = LABS.get(lab)
    await ws.accept()
    if definition is None:
        await _send(ws, ProtocolError("unknown_lab", f"there is no lab {lab!r}; labs: {', '.join(LABS)}").frame())
        await ws.close(code=CLOSE_POLICY)
        return
    registry: SessionRegistry = ws.app.state.lab_sessions
    if not registry.try_open():
        await _send(ws, ProtocolError("too_many_sessions", f"this server runs at most {registry.limit} labs at once; "
                                      "try again in a moment").frame())
        await ws.close(code=CLOSE_TRY_LATER)
        return
    try:
        await _serve(ws, definition, settings)
    except WebSocketDisconnect:
        pass
    finally:
        registry.close()


async def _serve(ws: WebSocket, definition: Any, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Any] = asyncio.Queue(maxsize=64)

    async def read() -> None:
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await inbox.put(message.get("text") if message.get("text") is not None else b"")
        finally:
            await inbox.put(None)

    reader = asyncio.create_task(read())
    ms = lambda: loop.time() * 1000.0  # noqa: E731
    session = LabSession(definition, limits_from(settings), wall_ms=ms())
    period = 1.0 / settings.lab_frames_per_sec
    idle_ms = settings.lab_idle_seconds * 1000.0
    next_tick = loop.time()
    try:
        await _send(ws, session.hello())
        while True:
            if session.idle_for(ms()) > idle_ms:
                await _send(ws, ProtocolError("idle", f"no control for {settings.lab_idle_seconds:g} s: the lab closed. "
                                              "Reload the page (its link replays the run).").frame())
                await ws.close(code=CLOSE_IDLE)
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
                frame = await asyncio.to_thread(_tick, session, now)
                if frame is not None:
                    # Wall-clock send time (epoch ms): lets a page or bench/lab_frames.py measure event-to-frame latency.
                    frame["wall"] = round(time.time() * 1000.0, 1)
                    await _send(ws, frame)
            elif isinstance(item, bytes):
                await _send(ws, ProtocolError("bad_message", "send text frames holding JSON, not binary ones").frame())
            else:
                # A seek replays the run from virtual time 0, which can take seconds: off the event loop,
                # so other sessions keep streaming. Only this loop touches the session, one call at a time.
                for reply in await asyncio.to_thread(session.receive, item, ms()):
                    await _send(ws, reply)
    finally:
        reader.cancel()


#: What-if sweeps run at most this many at once (each is bounded in points and wall time: app/live/labs/whatif.py).
_WHATIF_SLOTS = threading.BoundedSemaphore(2)


@router.get("/api/labs/{lab}/whatif")
def lab_whatif(lab: str, request: Request) -> Any:
    """One setting of a lab swept fast over its range, the others as in the query (``?setting=linger.ms&batch.size=16384``)."""
    from app.live.labs.whatif import WhatIfError, sweep

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
    if not _WHATIF_SLOTS.acquire(blocking=False):
        return JSONResponse({"detail": "the server is busy with other what-if curves; try again in a moment"}, status_code=429)
    try:
        return sweep(definition, name, params, seed)
    except WhatIfError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    finally:
        _WHATIF_SLOTS.release()


@router.post("/api/labs/compression/compare")
async def compression_compare(request: Request) -> Any:
    """The same batches encoded with every codec (app/live/labs/compression.py ``compare``); body: payload, text, records_per_batch, levels."""
    from app.live.labs.compression import MAX_TEXT_BYTES, CompareError, compare

    body = await request.body()
    if len(body) > MAX_TEXT_BYTES * 2 + 4096:
        return JSONResponse({"detail": f"the request is too large: text must be at most {MAX_TEXT_BYTES} bytes"}, status_code=413)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return JSONResponse({"detail": "the body must be JSON"}, status_code=422)
    allowed = {"payload", "text", "records_per_batch", "levels"}
    if not isinstance(data, dict) or set(data) - allowed:
        return JSONResponse({"detail": f"the body must be an object with only: {', '.join(sorted(allowed))}"}, status_code=422)
    if data.get("levels") is not None and not isinstance(data["levels"], dict):
        return JSONResponse({"detail": "levels must be an object such as {\"zstd\": 3}"}, status_code=422)
    try:
        return await asyncio.to_thread(compare, data.get("payload", "json"), data.get("text"),
                                       data.get("records_per_batch", 10), data.get("levels"))
    except CompareError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)


from app.live.labs.partitioning import MAX_PARTITIONS, KeyQuery, null_key_runs  # noqa: E402  (the partitioning lab's routes)


@router.post("/api/labs/partitioning/key")
async def partitioning_key(request: Request) -> Any:
    """A typed key's bytes, murmur2, toPositive and partition (and other clients'), plus the generated keys' moves.

    Checked here rather than by FastAPI: its 422 echoes the input, and a key with a lone surrogate cannot be echoed.
    """
    from pydantic import ValidationError

    try:
        query = KeyQuery.model_validate(json.loads(await request.body()))
    except ValueError as exc:
        errors = exc.errors(include_input=False) if isinstance(exc, ValidationError) else [{"loc": (), "msg": f"not JSON: {exc}"}]
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg'].removeprefix('Value error, ')}" for e in errors)
        return JSONResponse({"detail": detail}, status_code=422)
    return query.answer()


@router.get("/api/labs/partitioning/null-keys")
def partitioning_null_keys(partitions: int) -> Any:
    """Records without a key under round-robin, sticky and uniform sticky: three short simulator runs."""
    if not 1 <= partitions <= MAX_PARTITIONS:
        return JSONResponse({"detail": f"partitions must be from 1 to {MAX_PARTITIONS}; got {partitions}"}, status_code=422)
    return null_key_runs(partitions)
