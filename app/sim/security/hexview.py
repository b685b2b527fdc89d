"""Annotated byte views, in the style of "The Illustrated TLS Connection": bytes, and what each run of them means.

A :class:`Span` names a run of bytes (offset, length, field name, decoded value) and
may hold nested spans (a request holds its header, the header its fields). The page
renders :func:`hex_rows` (hex and ASCII, 16 bytes a row, each byte tagged with the
innermost span that covers it) next to the span tree (:meth:`Span.to_dict`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["Span", "hex_rows", "ascii_char", "check_spans"]


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    length: int
    name: str
    value: str
    children: tuple[Span, ...] = ()

    @property
    def end(self) -> int:
        return self.start + self.length

    def shifted(self, delta: int) -> Span:
        return Span(self.start + delta, self.length, self.name, self.value,
                    tuple(c.shifted(delta) for c in self.children))

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Span]]:
        """Depth-first: (depth, span) for this span and every span inside it."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    def find(self, name: str) -> Span:
        """The first span (depth-first) with this name; KeyError if none."""
        for _, span in self.walk():
            if span.name == name:
                return span
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "length": self.length, "name": self.name, "value": self.value,
                "children": [c.to_dict() for c in self.children]}


def ascii_char(byte: int) -> str:
    """The ASCII column: printable characters as they are, everything else as a dot."""
    return chr(byte) if 0x20 <= byte < 0x7F else "."


def hex_rows(data: bytes, spans: Sequence[Span] = (), width: int = 16) -> list[dict[str, object]]:
    """Rows of ``width`` bytes: offset, hex pairs, ASCII, and for each byte the path of the innermost span."""
    owner: list[str | None] = [None] * len(data)
    for top in spans:
        for _, span in top.walk():  # deeper spans come later in the walk and overwrite their parents
            for i in range(max(span.start, 0), min(span.end, len(data))):
                owner[i] = span.name
    rows = []
    for start in range(0, len(data), width):
        chunk = data[start: start + width]
        rows.append({"offset": start, "hex": [f"{b:02x}" for b in chunk],
                     "ascii": "".join(ascii_char(b) for b in chunk), "fields": owner[start: start + width]})
    return rows


def check_spans(span: Span) -> None:
    """Children lie inside their parent, in order, without overlapping (a test aid and a guard for the page)."""
    pos = span.start
    for child in span.children:
        if child.start < pos or child.end > span.end:
            raise ValueError(f"span {child.name!r} [{child.start}, {child.end}) is outside or overlaps within "
                             f"{span.name!r} [{span.start}, {span.end})")
        check_spans(child)
        pos = child.end
