"""Java's ways of printing, where Kafka's tools print Java objects: exceptions, Optionals, HashMap orders, printf.

Not a Kafka class. ``Throwable.printStackTrace`` (what ``Utils.stackTrace`` returns): the
exception's class and message, then one ``\\tat`` line per frame. Kafka's protocol errors extend
``ApiException``, which keeps no stack trace ("avoid the expensive and useless stack trace for
api exceptions"), so they print as one line. The frames given for the tools' own exceptions are
the call sites in the tools' sources (TopicCommand.java of 3.9.0 and of trunk as 4.0 was cut).
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from app.sim.admin.errors import KafkaAdminError
from app.sim.consumer.javaorder import grown_capacity, hashmap_order, java_string_hash

ERRORS_PACKAGE = "org.apache.kafka.common.errors"


def exception_line(java_class: str, message: str | None) -> str:
    """``Throwable.toString``: ``class: message``, or the class alone when there is no message."""
    return java_class if message is None else f"{java_class}: {message}"


def stack_trace(java_class: str, message: str | None, frames: Sequence[str] = ()) -> str:
    """``Utils.stackTrace(e)``: the exception line and its frames, each line ending in a newline."""
    return exception_line(java_class, message) + "\n" + "".join(f"\tat {f}\n" for f in frames)


def admin_class(exc: KafkaAdminError) -> str:
    """The fully qualified class of an admin error (``org.apache.kafka.common.errors.TopicExistsException``)."""
    return f"{ERRORS_PACKAGE}.{exc.name}"


def optional(value: str | None) -> str:
    """``Optional.toString``: ``Optional[x]`` or ``Optional.empty``."""
    return "Optional.empty" if value is None else f"Optional[{value}]"


def table_size_for(n: int) -> int:
    """``HashMap.tableSizeFor``: the table a ``new HashMap<>(n)`` starts with."""
    size = 1
    while size < n:
        size *= 2
    return size


def hashmap_keys(keys: Iterable[str], initial: int | None = None) -> list[str]:
    """The order a Java ``HashMap<String, ?>`` (``new HashMap<>()``, or ``new HashMap<>(initial)``) gives its keys."""
    ordered = list(keys)
    start = 16 if initial is None else table_size_for(initial)
    return hashmap_order(ordered, java_string_hash, grown_capacity(len(ordered), start))


def java_regex(pattern: str) -> re.Pattern[str]:
    """A Java regex as Python reads it: the two agree on what the tools' topic filters use."""
    return re.compile(pattern)


def printf(fmt: str, *args: object) -> str:
    """``String.format`` for the ``%-Ns``/``%s``/``%n`` the tools' tables use."""
    out = fmt.replace("%n", "\n")
    return out % tuple("null" if a is None else a for a in args)
