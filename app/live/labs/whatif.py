"""What-if curves: one lab setting swept over a range, the others as the learner set them, run fast.

Each point is a short ``Scenario`` of the lab's own spec (``Lab.build_spec``), run to
its end in virtual time (no pacing) with per-record trace events off. The numbers
come from the run: records acknowledged per virtual second, and the p50/p99 of each
record's time from send() to its acknowledgement (``BatchWatch``), plus Kafka's
batch-size-avg and request count. Bounded: at most ``MAX_POINTS`` points of
``RUN_MS`` virtual ms each, and a wall-time budget per request after which the
remaining points are left out (``truncated``). Same settings and seed, same curve.
"""

from __future__ import annotations

import time
from typing import Any

from app.live.labs import Lab, Setting
from app.live.labs.batching import BatchWatch, percentile
from app.live.protocol import ProtocolError
from app.sim import Scenario

#: The labs with what-if curves, and the settings each may sweep.
SWEEPABLE: dict[str, tuple[str, ...]] = {
    "batching": ("linger.ms", "batch.size"),
    "compression": ("compression.type", "compression.gzip.level", "compression.lz4.level", "compression.zstd.level"),
    "acks": ("acks", "min.insync.replicas"),
}
MAX_POINTS = 12
RUN_MS = 1500.0
#: Virtual ms before measuring: the first batches and metadata are not the steady state.
WARMUP_MS = 250.0
BUDGET_S = 10.0
#: Some integer ranges are swept on these points rather than evenly.
POINTS: dict[str, tuple[int, ...]] = {
    "linger.ms": (0, 1, 2, 5, 10, 15, 20, 30, 50, 75, 100),
    "compression.zstd.level": (-7, -3, -1, 1, 3, 5, 9, 12, 15, 19, 22),
}


class WhatIfError(ValueError):
    """A bad request: the message says which parameter and what is allowed (HTTP 422)."""


def sweep_values(setting: Setting) -> list[Any]:
    if setting.choices is not None:
        return list(setting.choices)[:MAX_POINTS]
    assert setting.low is not None and setting.high is not None
    fixed = [v for v in POINTS.get(setting.name, ()) if setting.low <= v <= setting.high]
    if fixed:
        return fixed[:MAX_POINTS]
    span = setting.high - setting.low
    if span + 1 <= MAX_POINTS:
        return list(range(setting.low, setting.high + 1))
    return sorted({setting.low + round(span * i / (MAX_POINTS - 1)) for i in range(MAX_POINTS)})


def check_request(lab: Lab, name: str, values: dict[str, Any]) -> tuple[Setting, dict[str, Any]]:
    allowed = SWEEPABLE.get(lab.name)
    if allowed is None:
        raise WhatIfError(f"the {lab.name} lab has no what-if curves; labs with them: {', '.join(SWEEPABLE)}")
    if name not in allowed:
        raise WhatIfError(f"setting must be one of {', '.join(allowed)}; got {name!r}")
    known = {s.name for s in lab.settings}
    extra = sorted(k for k in values if k not in known)
    if extra:
        raise WhatIfError(f"unknown parameter {extra[0]!r}; the {lab.name} lab's settings are {', '.join(sorted(known))}")
    parsed: dict[str, Any] = {}
    for k, raw in values.items():
        s = lab.setting(k)
        value: Any = raw
        if s.choices is None and s.low is not None:
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise WhatIfError(f"{k} must be an integer from {s.low} to {s.high}; got {raw!r}") from None
        try:
            parsed[k] = s.check(value)
        except ProtocolError as exc:
            raise WhatIfError(exc.message) from None
    try:
        return lab.setting(name), lab.check_values(parsed)
    except ProtocolError as exc:
        raise WhatIfError(exc.message) from None


def run_point(lab: Lab, values: dict[str, Any], seed: int) -> dict[str, Any]:
    spec = lab.build_spec(values)
    spec["duration_ms"] = RUN_MS
    spec["settle_ms"] = 0
    spec["trace"] = {"records": False, "kinds": ["batch.ready"]}
    sc = Scenario(spec, seed, keep_log_bytes=False)  # a sweep reads metrics and ledgers, never log bytes
    watch = BatchWatch(sc)
    sc.run(WARMUP_MS)
    acked0 = sum(b.acked for b in watch.buckets.values())
    lat_keep = len([x for b in watch.buckets.values() for x in b.latencies])
    sc.run_to_end()
    lat = [x for b in watch.buckets.values() for x in b.latencies][lat_keep:]
    acked = sum(b.acked for b in watch.buckets.values()) - acked0
    m = sc.producer_metrics.summary(sc.producer, max(sc.now, 1.0))
    ledger = sc.ledger.summary(sc.cluster)
    return {"throughput": round(acked * 1000.0 / (RUN_MS - WARMUP_MS), 1), "p50": percentile(lat, 50), "p99": percentile(lat, 99),
            "batch-size-avg": m["batch-size-avg"], "records-per-request-avg": m["records-per-request-avg"],
            "request-count": m["request-count"], "compression-rate-avg": m["compression-rate-avg"],
            "wire_bytes": watch.totals["wire"], "failed": sum(ledger["failed"].values()), "lost": ledger["lost"]}


def sweep(lab: Lab, name: str, values: dict[str, Any], seed: int | None = None, budget_s: float = BUDGET_S) -> dict[str, Any]:
    """The curve: one point per value of ``name``, the other settings from ``values`` (the lab's preset fills the rest)."""
    setting, current = check_request(lab, name, values)
    seed = lab.seed if seed is None else seed
    if not 0 <= seed < 2**31:
        raise WhatIfError(f"seed must be an integer from 0 to {2**31 - 1}; got {seed}")
    start = time.perf_counter()
    points = []
    truncated = False
    for v in sweep_values(setting):
        if points and time.perf_counter() - start > budget_s:
            truncated = True
            break
        points.append({"value": v, **run_point(lab, {**current, name: v}, seed)})
    return {"lab": lab.name, "setting": name, "current": current[name], "settings": current, "seed": seed,
            "run_ms": RUN_MS, "warmup_ms": WARMUP_MS, "points": points, "truncated": truncated}


def sweep_lab(lab: str, name: str, values: dict[str, Any], seed: int | None = None) -> dict[str, Any]:
    """``sweep`` of the lab named ``lab``: what a worker process is sent (a name pickles; a Lab's functions may not)."""
    from app.live.labs import LABS

    return sweep(LABS[lab], name, values, seed)
