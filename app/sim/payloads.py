"""Seeded generators of record values for simulated producers.

Compression ratios are only as real as the bytes compressed, so values look
like what producers send: JSON order events, log lines, random bytes, or the
learner's own text.  Each generator builds a pool of distinct values (from a
``random.Random`` seeded by the caller's) and then cycles through it: a JSON
document costs tens of microseconds to build, a pool index well under one, and
a pool of up to 1024 distinct values keeps every batch free of exact repeats,
so codecs find only the redundancy real events have (shared field names,
similar numbers), not whole duplicated records.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

__all__ = ["PAYLOAD_KINDS", "PayloadGenerator", "make_payload_generator"]

PAYLOAD_KINDS: Final = ("json", "logs", "random", "text")

# A pool holds up to 1024 values: more than a 16 KiB batch holds even of
# 10-byte values (about 960).  Big values get fewer, to keep a pool near 4 MiB;
# with 1 MiB values every record is a batch of its own anyway.
_POOL_BYTES: Final = 4 * 1024 * 1024
_POOL_MIN: Final = 16
_POOL_MAX: Final = 1024

_FIRST_NAMES: Final = (
    "Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Radia", "Dennis", "Frances",
    "Edsger", "Hedy", "John", "Katherine", "Leslie", "Mary", "Niklaus", "Sophie", "Tim", "Yukihiro",
)
_LAST_NAMES: Final = (
    "Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson", "Perlman",
    "Ritchie", "Allen", "Dijkstra", "Lamarr", "Backus", "Johnson", "Lamport", "Keller", "Wirth",
    "Wilson", "Berners-Lee", "Matsumoto",
)
_DOMAINS: Final = ("example.com", "mail.example.org", "shop.example.net", "corp.example")
_TIERS: Final = ("bronze", "silver", "gold", "platinum")
_STATUSES: Final = ("CREATED", "PAID", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED")
_CURRENCIES: Final = ("EUR", "USD", "GBP", "JPY")
_PRODUCTS: Final = (
    "espresso beans 1kg", "ceramic mug", "pour-over kettle", "burr grinder", "paper filters x100",
    "milk frother", "travel tumbler", "cold brew jar", "digital scale", "tamper 58mm",
    "descaling tablets", "glass carafe", "oat milk 6-pack", "barista apron", "cleaning brush",
)
_CITIES: Final = ("Berlin", "Lyon", "Porto", "Leeds", "Austin", "Osaka", "Dublin", "Gdansk", "Utrecht", "Turin")
_SERVICES: Final = ("checkout", "payments", "inventory", "shipping", "auth", "search", "gateway", "orders")
_LEVELS: Final = ("INFO", "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR")
_MESSAGES: Final = (
    "order placed", "payment authorized", "payment declined: insufficient funds", "stock reserved",
    "cache miss for product page", "request completed", "retrying upstream call", "token refreshed",
    "slow query detected", "connection pool exhausted, waiting", "shipment label created",
    "rate limit exceeded for client", "user signed in", "health check ok",
)
_FILLER_WORDS: Final = (
    "please", "leave", "at", "the", "door", "ring", "twice", "gift", "wrap", "fragile", "thanks",
    "no", "plastic", "call", "before", "delivery", "side", "entrance", "weekend", "only",
)


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[int(rng.random() * len(options))]


def _iso_time(ms: int) -> str:
    # A simple 28-day-month calendar: realistic-looking, and independent of
    # the machine's clock and zone (the simulator never reads either).
    seconds, millis = divmod(ms, 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    day = 1 + days % 28
    month = 1 + (days // 28) % 12
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{sec:02d}.{millis:03d}Z"


def _filler(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = -1
    while length < size:
        word = _pick(rng, _FILLER_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def _pad_json(body: str, size: int) -> str:
    # JSON allows whitespace between tokens: spend the last few bytes there.
    return body[:-1] + " " * (size - len(body)) + body[-1]


def _json_value(rng: random.Random, size: int, clock_ms: int) -> bytes:
    """An order event of exactly ``size`` bytes (a bare JSON number below 16).

    Built with f-strings rather than json.dumps: every string in it is plain
    ASCII without quotes or backslashes, and this runs for every pool entry.
    """
    if size < 16:
        return str(rng.randrange(10 ** (size - 1), 10**size)).encode()
    order_id = f"ord-{rng.getrandbits(48):012x}"
    total = 0.0
    first, last = _pick(rng, _FIRST_NAMES), _pick(rng, _LAST_NAMES)
    head = (
        f'{{"order_id":"{order_id}","created_at":"{_iso_time(clock_ms)}","status":"{_pick(rng, _STATUSES)}",'
        f'"customer":{{"id":"cus-{rng.randrange(100000, 999999)}","name":"{first} {last}",'
        f'"email":"{first.lower()}.{last.lower()}@{_pick(rng, _DOMAINS)}","tier":"{_pick(rng, _TIERS)}"}},'
        f'"currency":"{_pick(rng, _CURRENCIES)}","items":['
    )
    tail = f'"shipping":{{"city":"{_pick(rng, _CITIES)}","postcode":"{rng.randrange(10000, 99999)}"}}'
    # 12 bytes for '],"total":' and the total's digits, 2 for the closing '}' and a comma.
    budget = size - len(head) - len(tail) - 22
    if budget < 100:  # room for at least one line item (about 90 bytes)
        # Too small for a whole order: the richest compact event that fits.
        status, amount = _pick(rng, _STATUSES), round(rng.uniform(2, 500), 2)
        candidates = (
            f'{{"order_id":"{order_id}","created_at":"{_iso_time(clock_ms)}","status":"{status}",'
            f'"customer_id":"cus-{rng.randrange(100000, 999999)}","currency":"{_pick(rng, _CURRENCIES)}",'
            f'"total":{amount}}}',
            f'{{"order_id":"{order_id}","status":"{status}","total":{amount}}}',
            f'{{"id":{rng.randrange(10**6)}}}',
        )
        body = next(c for c in candidates if len(c) <= size or c is candidates[-1])
        room = size - len(body) - len(',"note":""')
        if room >= 0:
            body = f'{body[:-1]},"note":"{_filler(rng, room)}"}}'
        return _pad_json(body, size).encode()
    items: list[str] = []
    used = 0
    while True:
        qty = rng.randrange(1, 5)
        price = round(rng.uniform(2, 120), 2)
        item = (
            f'{{"sku":"SKU-{rng.randrange(10000, 99999)}","name":"{_pick(rng, _PRODUCTS)}",'
            f'"qty":{qty},"unit_price":{price}}}'
        )
        grow = len(item) + (1 if items else 0)
        if used + grow > budget:
            break
        items.append(item)
        used += grow
        total += qty * price
    body = f'{head}{",".join(items)}],"total":{round(total, 2)},{tail}}}'
    room = size - len(body) - len(',"note":""')
    if room >= 0:
        body = f'{body[:-1]},"note":"{_filler(rng, room)}"}}'
    return _pad_json(body, size).encode()


def _log_value(rng: random.Random, size: int, clock_ms: int) -> bytes:
    line = (
        f"{_iso_time(clock_ms)} {_pick(rng, _LEVELS):<5} [{_pick(rng, _SERVICES)}-{rng.randrange(1, 6)}] "
        f"trace={rng.getrandbits(64):016x} {_pick(rng, _MESSAGES)}"
        f" user=u{rng.randrange(1, 50000)} latency_ms={rng.randrange(1, 900)}"
    )
    while len(line) < size:
        key = _pick(rng, ("order", "sku", "region", "attempt", "bytes", "status"))
        line += f" {key}={rng.randrange(1, 10**rng.randrange(1, 7))}"
    return line[:size].encode()


def _random_value(rng: random.Random, size: int, clock_ms: int) -> bytes:
    return rng.randbytes(size)


_BUILDERS: Final = {"json": _json_value, "logs": _log_value, "random": _random_value}


class PayloadGenerator:
    """Cycles through a seeded pool of distinct values of one kind.

    The pool fills on demand from a private ``random.Random`` seeded once from
    the caller's: a short run pays only for the values it uses, and the
    values do not depend on what else draws from the caller's generator.
    """

    __slots__ = ("kind", "value_bytes", "pool_size", "_pool", "_next", "_rng", "_build", "_clock_ms")

    def __init__(
        self,
        kind: str,
        value_bytes: int,
        pool_size: int,
        rng: random.Random,
        build: Callable[[random.Random, int, int], bytes] | None = None,
        pool: list[bytes] | None = None,
    ) -> None:
        self.kind = kind
        self.value_bytes = value_bytes
        self.pool_size = pool_size
        self._pool: list[bytes] = pool if pool is not None else []
        self._next = 0
        self._rng = rng
        self._build = build
        self._clock_ms = rng.randrange(0, 86_400_000 * 300)

    def _grow(self, n: int) -> None:
        pool = self._pool
        rng = self._rng
        build = self._build
        assert build is not None
        want = min(self.pool_size, len(pool) + n)
        clock_ms = self._clock_ms
        while len(pool) < want:
            clock_ms += rng.randrange(0, 250)
            pool.append(build(rng, self.value_bytes, clock_ms))
        self._clock_ms = clock_ms

    def next(self) -> bytes:
        i = self._next
        pool = self._pool
        if i == len(pool) and i < self.pool_size:
            self._grow(1)
        self._next = i + 1 if i + 1 < self.pool_size else 0
        return pool[i]

    def batch(self, n: int) -> list[bytes]:
        """The next ``n`` values, as ``n`` calls of ``next`` would return them."""
        if len(self._pool) < self.pool_size:
            self._grow(self._next + n - len(self._pool))
        pool = self._pool
        size = self.pool_size
        start = self._next
        out: list[bytes] = []
        while len(out) < n:
            take = min(n - len(out), size - start)
            out.extend(pool[start : start + take])
            start = (start + take) % size
        self._next = start
        return out


def _pool_size(value_bytes: int) -> int:
    return max(_POOL_MIN, min(_POOL_MAX, _POOL_BYTES // max(value_bytes, 1)))


def make_payload_generator(
    kind: str, value_bytes: int, rng: random.Random, text: str | None = None
) -> PayloadGenerator:
    """A deterministic generator: the same ``rng`` state gives the same values.

    Takes one draw from ``rng``.  ``json`` values are exactly ``value_bytes``
    long: an order event (items added while they fit, then a note and
    whitespace to the exact size), a compact event when a full order does not
    fit, a bare JSON number below 16 bytes.  ``logs`` and ``random`` are
    exactly ``value_bytes`` too; ``text`` cycles the UTF-8 bytes of ``text``
    from distinct starting points (a slice may split a multi-byte character
    at its ends).
    """
    if kind not in PAYLOAD_KINDS:
        raise ValueError(f"Unknown payload kind {kind!r}; valid kinds are {', '.join(PAYLOAD_KINDS)}")
    if value_bytes < 0 or (kind == "json" and value_bytes < 1):
        minimum = 1 if kind == "json" else 0
        raise ValueError(f"value_bytes for {kind!r} payloads must be >= {minimum}, got {value_bytes}")
    own_rng = random.Random(rng.getrandbits(64))
    count = _pool_size(value_bytes)
    if kind == "text":
        if not text:
            raise ValueError("payload kind 'text' needs a non-empty text")
        raw = text.encode("utf-8")
        cycled = raw * (value_bytes // len(raw) + 2)
        count = min(count, len(raw))
        starts = sorted(own_rng.sample(range(len(raw)), count))
        pool = [cycled[s : s + value_bytes] for s in starts]
        return PayloadGenerator(kind, value_bytes, count, own_rng, pool=pool)
    return PayloadGenerator(kind, value_bytes, count, own_rng, build=_BUILDERS[kind])
