"""How the console tools turn lines into records and records into lines.

Models ``org.apache.kafka.tools.LineMessageReader`` (``parse.key``, ``key.separator``,
``null.marker``, ``ignore.error``; headers are left out, as the simulator's records carry none)
and ``org.apache.kafka.tools.consumer.DefaultMessageFormatter`` (``print.timestamp``,
``print.partition``, ``print.offset``, ``print.epoch``, ``print.headers``, ``print.key``,
``print.value``, ``key.separator``, ``line.separator``, ``null.literal``), with their words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ReaderError(Exception):
    """``KafkaException`` thrown by the reader: the console producer prints its stack trace and exits."""


def key_value_args(args: list[str]) -> dict[str, str]:
    """``CommandLineUtils.parseKeyValueArgs``: ``k=v`` (split at the first ``=``; a missing value is "")."""
    out: dict[str, str] = {}
    for arg in args:
        key, _, value = arg.partition("=")
        out[key] = value
    return out


def _bool(props: dict[str, str], name: str) -> bool:
    return props[name].strip().lower() == "true"


@dataclass
class LineMessageReader:
    parse_key: bool = False
    key_separator: str = "\t"
    ignore_error: bool = False
    null_marker: str | None = None
    line_number: int = 0

    @classmethod
    def configure(cls, props: dict[str, str]) -> "LineMessageReader":
        r = cls()
        if "parse.key" in props:
            r.parse_key = _bool(props, "parse.key")
        if "key.separator" in props:
            r.key_separator = props["key.separator"]
        if "ignore.error" in props:
            r.ignore_error = _bool(props, "ignore.error")
        if "null.marker" in props:
            r.null_marker = props["null.marker"]
        if r.key_separator == r.null_marker:
            raise ReaderError("null.marker and key.separator may not be equal")
        if "parse.headers" in props and _bool(props, "parse.headers"):
            raise ReaderError("parse.headers: the simulator's records carry no headers")
        return r

    def read(self, line: str) -> tuple[bytes | None, bytes | None]:
        """One line: (key, value), as ``readRecords`` makes a ProducerRecord of it."""
        self.line_number += 1
        key = None
        offset = 0
        if self.parse_key:
            index = line.find(self.key_separator)
            if index == -1:
                if not self.ignore_error:
                    raise ReaderError(f"No key separator found on line number {self.line_number}: '{line}'")
            else:
                key = line[:index]
                offset = index + len(self.key_separator)
        value = line[offset:]
        return (key.encode() if key is not None and key != self.null_marker else None,
                value.encode() if value != self.null_marker else None)


@dataclass
class DefaultMessageFormatter:
    print_timestamp: bool = False
    print_key: bool = False
    print_value: bool = True
    print_partition: bool = False
    print_offset: bool = False
    print_epoch: bool = False
    print_headers: bool = False
    key_separator: str = "\t"
    line_separator: str = "\n"
    null_literal: str = "null"

    @classmethod
    def configure(cls, props: dict[str, str]) -> "DefaultMessageFormatter":
        f = cls()
        for name in ("timestamp", "key", "value", "partition", "offset", "epoch", "headers"):
            if f"print.{name}" in props:
                setattr(f, f"print_{name}", _bool(props, f"print.{name}"))
        for name in ("key.separator", "line.separator", "null.literal"):
            if name in props:
                setattr(f, name.replace(".", "_"), props[name])
        return f

    def write(self, record: Any, timestamp_type: str = "CreateTime", leader_epoch: int | None = None) -> str:
        """``writeTo``: the fields asked for, each followed by the key separator while another follows."""
        parts: list[str] = []
        if self.print_timestamp:
            parts.append(f"{timestamp_type}:{record.timestamp}")
        if self.print_partition:
            parts.append(f"Partition:{record.partition}")
        if self.print_offset:
            parts.append(f"Offset:{record.offset}")
        if self.print_epoch:
            parts.append(f"Epoch:{leader_epoch if leader_epoch is not None else 'NOT_PRESENT'}")
        if self.print_headers:
            parts.append("NO_HEADERS")
        if self.print_key:
            parts.append(self._text(record.key))
        out = self.key_separator.join(parts)
        if self.print_value:
            out = (out + self.key_separator if parts else "") + self._text(record.value) + self.line_separator
        elif parts:
            out += self.line_separator  # the last field's writeSeparator(output, false): the line separator
        return out

    def _text(self, data: bytes | None) -> str:
        return self.null_literal if data is None else data.decode("utf-8", "replace")
