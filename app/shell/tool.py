"""What a command runs with: the cluster at the run's virtual time, its streams, its admin client, its exit.

Not a Kafka class. A ``Context`` is one invocation of one tool (``kafka-topics --list ...``):
like a JVM the tool starts, it makes its own admin client (``adminclient-1``, then 2, ...), prints
to System.out and System.err, and ends with an exit code. A tool that keeps running (a console
producer reading lines, a console consumer streaming, an admin call waiting for a broker that
never answers) hands the terminal a ``Job``, which the run's events move on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from app.shell.java import stack_trace
from app.shell.output import Stream, log_line, note
from app.shell.parser import OptionException, OptionParser
from app.sim.admin import AdminClient

if TYPE_CHECKING:
    from app.shell.session import TerminalSession
    from app.sim.cluster import Cluster
    from app.sim.scenario import Scenario

#: ``AppInfoParser.getVersion()`` of the release each simulated Kafka version stands for.
RELEASES = {"2.8": "2.8.2", "3.x": "3.9.0", "4.0": "4.0.0"}


class ToolExit(Exception):
    """``Exit.exit(code)``: the tool stops here."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Job:
    """A command that has not finished: it owns the terminal until it is ``done``.

    ``prompt`` is shown while it waits for input (the console producer's ``>``); a line typed
    goes to ``input``; Ctrl-C is ``interrupt`` (SIGINT: the JVM's shutdown hooks run), Ctrl-D
    ``eof`` (the end of standard input).
    """

    #: what the job is, for the page: "producer", "consumer" or "wait"
    kind = "wait"
    prompt = ""
    done = False
    #: whether it reads standard input (a line typed goes to it, Ctrl-D ends it)
    reads_input = False
    #: whether it ends without the user (a timeout, --max-messages): a script waits for it, as a shell does
    ends_by_itself = False

    def input(self, line: str) -> None:
        """A line typed while the job runs: the process's standard input, which most tools never read."""

    def interrupt(self) -> None:
        self.finish()

    def eof(self) -> None:
        """Standard input ended: only a tool reading it notices."""

    def finish(self) -> None:
        self.done = True


class Context:
    """One invocation of one tool on the session's cluster, at the run's virtual time now."""

    def __init__(self, session: "TerminalSession", tool: str, argv: list[str]) -> None:
        self.session = session
        self.tool = tool
        self.argv = argv

    # -- the cluster --------------------------------------------------------------------------------
    @property
    def scenario(self) -> "Scenario":
        return self.session.scenario

    @property
    def cluster(self) -> "Cluster":
        return self.session.scenario.cluster

    @property
    def version(self) -> str:
        """The simulated Kafka version: "2.8", "3.x" or "4.0"."""
        return self.cluster.kafka_version

    @property
    def kraft(self) -> bool:
        return self.version != "2.8"

    @property
    def now(self) -> float:
        return self.session.scenario.sim.now

    def admin(self) -> AdminClient:
        """``Admin.create(props)``: a new client each time a tool starts (``adminclient-N``)."""
        return AdminClient(self.session.scenario)

    # -- streams ------------------------------------------------------------------------------------
    def out(self, text: str = "", end: str = "\n") -> None:
        self.session.output.write(Stream.OUT, text + end)

    def err(self, text: str = "", end: str = "\n") -> None:
        self.session.output.write(Stream.ERR, text + end)

    def note(self, text: str) -> None:
        self.session.output.write(Stream.NOTE, note(text))

    def log(self, level: str, message: str, logger: str) -> None:
        """A log4j line on System.err, stamped with the run's virtual time."""
        self.session.output.write(Stream.ERR, log_line(self.now, level, message, logger))

    # -- exits --------------------------------------------------------------------------------------
    def usage_exit(self, parser: OptionParser, message: str) -> NoReturn:
        """``CommandLineUtils.printUsageAndExit``: the message, the option table, exit 1 (all on System.err)."""
        self.err(message)
        self.session.output.write(Stream.ERR, parser.help())
        raise ToolExit(1)

    def print_version_exit(self) -> NoReturn:
        self.out(RELEASES[self.version])
        raise ToolExit(0)

    def parse(self, parser: OptionParser, help_message: str) -> Any:
        """The tool's options, as most tools parse them: an OptionException prints the usage
        (``printUsageAndExit``), then --help and --version (``maybePrintHelpOrVersion``)."""
        try:
            opts = parser.parse(self.argv)
        except OptionException as exc:
            self.usage_exit(parser, exc.message)
        self.maybe_help_or_version(parser, opts, help_message)
        return opts

    def parse_or_stack(self, parser: OptionParser) -> Any:
        """The options, for a tool whose main prints an OptionException's message and stack trace (mainNoExit)."""
        try:
            return parser.parse(self.argv)
        except OptionException as exc:
            self.err(exc.message)
            self.err(stack_trace(exc.java_class, exc.message), end="")
            raise ToolExit(1) from None

    def maybe_help_or_version(self, parser: OptionParser, options: object, message: str) -> None:
        """``CommandLineUtils.maybePrintHelpOrVersion``: no arguments or --help prints the usage, --version the release."""
        if not self.argv or options.has("help"):  # type: ignore[attr-defined]
            self.usage_exit(parser, message)
        if options.has("version"):  # type: ignore[attr-defined]
            self.print_version_exit()
