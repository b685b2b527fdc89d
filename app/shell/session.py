"""A terminal on a running cluster: lines typed in, Kafka's tools run at the run's virtual time, text out.

Not a Kafka class. One ``TerminalSession`` serves the browser terminal of a lab and ``brokerlab
shell`` alike: ``line(text)`` runs a command (or, while a console producer reads standard input,
hands it the line), ``signal("interrupt" | "eof")`` is Ctrl-C / Ctrl-D, and ``output.take()``
returns what the tools printed since. It holds the history of lines and the foreground job (a
console producer, a console consumer, a call waiting for a broker). Deterministic: everything
it does happens at ``scenario.now`` or in the run's own events, so a lab's replay of the same
lines at the same virtual times prints the same text. It lives inside the run (a lab's
checkpoint copies it), and refers to its parts only by bound methods and objects.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from app.shell import commands
from app.shell.output import Output, Stream, note
from app.shell.parser import OptionException
from app.shell.tool import Context, Job, ToolExit

if TYPE_CHECKING:
    from app.sim.scenario import Scenario

_log = logging.getLogger(__name__)

PROMPT = "$ "
#: Lines kept for history (up/down in the page, readline in brokerlab shell)
HISTORY = 200
SIGNALS = ("interrupt", "eof")


class TerminalSession:
    def __init__(self, scenario: "Scenario", protected: frozenset[str] = frozenset()) -> None:
        self.scenario = scenario
        #: topics a lab draws its picture from: its terminal does not delete them (a Brokerlab rule, said so)
        self.protected = protected
        self.output = Output()
        self.history: list[str] = []
        self.job: Job | None = None
        #: jobs started with a trailing ``&``: they run on, printing as they go, while other commands run
        self.background: list[Job | None] = []  # None: a finished job's number, kept while later ones run
        #: console consumers started without --group get a group id from this (ConsoleConsumerOptions: Random)
        self.group_draws = 0
        #: the exit status of the last command, as $? would say
        self.status = 0
        #: the terminal's files: what ``echo '...' > name`` or ``cat > name`` wrote, for the tools' JSON and configs
        self.files: dict[str, str] = {}

    # -- what the page and the CLI show ---------------------------------------------------------------
    @property
    def prompt(self) -> str:
        return self.job.prompt if self.job is not None else PROMPT

    def state(self) -> dict[str, Any]:
        """For a frame: the foreground job (None, "producer", "consumer" or "wait") and the prompt."""
        return {"job": self.job.kind if self.job is not None else None, "prompt": self.prompt}

    def topic_names(self) -> list[str]:
        return sorted(self.scenario.cluster.controller.topics)

    # -- input ----------------------------------------------------------------------------------------
    def line(self, text: str) -> None:
        """One line typed and Enter pressed."""
        text = text.replace("\r", "")
        job = self.job
        if job is not None:
            self.output.write(Stream.ECHO, f"{job.prompt}{text}\n")
            job.input(text)
            self._reap()
            return
        self.output.write(Stream.ECHO, f"{PROMPT}{text}\n")
        if text.strip():
            self.history.append(text)
            del self.history[:-HISTORY]
        self._run(text)

    def signal(self, name: str) -> None:
        """Ctrl-C ("interrupt") or Ctrl-D ("eof")."""
        if name not in SIGNALS:
            raise ValueError(f"signal must be one of {', '.join(SIGNALS)}; got {name!r}")
        job = self.job
        self.output.write(Stream.ECHO, "^C\n" if name == "interrupt" else "")
        if job is None:
            return
        if name == "interrupt":
            job.interrupt()
        else:
            job.eof()
        self._reap()

    def job_ended(self, job: Job) -> None:
        """A job finished by itself (its consumer reached --max-messages, its call timed out)."""
        if self.job is job:
            self.job = None
        if job in self.background:
            n = self.background.index(job) + 1
            self.background[n - 1] = None
            self.output.write(Stream.OUT, f"[{n}]+  Done\n")
            while self.background and self.background[-1] is None:
                self.background.pop()

    def _reap(self) -> None:
        if self.job is not None and self.job.done:
            self.job = None

    # -- running a command ----------------------------------------------------------------------------
    def _run(self, text: str) -> None:
        cl = commands.split(text)
        if cl.problem:
            if cl.tool is None:
                self.output.write(Stream.ERR, cl.problem + "\n")
            else:
                self.output.write(Stream.NOTE, note(cl.problem))
            self.status = 2
            return
        if cl.tool is None:
            return
        if cl.tool in commands.BUILTINS:
            self._builtin(cl.tool, cl.args)
            return
        module = commands.TOOLS.get(cl.tool)
        if module is None:
            self._not_found(cl)
            return
        background = bool(cl.args) and cl.args[-1] == "&"
        ctx = Context(self, cl.tool, cl.args[:-1] if background else cl.args)
        try:
            job = module.run(ctx)
            self.status = 0
        except ToolExit as exc:
            job = None
            self.status = exc.code
        except OptionException as exc:  # a tool that lets jopt-simple's exception out of main (the JVM prints it)
            job = None
            self.status = 1
            self.output.write(Stream.ERR, f'Exception in thread "main" {exc.java_class}: {exc.message}\n')
        except Exception:  # a bug of ours: say so and keep the terminal
            _log.exception("terminal: %s raised", cl.tool)
            job = None
            self.status = 1
            self.output.write(Stream.NOTE, note(f"{cl.tool} failed inside Brokerlab (a bug, now in the server's log); "
                                                "the cluster is as it was before the command."))
        if job is not None and not job.done:
            if background:  # bash: "[1] <pid>"; the simulator has no processes, so the job number alone
                self.background.append(job)
                self.output.write(Stream.OUT, f"[{len(self.background)}]\n")
            else:
                self.job = job

    def _not_found(self, cl: commands.CommandLine) -> None:
        if cl.windows:
            self.output.write(Stream.ERR, f"'{cl.word}' is not recognized as an internal or external command,\n"
                                          "operable program or batch file.\n")
        else:
            self.output.write(Stream.ERR, f"bash: {cl.word}: command not found\n")
        self.status = 127
        self.output.write(Stream.NOTE, note("The Kafka tools here: " + ", ".join(commands.TOOLS) +
                                            " (with or without .sh; the Windows .bat form works too). Type help."))

    def _builtin(self, name: str, args: list[str]) -> None:
        out = self.output
        self.status = 0
        target = mode = None
        if len(args) >= 2 and args[-2] in (">", ">>"):
            mode, target = args[-2], args[-1]
            args = args[:-2]
        if name == "help":
            out.write(Stream.NOTE, note(
                "Kafka's own tools, on this lab's cluster, at the run's time now:\n  " + "\n  ".join(commands.TOOLS) +
                "\nEach takes --help. Brokers listen on " +
                ",".join(f"localhost:{9092 + b}" for b in sorted(self.scenario.cluster.brokers)) +
                ". Ctrl-C stops a running tool, Ctrl-D ends a console producer's input.\nFiles for the tools' JSON: "
                "echo '...' > name.json, cat > name.json (Ctrl-D ends it), cat, ls, rm."))
        elif name == "history":
            out.write(Stream.OUT, "".join(f"{i + 1:5d}  {h}\n" for i, h in enumerate(self.history)))
        elif name == "jobs":
            for n, job in enumerate(self.background, 1):
                if job is not None:
                    out.write(Stream.OUT, f"[{n}]{'+' if n == len(self.background) else ' '}  Running\n")
        elif name == "kill":
            for arg in args:
                n = int(arg[1:]) if arg.startswith("%") and arg[1:].isdigit() else 0
                if not 0 < n <= len(self.background) or self.background[n - 1] is None:
                    out.write(Stream.ERR, f"bash: kill: {arg}: no such job\n")
                    self.status = 1
                    continue
                job = self.background[n - 1]
                assert job is not None
                job.interrupt()
                if job in self.background:
                    self.job_ended(job)
        elif name == "clear":
            out.write(Stream.NOTE, note("clear: the page's Clear button empties the screen."))
        elif name == "echo":
            text = " ".join(args) + "\n"
            if target is None:
                out.write(Stream.OUT, text)
            else:
                self.files[target] = (self.files.get(target, "") if mode == ">>" else "") + text
        elif name == "cat":
            if target is not None:
                self.files[target] = "" if mode == ">" else self.files.get(target, "")
                self.job = _CatInto(self, target)
                return
            for f in args:
                if f in self.files:
                    out.write(Stream.OUT, self.files[f])
                else:
                    out.write(Stream.ERR, f"cat: {f}: No such file or directory\n")
                    self.status = 1
        elif name == "ls":
            if self.files:
                out.write(Stream.OUT, "  ".join(sorted(self.files)) + "\n")
        elif name == "rm":
            for f in args:
                if self.files.pop(f, None) is None:
                    out.write(Stream.ERR, f"rm: cannot remove '{f}': No such file or directory\n")
                    self.status = 1


class _CatInto(Job):
    """``cat > file``: standard input into a file of the terminal, until Ctrl-D."""

    reads_input = True

    def __init__(self, session: TerminalSession, name: str) -> None:
        self.session, self.name = session, name

    def input(self, line: str) -> None:
        self.session.files[self.name] += line + "\n"

    def eof(self) -> None:
        self.finish()
