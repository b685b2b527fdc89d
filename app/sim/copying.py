"""Fast deep copies of the simulator's big tables, for a lab's checkpoints (copy.deepcopy of a run).

copy.deepcopy walks every element in Python. Tables that hold only immutable items
(bytes keys, float times, ints) are as well copied one level deep, at C speed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any, TypeVar

T = TypeVar("T")


def deepcopy_with_flat(obj: T, memo: dict[int, Any], flat: tuple[str, ...]) -> T:
    """``copy.deepcopy(obj)`` for an object with a ``__dict__``, except that the attributes named in
    ``flat`` (lists, dicts, bytearrays of immutable items) are copied one level deep."""
    new = object.__new__(type(obj))
    memo[id(obj)] = new
    for name, value in vars(obj).items():
        setattr(new, name, value.copy() if name in flat else deepcopy(value, memo))
    return new


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a run goes on or is copied.

    A run allocates millions of small acyclic objects (record tuples, batches) and a copy
    of it as many again; the collector's generation scans over them cost more than the
    work itself (a copy of a long run took four times as long with it on) and free
    nothing. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def copy_paused(obj: T) -> T:
    """``copy.deepcopy(obj)`` with the collector paused (a lab's checkpoint of its run)."""
    with paused_gc():
        return deepcopy(obj)
