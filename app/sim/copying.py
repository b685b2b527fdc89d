"""Fast deep copies of the simulator's big tables, for a lab's checkpoints (copy.deepcopy of a run).

copy.deepcopy walks every element in Python. Tables that hold only immutable items
(bytes keys, float times, ints) are as well copied one level deep, at C speed.
"""

from __future__ import annotations

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
