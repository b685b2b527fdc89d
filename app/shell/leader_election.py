"""``kafka-leader-election``: a preferred or an unclean leader election for one partition, a JSON file's, or all.

Models ``org.apache.kafka.tools.LeaderElectionCommand`` (3.x, 4.0; 2.8's Scala one prints the same
lines): ``validate``'s refusals as AdminCommandFailedException (message and stack trace on
System.err), then ``Successfully completed leader election (PREFERRED) for partitions t-0``,
``Valid replica already elected for partitions ...`` and, per failure, ``Error completing leader
election (UNCLEAN) for partition: t-0: <exception>`` followed by ``N replica(s) could not be
elected``. Partitions in a set come in Java's HashSet order. ``--path-to-json-file`` reads a file
of the terminal (``echo '...' > file``).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from app.shell import bootstrap
from app.shell.java import stack_trace
from app.shell.parser import OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.admin import ElectionType
from app.sim.consumer.javaorder import hashmap_order, topic_partition_hash
from app.sim.partition import TopicPartition

NAME = "kafka-leader-election"
FAILED = "org.apache.kafka.server.common.AdminCommandFailedException"


def parser(version: str) -> OptionParser:
    return OptionParser([
        required("bootstrap-server", "A hostname and port for the broker to connect to, in the form host:port. Multiple "
                 "comma separated URLs can be given. REQUIRED.", "host:port"),
        required("admin.config", "Configuration properties files to pass to the admin client", "config file"),
        required("path-to-json-file", "The JSON file with the list  of partition for which leader elections should be "
                 "performed. This is an example format. \n{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n"
                 "\t {\"topic\": \"foobar\", \"partition\": 2}]\n}\nNot allowed if --all-topic-partitions or --topic "
                 "flags are specified.", "Path to JSON file"),
        required("topic", "Name of topic for which to perform an election. Not allowed if --path-to-json-file or "
                 "--all-topic-partitions is specified.", "topic name"),
        required("partition", "Partition id for which to perform an election. REQUIRED if --topic is specified.",
                 "partition id", "Integer"),
        flag("all-topic-partitions", "Perform election on all of the eligible topic partitions based on the type of "
             "election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified."),
        required("election-type", "Type of election to attempt. Possible values are \"preferred\" for preferred leader "
                 "election or \"unclean\" for unclean leader election. If preferred election is selection, the election "
                 "is only performed if the current leader is not the preferred leader for the topic partition. If "
                 "unclean election is selected, the election is only performed if there are no leader for the topic "
                 "partition. REQUIRED.", "election type", "[PREFERRED, UNCLEAN]"),
    ])


def _fail(ctx: Context, message: str, suppressed: list[str] | None = None, java_class: str = FAILED) -> NoReturn:
    """mainNoExit: the message, then the stack trace (the tool's own frames left out), on System.err."""
    ctx.err(message)
    ctx.err(stack_trace(java_class, message) + "".join(f"\tSuppressed: {s}\n" for s in suppressed or []), end="")
    raise ToolExit(1)


def _order(tps: list[TopicPartition]) -> list[TopicPartition]:
    return hashmap_order(tps, lambda tp: topic_partition_hash(tp.topic, tp.partition))


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    opts = ctx.parse_or_stack(p)
    ctx.maybe_help_or_version(p, opts, "This tool attempts to elect a new leader for a set of topic partitions. The type "
                              "of elections supported are preferred replicas and unclean replicas.")
    missing = [o for o in ("bootstrap-server", "election-type") if not opts.has(o)]
    if missing:
        _fail(ctx, "Missing required option(s): " + ", ".join(missing))
    if sum(opts.has(o) for o in ("topic", "all-topic-partitions", "path-to-json-file")) != 1:
        _fail(ctx, "One and only one of the following options is required: topic, all-topic-partitions, "
              "path-to-json-file")
    if opts.has("topic") and not opts.has("partition"):
        _fail(ctx, "Missing required option(s): partition")
    if not opts.has("topic") and opts.has("partition"):
        _fail(ctx, "Option partition is only allowed if topic is used")
    text = opts.value_of("election-type")
    try:
        election = ElectionType[text.upper()]
    except KeyError:
        _fail(ctx, f"Cannot parse argument '{text}' of option election-type")
    partitions: list[TopicPartition] | None = None
    if opts.has("topic"):
        partitions = [TopicPartition(opts.value_of("topic"), opts.value_of("partition"))]
    elif opts.has("path-to-json-file"):
        partitions = _from_file(ctx, opts.value_of("path-to-json-file"))
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server"))
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        return bootstrap.WaitForNode(ctx, where.endpoints, "AdminClient clientId=adminclient-"
                                     f"{ctx.cluster._client_seq.get('adminclient', 0) + 1}", 30_000.0, _TimedOut(ctx))
    results = ctx.admin().elect_leaders(election, partitions)
    succeeded = [tp for tp, f in results.values.items() if f.exception is None]
    noop = [tp for tp, f in results.values.items() if f.exception is not None and f.exception.name ==
            "ElectionNotNeededException"]
    failed = {tp: f.exception for tp, f in results.values.items() if f.exception is not None and tp not in noop}
    name = election.name
    if succeeded:
        ctx.out(f"Successfully completed leader election ({name}) for partitions "
                f"{', '.join(map(str, _order(succeeded)))}")
    if noop:
        ctx.out(f"Valid replica already elected for partitions {', '.join(map(str, _order(noop)))}")
    if failed:
        lines = []
        for tp in _order(list(failed)):
            exc = failed[tp]
            text = f"org.apache.kafka.common.errors.{exc.name}: {exc.message}"
            ctx.out(f"Error completing leader election ({name}) for partition: {tp}: {text}")
            lines.append(text)
        _fail(ctx, f"{len(failed)} replica(s) could not be elected", lines)
    return None


class _TimedOut:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def __call__(self) -> None:
        self.ctx.out("Timeout waiting for election results")
        self.ctx.err("Timeout waiting for election results")
        self.ctx.err(stack_trace(FAILED, "Timeout waiting for election results"), end="")


def _from_file(ctx: Context, path: str) -> list[TopicPartition]:
    text = ctx.session.files.get(path)
    if text is None:
        _fail(ctx, path, java_class="java.nio.file.NoSuchFileException")  # Utils.readFileAsString
    try:
        data: Any = json.loads(text)  # type: ignore[arg-type]
    except ValueError:
        _fail(ctx, "Replica election data is empty")
    if not isinstance(data, dict) or "partitions" not in data:
        _fail(ctx, "Replica election data is missing \"partitions\" field")
    tps = [TopicPartition(p["topic"], int(p["partition"])) for p in data["partitions"]]
    dup = sorted({tp for tp in tps if tps.count(tp) > 1})
    if dup:
        _fail(ctx, "Replica election data contains duplicate partitions: [" + ", ".join(map(str, dup)) + "]")
    return tps
