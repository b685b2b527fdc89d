"""Helpers for the cluster picture's browser tests: read what it drew, where, and at which virtual time."""

from __future__ import annotations

import math
from typing import Any

from playwright.sync_api import Locator, Page, expect

KINDS = {"produce", "produce-response", "fetch", "fetch-response", "metadata", "metadata-response"}

#: The picture as drawn: the page's virtual time, how picture units map to CSS px, and every token's hook
#: (data-msg, data-kind, its times and its path) with the place it was last drawn.
SNAPSHOT = """el => {
  const f = el.querySelector('[data-flow]');
  const p = f.flowPicture;
  const tokens = [...f.querySelectorAll('[data-flow-handles] [data-msg]')].map((h) => ({
    id: Number(h.dataset.msg), kind: h.dataset.kind, send: Number(h.dataset.send), arrive: Number(h.dataset.arrive),
    lost: h.dataset.lost || null, path: (h.dataset.path || '').split(' ').filter(Boolean).map((s) => s.split(',').map(Number)),
    where: p.where(Number(h.dataset.msg)),
  }));
  return { now: Number(f.dataset.flowNow), labNow: Number(el.dataset.labNow), fit: p.fit, tokens, colours: p.colours };
}"""

#: The colour of the canvas pixel under each point (CSS px from the stage's top left), as [r, g, b, a].
PIXELS = """(el, points) => {
  const canvas = el.querySelector('[data-flow-canvas]');
  const ctx = canvas.getContext('2d');
  const k = canvas.width / canvas.getBoundingClientRect().width;
  return points.map(([x, y]) => [...ctx.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data]);
}"""


def snapshot(root: Locator) -> dict[str, Any]:
    return root.evaluate(SNAPSHOT)


def pixels(root: Locator, points: list[tuple[float, float]]) -> list[list[int]]:
    return root.evaluate(PIXELS, points)


def point_at(path: list[list[float]], f: float) -> tuple[float, float]:
    """The point at fraction ``f`` of a polyline's length (static/js/flow/geometry.js, written again here)."""
    lengths = [0.0]
    for (x0, y0), (x1, y1) in zip(path, path[1:]):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    want = max(0.0, min(1.0, f)) * lengths[-1]
    for i in range(1, len(path)):
        if lengths[i] >= want or i == len(path) - 1:
            seg = (lengths[i] - lengths[i - 1]) or 1.0
            u = (want - lengths[i - 1]) / seg
            (x0, y0), (x1, y1) = path[i - 1], path[i]
            return x0 + (x1 - x0) * u, y0 + (y1 - y0) * u
    return path[0][0], path[0][1]


def expected_px(token: dict[str, Any], now: float, fit: dict[str, float], stepped: bool = False) -> tuple[float, float]:
    """Where a token belongs at virtual ``now``: (now - send) / (arrive - send) of its path, in CSS px."""
    f = (now - token["send"]) / (token["arrive"] - token["send"])
    if stepped:
        f = 1 / 6 if f < 1 / 3 else 1 / 2 if f < 2 / 3 else 5 / 6
    x, y = point_at(token["path"], f)
    return fit["ox"] + x * fit["scale"], fit["oy"] + y * fit["scale"]


def rgb(css: str) -> tuple[int, int, int]:
    inner = css[css.index("(") + 1: css.index(")")]
    r, g, b = (int(float(v)) for v in inner.replace(",", " ").split()[:3])
    return r, g, b


def standing_still(page: Page, root: Locator) -> None:
    """Pause, and wait until the picture stands exactly at the paused frame's time."""
    root.get_by_role("button", name="Pause").click()
    expect(root).to_have_attribute("data-playback", "paused")
    page.wait_for_timeout(300)  # frames already on their way before the pause
    settled(page, root)


def settled(page: Page, root: Locator) -> None:
    """The picture has drawn the newest frame's time."""
    page.wait_for_function(
        "el => { const f = el.querySelector('[data-flow]'); return f.dataset.flowNow !== undefined && "
        "Number(f.dataset.flowNow) === Number(el.dataset.labNow); }", arg=root.element_handle(), timeout=5000)


def wait_for_tokens(page: Page, root: Locator, n: int = 2, timeout: float = 15000) -> None:
    """At least ``n`` tokens on the picture, scrolled into view (a picture out of view paints nothing)."""
    root.locator("[data-flow-stage]").scroll_into_view_if_needed()
    page.wait_for_function("([el, n]) => el.querySelectorAll('[data-flow-handles] [data-msg]').length >= n "
                           "&& el.querySelector('[data-flow]').dataset.flowNow !== undefined",  # and painted
                           arg=[root.element_handle(), n], timeout=timeout)
