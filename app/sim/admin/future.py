"""Admin results as Kafka's admin client hands them out: a future per item, already completed.

Models ``KafkaFuture`` and the per-item results (``CreateTopicsResult.values()``, ``all()``).
The simulator applies an admin call at the scenario's current virtual time, in one step, so
every future is done when the call returns: ``get()`` gives the value or raises the item's
``KafkaAdminError``. Nothing here waits, and nothing reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterable, TypeVar

from app.sim.admin.errors import KafkaAdminError

T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class KafkaFuture(Generic[T]):
    """A completed ``KafkaFuture``: a value, or the exception it completed with."""

    value: T | None = None
    exception: KafkaAdminError | None = None

    def get(self) -> T:
        """The value, or raise the exception (``KafkaFuture.get`` raises it wrapped in an ExecutionException)."""
        if self.exception is not None:
            raise self.exception
        return self.value  # type: ignore[return-value]

    def done(self) -> bool:
        return True

    def is_completed_exceptionally(self) -> bool:
        return self.exception is not None


def completed(value: T) -> KafkaFuture[T]:
    return KafkaFuture(value)


def failed(error: KafkaAdminError) -> KafkaFuture:
    return KafkaFuture(None, error)


@dataclass(frozen=True)
class Results(Generic[K, T]):
    """The items of one admin call in the order asked (``values()``), and ``all()``."""

    values: dict[K, KafkaFuture[T]] = field(default_factory=dict)

    def all(self) -> dict[K, T]:
        """Every item's value, or raise the first item's error (``KafkaFuture.allOf``)."""
        return {k: f.get() for k, f in self.values.items()}

    def errors(self) -> dict[K, KafkaAdminError]:
        """The items that failed, with their errors."""
        return {k: f.exception for k, f in self.values.items() if f.exception is not None}

    def __getitem__(self, key: K) -> KafkaFuture[T]:
        return self.values[key]


def each(items: Iterable[tuple[K, Any]], call: Callable[[K, Any], T]) -> Results[K, T]:
    """``call(key, item)`` for every item, each answer or KafkaAdminError in its own future; a key
    asked twice keeps its first item (the Java client's maps do the same)."""
    out: dict[K, KafkaFuture[T]] = {}
    for key, item in items:
        if key in out:
            continue
        try:
            out[key] = completed(call(key, item))
        except KafkaAdminError as exc:
            out[key] = failed(exc)
    return Results(out)
