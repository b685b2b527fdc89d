"""The command line itself: splitting it into words, naming the tool, and the tools there are.

Not a Kafka class. A line is split as bash splits it (``shlex``, POSIX rules: quotes group,
backslashes escape), or, for the Windows form the course's notes use
(``.\\bin\\windows\\kafka-topics.bat``), as cmd.exe hands arguments to a batch file (spaces
separate, double quotes group, backslashes are path separators). The tool is the last path
element without ``.sh`` or ``.bat``: ``kafka-topics``, ``kafka-topics.sh``, ``bin/kafka-topics.sh``
and ``.\\bin\\windows\\kafka-topics.bat`` are one tool.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from app.shell import (
    acls, broker_api_versions, configs, console_consumer, console_producer, consumer_groups, leader_election,
    metadata_quorum, reassign, topics,
)

#: Every tool, by the name its script has in Kafka's bin/ directory (without .sh).
TOOLS: dict[str, ModuleType] = {m.NAME: m for m in (
    topics, configs, console_producer, console_consumer, consumer_groups, reassign, leader_election, metadata_quorum,
    broker_api_versions, acls)}
#: Shell words the terminal answers itself.
BUILTINS = ("help", "clear", "history", "echo", "cat", "ls", "rm", "jobs", "kill")
#: Words a shell treats as pipes, lists and redirections: not part of this terminal.
SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "<<"}


@dataclass(frozen=True)
class CommandLine:
    """A line split into the tool's name (None for a blank line) and its arguments."""

    tool: str | None
    word: str  # the first word as typed
    args: list[str]
    windows: bool = False
    problem: str | None = None


def tool_name(word: str) -> tuple[str, bool]:
    """``.\\bin\\windows\\kafka-topics.bat`` -> ("kafka-topics", True); ``bin/kafka-topics.sh`` -> ("kafka-topics", False)."""
    base = word.replace("\\", "/").rsplit("/", 1)[-1]
    lower = base.lower()
    if lower.endswith(".bat") or lower.endswith(".cmd"):
        return base[:-4], True
    if lower.endswith(".sh"):
        return base[:-3], False
    return base, "\\" in word


def _windows_split(line: str) -> list[str]:
    """cmd.exe's arguments to a batch file: spaces separate, double quotes group (and are removed)."""
    words: list[str] = []
    current: list[str] = []
    quoted = False
    started = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            started = True
        elif ch.isspace() and not quoted:
            if started:
                words.append("".join(current))
                current, started = [], False
        else:
            current.append(ch)
            started = True
    if started:
        words.append("".join(current))
    return words


def split(line: str) -> CommandLine:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return CommandLine(None, "", [])
    first = stripped.split()[0]
    windows = "\\" in first or first.lower().endswith((".bat", ".cmd"))
    if windows:
        words = _windows_split(stripped)
    else:
        try:
            words = shlex.split(stripped)
        except ValueError as exc:
            quote = "\"" if stripped.count('"') % 2 else "'"
            return CommandLine(None, first, [], False, f"bash: unexpected EOF while looking for matching `{quote}'"
                               if "quotation" in str(exc) else f"bash: {exc}")
    if not words:
        return CommandLine(None, "", [])
    name, win = tool_name(words[0])
    operator = next((w for w in words[1:] if w in SHELL_OPERATORS), None) or next(
        (w for w in words[1:-1] if w == "&"), None)  # a trailing & runs the tool in the background
    redirect = name in ("echo", "cat") and operator in (">", ">>") and words.index(operator) == len(words) - 2
    if operator is not None and not redirect:
        return CommandLine(name, words[0], words[1:], windows or win, f"pipes and redirections ({operator}) are not part "
                           "of this terminal: run one tool a line")
    return CommandLine(name, words[0], words[1:], windows or win)


def vocabulary(version: str = "4.0") -> dict[str, Any]:
    """What the page and readline complete: every tool with its flags, and the builtins."""
    out: dict[str, Any] = {}
    for name, module in TOOLS.items():
        out[name] = sorted("--" + o for o in module.parser(version).options)
    return {"tools": out, "builtins": list(BUILTINS)}
