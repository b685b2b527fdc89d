"""Kafka's command-line options: jopt-simple 5.0.4 as Kafka's tools use it, with its words and its help table.

Models ``joptsimple.OptionParser`` (``new OptionParser(false)``: no abbreviations, as
``CommandDefaultOptions`` builds it), ``OptionSet`` (values converted when a tool asks for them,
so a bad ``--partitions x`` fails where the tool reads it, not where it parses) and
``BuiltinHelpFormatter`` (80 columns, the option column at most 39 wide, descriptions wrapped
at word breaks and after hyphens, continuation lines indented by two, every row padded with
spaces to its column's width). Leaves out short-option clusters (no Kafka tool defines one:
``-x`` is refused as an unrecognized option, as jopt-simple refuses it there) and
``allowsUnrecognizedOptions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Sequence

#: ``BuiltinHelpFormatter()``: overall width and the gap between the two columns
HELP_WIDTH = 80
HELP_GAP = 2
#: ``joptsimple.internal.Columns.INDENT_WIDTH``: continuation lines of a wrapped cell
INDENT = 2


class Arg(Enum):
    NONE = "none"  # parser.accepts("list")
    REQUIRED = "required"  # .withRequiredArg()
    OPTIONAL = "optional"  # .withOptionalArg()


@dataclass(frozen=True)
class Option:
    """One ``parser.accepts(name, description)`` with what follows it: ``withRequiredArg`` /
    ``withOptionalArg``, ``describedAs``, ``ofType`` (Java's short class name), ``defaultsTo``,
    ``withValuesSeparatedBy``, ``required``, ``forHelp``."""

    name: str
    description: str = ""
    arg: Arg = Arg.NONE
    arg_name: str | None = None
    type: str = "String"
    default: tuple[str, ...] = ()
    separator: str | None = None
    required: bool = False
    for_help: bool = False

    def __str__(self) -> str:
        """``OptionSpec.toString()``: the list of its names, as ``Missing required argument "[topic]"`` shows it."""
        return f"[{self.name}]"


def flag(name: str, description: str) -> Option:
    return Option(name, description)


def required(name: str, description: str, arg_name: str | None = None, type: str = "String", default: Any = None,
             separator: str | None = None) -> Option:
    return Option(name, description, Arg.REQUIRED, arg_name, type, () if default is None else (str(default),),
                  separator)


def optional(name: str, description: str, arg_name: str | None = None, type: str = "String") -> Option:
    return Option(name, description, Arg.OPTIONAL, arg_name, type)


class OptionException(Exception):
    """``joptsimple.OptionException``: ``message`` is what ``getMessage()`` says."""

    java_class = "joptsimple.OptionException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnrecognizedOptionException(OptionException):
    java_class = "joptsimple.UnrecognizedOptionException"

    def __init__(self, option: str) -> None:
        super().__init__(f"{option} is not a recognized option")
        self.option = option


class OptionMissingRequiredArgumentException(OptionException):
    java_class = "joptsimple.OptionMissingRequiredArgumentException"

    def __init__(self, option: str) -> None:
        super().__init__(f"Option {option} requires an argument")


class MultipleArgumentsForOptionException(OptionException):
    java_class = "joptsimple.MultipleArgumentsForOptionException"

    def __init__(self, option: str) -> None:
        super().__init__(f"Found multiple arguments for option {option}, but you asked for only one")


class OptionArgumentConversionException(OptionException):
    java_class = "joptsimple.OptionArgumentConversionException"

    def __init__(self, value: str, option: str) -> None:
        super().__init__(f"Cannot parse argument '{value}' of option {option}")


class MissingRequiredOptionsException(OptionException):
    java_class = "joptsimple.MissingRequiredOptionsException"

    def __init__(self, options: list[str]) -> None:
        super().__init__(f"Missing required option(s) [{', '.join(options)}]")


_INT_RANGES = {"Integer": (-2**31, 2**31 - 1), "Long": (-2**63, 2**63 - 1), "Short": (-2**15, 2**15 - 1)}
_JAVA_INT = re.compile(r"[+-]?\d+")


def convert(value: str, java_type: str) -> Any:
    """``Integer.valueOf`` / ``Long.valueOf`` / ``Double.valueOf`` / a String: ValueError when Java's would throw."""
    if java_type in _INT_RANGES:
        if not _JAVA_INT.fullmatch(value):
            raise ValueError(value)
        n = int(value)
        low, high = _INT_RANGES[java_type]
        if not low <= n <= high:
            raise ValueError(value)
        return n
    if java_type == "Double":
        return float(value.strip())
    return value


@dataclass
class OptionSet:
    """What ``parser.parse(args)`` found: options in the order given (``specs()``), their raw values, non-options."""

    parser: "OptionParser"
    found: list[str] = field(default_factory=list)
    raw: dict[str, list[str]] = field(default_factory=dict)
    non_options: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.raw

    def values_of(self, name: str) -> list[Any]:
        """``valuesOf``: every value given (split at the option's separator), converted; else the default."""
        spec = self.parser.spec(name)
        raw = self.raw.get(name)
        if not raw:
            raw = list(spec.default) if name not in self.raw or spec.arg is not Arg.OPTIONAL else []
        out = []
        for text in raw:
            for part in (text.split(spec.separator) if spec.separator else [text]):
                try:
                    out.append(convert(part, spec.type))
                except ValueError:
                    raise OptionArgumentConversionException(part, name) from None
        return out

    def value_of(self, name: str) -> Any:
        """``valueOf``: the one value (None when absent without a default); more than one is an error."""
        values = self.values_of(name)
        if len(values) > 1:
            raise MultipleArgumentsForOptionException(name)
        return values[0] if values else None

    def specs(self) -> list[str]:
        """``OptionSet.specs()``: the options found, in order, once per occurrence."""
        return list(self.found)


class OptionParser:
    """The options one tool accepts; ``--help`` and ``--version`` come first, as ``CommandDefaultOptions`` adds them."""

    def __init__(self, options: Iterable[Option], defaults: bool = True) -> None:
        self.options: dict[str, Option] = {}
        if defaults:
            self.add(Option("help", "Print usage information.", for_help=True))
            self.add(Option("version", "Display Kafka version.", for_help=True))
        for o in options:
            self.add(o)

    def add(self, option: Option) -> None:
        self.options[option.name] = option

    def spec(self, name: str) -> Option:
        return self.options[name]

    def parse(self, args: Sequence[str]) -> OptionSet:
        """``OptionParser.parse``: OptionException for an option it does not know or one missing its argument."""
        out = OptionSet(self)
        i = 0
        while i < len(args):
            token = args[i]
            i += 1
            if token == "--":
                out.non_options.extend(args[i:])
                break
            if not token.startswith("-") or token == "-":
                out.non_options.append(token)
                continue
            body = token[2:] if token.startswith("--") else token[1:]
            name, eq, inline = body.partition("=")
            spec = self.options.get(name)
            if spec is None:
                # a single hyphen names a long option too (``-topic``); otherwise jopt-simple reads a cluster of
                # one-letter options, and none of Kafka's is one: its first letter is what it cannot place
                raise UnrecognizedOptionException(name if token.startswith("--") or not name else name[0])
            out.found.append(name)
            values = out.raw.setdefault(name, [])
            if spec.arg is Arg.NONE:
                continue
            if eq:
                values.append(inline)
            elif spec.arg is Arg.REQUIRED:
                if i >= len(args):
                    raise OptionMissingRequiredArgumentException(name)
                values.append(args[i])  # taken whatever it looks like, as RequiredArgumentOptionSpec does
                i += 1
            elif i < len(args) and not _looks_like_option(args[i]):
                values.append(args[i])
                i += 1
        missing = [o.name for o in self.options.values() if o.required and not out.has(o.name)]
        if missing and not any(out.has(o.name) for o in self.options.values() if o.for_help):
            raise MissingRequiredOptionsException(missing)
        return out

    # -- help ----------------------------------------------------------------------------------------
    def help(self) -> str:
        """``printHelpOn``: the option table, each line padded to the table's width, ending in a newline."""
        opts = sorted(self.options.values(), key=lambda o: o.name)
        any_required = any(o.required for o in opts)
        rows = [("Option (* = required)" if any_required else "Option", "Description"),
                ("---------------------" if any_required else "------", "-----------")]
        rows += [(_option_display(o), _description_display(o)) for o in opts]
        return _render(rows)


def _looks_like_option(token: str) -> bool:
    return token.startswith("-") and token != "-"


def _option_display(o: Option) -> str:
    """``createOptionDisplay``: ``--name <Type: description>`` (``[...]`` for an optional argument)."""
    text = ("* " if o.required else "") + ("--" if len(o.name) > 1 else "-") + o.name
    if o.arg is not Arg.NONE:
        start, end = ("<", ">") if o.arg is Arg.REQUIRED else ("[", "]")
        text += f" {start}{o.type}" + (f": {o.arg_name}" if o.arg_name else "") + end
    return text


def _description_display(o: Option) -> str:
    if not o.default:
        return o.description
    shown = o.default[0] if len(o.default) == 1 else "[" + ", ".join(o.default) + "]"
    return f"{o.description} (default: {shown})".strip()


def _render(rows: list[tuple[str, str]]) -> str:
    """``Rows.fitToWidth`` then ``render``."""
    option_width = min((HELP_WIDTH - HELP_GAP) // 2, max(len(a) for a, _ in rows))
    description_width = min(HELP_WIDTH - option_width - HELP_GAP, max(len(b) for _, b in rows))
    fitted: list[tuple[str, str]] = []
    for left, right in rows:
        a, b = _pieces(left, option_width), _pieces(right, description_width)
        for k in range(max(len(a), len(b))):
            fitted.append((a[k] if k < len(a) else "", b[k] if k < len(b) else ""))
    option_width = min((HELP_WIDTH - HELP_GAP) // 2, max(len(a) for a, _ in fitted))
    description_width = min(HELP_WIDTH - option_width - HELP_GAP, max(len(b) for _, b in fitted))
    return "".join(a.ljust(option_width) + " " * HELP_GAP + b.ljust(description_width) + "\n" for a, b in fitted)


def _pieces(raw: str, width: int) -> list[str]:
    """``Columns.piecesOf``: each embedded line wrapped at ``width``."""
    out: list[str] = []
    for line in raw.strip().split("\n"):
        out += _wrap(line, width)
    return out


def _words(line: str) -> list[str]:
    """The pieces ``BreakIterator.getLineInstance()`` may break ``line`` into: after spaces (and tabs), and after
    a hyphen that a letter follows (``--bootstrap-server`` breaks after ``--`` and after ``bootstrap-``; ``-1``
    does not)."""
    words: list[str] = []
    start = 0
    for i in range(1, len(line)):
        before, here = line[i - 1], line[i]
        if (before.isspace() and not here.isspace()) or (before == "-" and here.isalpha()):
            words.append(line[start:i])
            start = i
    if line:
        words.append(line[start:])
    return words


def _wrap(line: str, width: int) -> list[str]:
    """``Columns.piecesOfEmbeddedLine`` with ``processNextWord``."""
    pieces: list[str] = []
    piece = ""
    for word in _words(line):
        if len(piece) + len(word) > width:
            pieces.append(piece.rstrip())
            piece = " " * INDENT + word
        else:
            piece += word
    if piece:
        pieces.append(piece)
    return pieces
