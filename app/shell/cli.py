"""``brokerlab shell``: the lab terminal in a real one, on a simulated cluster of its own.

Not a Kafka class. The cluster is a Scenario with no application of its own: brokers set up as
Kafka's sample ``server.properties`` sets them (``log.segment.bytes``, ``log.retention.hours``,
``offsets.topic.replication.factor`` at most the broker count), racks if asked for. What it
prints is what the browser terminal prints, prompt and echoed lines included when the lines come
from a pipe. How virtual time passes:

- from a pipe or a file (scripts, tests): a line runs at the run's time now, then the run goes on
  ``--step-ms`` (1000) before the next line; a tool that ends by itself (a call waiting for a
  broker, a console consumer with ``--max-messages`` or ``--timeout-ms``, a producer sending its
  last batches) runs on until it ends first, as a script waits for its command. A line ``^C``
  is Ctrl-C and ``^D`` is Ctrl-D. At the end of the input a console producer gets Ctrl-D and any
  other running tool Ctrl-C.
- from the keyboard: the run keeps pace with the wall clock (one virtual ms per ms) while you
  type and while a tool runs; readline gives line editing, history and Tab completion.

The simulator reads no clock; this front end does, as the lab's websocket does.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from app.shell.commands import TOOLS, vocabulary
from app.shell.output import Stream
from app.shell.session import TerminalSession
from app.sim import Scenario

#: Virtual time between two lines of a script
STEP_MS = 1000.0
#: The longest a script waits for a tool that ends by itself (a consumer whose records never come)
MAX_WAIT_MS = 600_000.0
#: A run long enough never to end under a learner: about 11 days of virtual time
DURATION_MS = 1e9


def build_scenario(brokers: int, version: str, racks: list[str], seed: int) -> Scenario:
    cluster: dict = {"brokers": brokers, "log.segment.bytes": 1073741824, "log.retention.hours": 168,
                     "offsets.topic.replication.factor": min(3, brokers)}
    if racks:
        cluster["racks"] = racks
    spec = {"kafka_version": version, "cluster": cluster, "topics": [], "producers": [], "duration_ms": DURATION_MS,
            "settle_ms": 0, "trace": {"records": False}}
    return Scenario(spec, seed)


class Shell:
    def __init__(self, scenario: Scenario, out: TextIO, echo: bool, step_ms: float = STEP_MS) -> None:
        self.sc = scenario
        self.session = TerminalSession(scenario)
        self.out = out
        self.echo = echo
        self.step_ms = step_ms

    def flush(self) -> None:
        for stream, text in self.session.output.take():
            if stream == Stream.ECHO.value and not self.echo:
                continue
            self.out.write(text)
        self.out.flush()
        self.sc.trace.events.clear()  # nobody reads the trace here: keep memory flat

    def advance(self, ms: float) -> None:
        self.sc.run(self.sc.now + ms)
        self.flush()

    def wait_for_job(self) -> None:
        """Run on while the foreground tool ends by itself (and at most MAX_WAIT_MS)."""
        start = self.sc.now
        while self.session.job is not None and getattr(self.session.job, "ends_by_itself", False) \
                and self.sc.now - start < MAX_WAIT_MS:
            self.advance(100.0)
        if self.session.job is not None and self.session.job.done:
            self.session.job = None

    def feed(self, line: str) -> None:
        """One line of a script."""
        stripped = line.rstrip("\n")
        if stripped.strip() == "^C":
            self.session.signal("interrupt")
        elif stripped.strip() == "^D":
            self.session.signal("eof")
        else:
            self.session.line(stripped)
        self.flush()
        self.wait_for_job()
        self.advance(self.step_ms)

    def end(self) -> None:
        """The input ended: Ctrl-D to a tool reading it, Ctrl-C to any other, then let it finish."""
        job = self.session.job
        if job is not None:
            self.session.signal("eof" if job.kind == "producer" or getattr(job, "reads_input", False) else "interrupt")
            self.flush()
            self.wait_for_job()
            if self.session.job is not None:
                self.session.signal("interrupt")
        self.flush()


def run_script(shell: Shell, lines: TextIO) -> int:
    for line in lines:
        shell.feed(line)
    shell.end()
    return 0


def run_interactive(shell: Shell) -> int:
    import readline  # line editing and history, for the keyboard only

    words = vocabulary(shell.sc.cluster.kafka_version)

    def complete(text: str, state: int) -> str | None:
        buffer = readline.get_line_buffer()
        first = buffer.split()[0] if buffer.split() else ""
        if " " not in buffer.lstrip():
            options = list(TOOLS) + list(words["builtins"])
        elif text.startswith("-"):
            tool = first.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".sh").removesuffix(".bat")
            options = words["tools"].get(tool, [])
        else:
            options = shell.session.topic_names() + sorted(shell.session.files)
        matches = [o for o in options if o.startswith(text)]
        return matches[state] + " " if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" ")
    readline.parse_and_bind("tab: complete")
    print(f"brokerlab shell: {len(shell.sc.cluster.brokers)} brokers, Kafka {shell.sc.cluster.kafka_version}, "
          "listening on " + ",".join(f"localhost:{9092 + b}" for b in sorted(shell.sc.cluster.brokers)) +
          ". Type help; Ctrl-D on an empty line quits.", file=shell.out)
    last = time.monotonic()
    while True:
        job = shell.session.job
        try:
            if job is not None and job.kind != "producer" and not getattr(job, "reads_input", False):
                while shell.session.job is not None and not shell.session.job.done:
                    time.sleep(0.05)
                    now = time.monotonic()
                    shell.advance((now - last) * 1000.0)
                    last = now
                shell.session.job = None
                continue
            line = input(shell.session.prompt)
        except KeyboardInterrupt:
            print(file=shell.out)
            shell.session.signal("interrupt")
            shell.flush()
            continue
        except EOFError:
            if shell.session.job is None:
                print(file=shell.out)
                return 0
            shell.session.signal("eof")
            shell.flush()
            continue
        now = time.monotonic()
        shell.advance((now - last) * 1000.0)
        last = now
        if line.strip() == "exit" and shell.session.job is None:
            return 0
        shell.session.line(line)
        shell.flush()


def main(brokers: int = 3, version: str = "4.0", racks: list[str] | None = None, seed: int = 1,
         step_ms: float = STEP_MS, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    shell = Shell(build_scenario(brokers, version, racks or [], seed), stdout, echo=not interactive, step_ms=step_ms)
    return run_interactive(shell) if interactive else run_script(shell, stdin)
