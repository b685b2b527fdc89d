"""``kafka-reassign-partitions``: move replicas with a reassignment JSON, watch the move, cancel it, list moves.

Models ``org.apache.kafka.tools.reassign.ReassignPartitionsCommand`` (3.x, 4.0) with its options
checks: ``--generate`` (a proposal for ``--topics-to-move-json-file`` over ``--broker-list``,
placed as the controller places replicas), ``--execute`` (prints the current assignment "to use
as the --reassignment-json-file option during rollback", then ``Successfully started partition
reassignment for t-0``; refused while another runs unless ``--additional``), ``--verify``
(``Reassignment of partition t-0 is still in progress.`` / ``... is completed.``), ``--cancel`` and
``--list``. JSON comes from the terminal's files (``echo '{...}' > move.json``) and is printed as
Jackson prints it, compact. Leaves out throttles (``--throttle`` is accepted and changes nothing:
said so) and log directories.
"""

from __future__ import annotations

import json
import random
from typing import Any

from app.shell import bootstrap
from app.shell.java import stack_trace
from app.shell.parser import OptionException, OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.controller import place_replicas
from app.sim.partition import TopicPartition

NAME = "kafka-reassign-partitions"
ACTIONS = ("generate", "execute", "verify", "cancel", "list")
EXISTING = ("Cannot execute because there is an existing partition assignment.  Use --additional to override this and "
            "create a new partition assignment in addition to the existing one. The --additional flag can also be used "
            "to change the throttle by resubmitting the current reassignment.")
REQUIRED = {"verify": ("reassignment-json-file",), "generate": ("topics-to-move-json-file", "broker-list"),
            "execute": ("reassignment-json-file",), "cancel": ("reassignment-json-file",), "list": ()}
PERMITTED = {"verify": ("bootstrap-server", "command-config", "preserve-throttles"),
             "generate": ("bootstrap-server", "broker-list", "command-config", "disable-rack-aware"),
             "execute": ("additional", "bootstrap-server", "command-config", "throttle", "replica-alter-log-dirs-throttle",
                         "timeout"),
             "cancel": ("bootstrap-server", "command-config", "preserve-throttles", "timeout"),
             "list": ("bootstrap-server", "command-config")}


def parser(version: str) -> OptionParser:
    return OptionParser([
        required("bootstrap-server", "REQUIRED: the server(s) to use for bootstrapping.", "Server(s) to use for "
                 "bootstrapping"),
        required("bootstrap-controller", "the controller to use for reassignment. By default, the tool will get the "
                 "quorum controller. This option supports the actions --cancel and --list.", "Controller to use for "
                 "reassignment"),
        required("command-config", "Property file containing configs to be passed to Admin Client.", "Admin client "
                 "property file"),
        flag("generate", "Generate a candidate partition reassignment configuration. Note that this only generates a "
             "candidate assignment, it does not execute it."),
        flag("execute", "Kick off the reassignment as specified by the --reassignment-json-file option."),
        flag("verify", "Verify if the reassignment completed as specified by the --reassignment-json-file option. If "
             "there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle "
             "will be removed"),
        required("reassignment-json-file", "The JSON file with the partition reassignment configuration. The format to "
                 "use is - \n{\"partitions\":\n\t[{\"topic\": \"foo\",\n\t  \"partition\": 1,\n\t  \"replicas\": "
                 "[1,2,3],\n\t  \"log_dirs\": [\"dir1\",\"dir2\",\"dir3\"] }],\n\"version\":1\n}\nNote that "
                 "\"log_dirs\" is optional. When it is specified, its length must equal the length of the replicas list. "
                 "The value in this list can be either \"any\" or the absolution path of the log directory on the "
                 "broker. If absolute log directory path is specified, the replica will be moved to the specified log "
                 "directory on the broker.", "manual assignment json file path"),
        required("topics-to-move-json-file", "Generate a reassignment configuration to move the partitions of the "
                 "specified topics to the list of brokers specified by the --broker-list option. The format to use is - "
                 "\n{\"topics\":\n\t[{\"topic\": \"foo\"},{\"topic\": \"foo1\"}],\n\"version\":1\n}",
                 "topics to reassign json file path"),
        required("broker-list", "The list of brokers to which the partitions need to be reassigned in the form "
                 "\"0,1,2\". This is required if --topics-to-move-json-file is used to generate reassignment "
                 "configuration", "brokerlist"),
        flag("disable-rack-aware", "Disable rack aware replica assignment"),
        required("throttle", "The movement of partitions between brokers will be throttled to this value (bytes/sec). "
                 "This option can be included with --execute when a reassignment is started, and it can be altered by "
                 "resubmitting the current reassignment along with the --additional flag. The throttle rate should be "
                 "at least 1 KB/s.", "throttle", "Long", -1),
        required("replica-alter-log-dirs-throttle", "The movement of replicas between log directories on the same broker "
                 "will be throttled to this value (bytes/sec). This option can be included with --execute when a "
                 "reassignment is started, and it can be altered by resubmitting the current reassignment along with "
                 "the --additional flag. The throttle rate should be at least 1 KB/s.", "replicaAlterLogDirsThrottle",
                 "Long", -1),
        required("timeout", "The maximum time in ms to wait for log directory replica assignment to begin.", "timeout",
                 "Long", 10000),
        flag("additional", "Execute this reassignment in addition to any other ongoing ones. This option can also be "
             "used to change the throttle of an ongoing reassignment."),
        flag("preserve-throttles", "Do not modify broker or topic throttles."),
        flag("list", "List all active partition reassignments."),
        flag("cancel", "Cancel an active reassignment."),
    ])


class _Error(Exception):
    """Anything but a TerseException: ``Error: <message>`` and the stack trace on System.out."""

    def __init__(self, java_class: str, message: str) -> None:
        super().__init__(message)
        self.java_class = java_class


class _Terse(Exception):
    """TerseException: its message alone."""


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    opts = ctx.parse(p, "This tool helps to move topic partitions between replicas.")
    actions = [a for a in ACTIONS if opts.has(a)]
    if len(actions) != 1:
        ctx.usage_exit(p, "Command must include exactly one action: " + ", ".join("--" + a for a in ACTIONS))
    action = actions[0]
    if opts.has("bootstrap-server") and opts.has("bootstrap-controller"):
        ctx.usage_exit(p, "Please don't specify both --bootstrap-server and --bootstrap-controller")
    if not opts.has("bootstrap-server") and not opts.has("bootstrap-controller"):
        ctx.usage_exit(p, "Please specify either --bootstrap-server or --bootstrap-controller")
    for req in REQUIRED[action]:
        if not opts.has(req):
            ctx.usage_exit(p, f'Missing required argument "[{req}]"')
    for used in opts.specs():
        if used != action and used not in REQUIRED[action] and used not in PERMITTED[action]:
            ctx.usage_exit(p, f'Option "[{used}]" can\'t be used with action "[{action}]"')
    if opts.has("bootstrap-controller"):
        ctx.note("The simulated KRaft controller takes no client connections here: use --bootstrap-server.")
        raise ToolExit(1)
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server"))
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        return bootstrap.WaitForNode(ctx, where.endpoints, "AdminClient clientId=reassign-partitions-tool",
                                     bootstrap.DEFAULT_API_TIMEOUT_MS, _TimedOut(ctx))
    admin = ctx.admin()
    try:
        {"generate": _generate, "execute": _execute, "verify": _verify, "cancel": _cancel, "list": _list}[action](
            ctx, admin, opts)
    except _Terse as exc:
        ctx.out(str(exc))
        raise ToolExit(1) from None
    except _Error as exc:
        ctx.out(f"Error: {exc}")
        ctx.out(stack_trace(exc.java_class, str(exc)))
        raise ToolExit(1) from None
    return None


class _TimedOut:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def __call__(self) -> None:
        message = "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: " \
                  "listPartitionReassignments"
        self.ctx.out(f"Error: {message}")
        self.ctx.out(f"java.util.concurrent.ExecutionException: {message}")


def _sort(tps: Any) -> list[TopicPartition]:
    return sorted(tps, key=lambda tp: (tp.topic, tp.partition))


def as_json(parts: dict[TopicPartition, list[int]]) -> str:
    """``formatAsReassignmentJson``: version 1, partitions by topic and partition, log_dirs "any"."""
    body = [{"topic": tp.topic, "partition": tp.partition, "replicas": parts[tp], "log_dirs": ["any"] * len(parts[tp])}
            for tp in _sort(parts)]
    return json.dumps({"version": 1, "partitions": body}, separators=(",", ":"))


def _file(ctx: Context, path: str) -> str:
    text = ctx.session.files.get(path)
    if text is None:
        raise _Error("java.nio.file.NoSuchFileException", path)
    return text


def _reassignment_data(ctx: Context, path: str) -> list[tuple[TopicPartition, list[int]]]:
    """``parsePartitionReassignmentData``."""
    try:
        data = json.loads(_file(ctx, path))
    except ValueError as exc:
        raise _Error("org.apache.kafka.server.common.AdminOperationException",
                     f"com.fasterxml.jackson.core.JsonParseException: {exc}") from None
    if data.get("version", 1) != 1:
        raise _Error("org.apache.kafka.server.common.AdminOperationException",
                     f"Not supported version field value {data['version']}")
    return [(TopicPartition(p["topic"], int(p["partition"])), [int(r) for r in p["replicas"]])
            for p in data.get("partitions", [])]


def _assignments(admin: Any, topics: list[str]) -> dict[TopicPartition, list[int]]:
    """Every partition's replicas of these topics (an unknown topic fails the call, as describeTopics does)."""
    out = {}
    for topic in topics:
        desc = admin.describe_topics([topic]).values[topic]
        if desc.exception is not None:
            raise _Error("java.util.concurrent.ExecutionException", f"org.apache.kafka.common.errors."
                         f"{desc.exception.name}: {desc.exception.message}")
        for info in desc.value.partitions:
            out[TopicPartition(topic, info.partition)] = list(info.replicas)
    return out


def _current(admin: Any, tps: list[TopicPartition]) -> dict[TopicPartition, list[int]]:
    out = _assignments(admin, sorted({tp.topic for tp in tps}))
    missing = [tp for tp in tps if tp not in out]
    if missing:
        raise _Error("java.util.concurrent.ExecutionException", "org.apache.kafka.common.errors."
                     f"UnknownTopicOrPartitionException: Unable to find partition: {missing[0]}")
    return {tp: out[tp] for tp in tps}


def _execute(ctx: Context, admin: Any, opts: Any) -> None:
    parts = _reassignment_data(ctx, opts.value_of("reassignment-json-file"))
    failed = "org.apache.kafka.server.common.AdminCommandFailedException"
    if not parts:
        raise _Error(failed, "Partition reassignment list cannot be empty")
    if any(not r for _, r in parts):
        raise _Error(failed, "Partition replica list cannot be empty")
    seen = [tp for tp, _ in parts]
    dup = sorted({tp for tp in seen if seen.count(tp) > 1}, key=lambda tp: (tp.topic, tp.partition))
    if dup:
        raise _Error(failed, "Partition reassignment contains duplicate topic partitions: " + ",".join(map(str, dup)))
    proposed = dict(parts)
    if not opts.has("additional") and admin.list_partition_reassignments():
        raise _Terse(EXISTING)
    live = {n.id for n in admin.describe_cluster().nodes}
    unknown = next((b for r in proposed.values() for b in r if b not in live), None)
    if unknown is not None:
        raise _Error(failed, f"Unknown broker id {unknown}")
    current = _current(admin, list(proposed))
    ctx.out("Current partition replica assignment\n\n" + as_json(current) + "\n\nSave this to use as the "
            "--reassignment-json-file option during rollback")
    if opts.value_of("throttle") >= 0:
        ctx.out("Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle "
                "is removed.")
        ctx.note("Throttles are not modelled: the replicas move at the network's speed.")
    results = admin.alter_partition_reassignments(proposed)
    errors = {tp: f.exception for tp, f in results.values.items() if f.exception is not None}
    if errors:
        raise _Terse("Error reassigning partition(s):\n" + "\n".join(f"{tp}: {errors[tp].message}"
                                                                    for tp in _sort(errors)))
    ctx.out(f"Successfully started partition reassignment{'' if len(proposed) == 1 else 's'} for "
            + ",".join(map(str, _sort(proposed))))


def _verify(ctx: Context, admin: Any, opts: Any) -> None:
    parts = dict(_reassignment_data(ctx, opts.value_of("reassignment-json-file")))
    ongoing = admin.list_partition_reassignments()
    current = _current(admin, list(parts))
    lines = ["Status of partition reassignment:"]
    for tp in _sort(parts):
        if tp in ongoing:
            lines.append(f"Reassignment of partition {tp} is still in progress.")
        elif current[tp] == parts[tp]:
            lines.append(f"Reassignment of partition {tp} is completed.")
        else:
            lines.append(f"There is no active reassignment of partition {tp}, but replica set is "
                         f"{','.join(map(str, current[tp]))} rather than {','.join(map(str, parts[tp]))}.")
    ctx.out("\n".join(lines))
    if not ongoing and not opts.has("preserve-throttles"):
        ctx.out("Clearing broker-level throttles on broker" + ("s " if len(ctx.cluster.brokers) != 1 else " ") +
                ",".join(map(str, sorted(n.id for n in admin.describe_cluster().nodes))))
        topics = sorted({tp.topic for tp in parts})
        ctx.out(f"Clearing topic-level throttles on topic{'s' if len(topics) != 1 else ''} {','.join(topics)}")


def _cancel(ctx: Context, admin: Any, opts: Any) -> None:
    parts = [tp for tp, _ in _reassignment_data(ctx, opts.value_of("reassignment-json-file"))]
    ongoing = admin.list_partition_reassignments(parts)
    moving = [tp for tp, r in ongoing.items() if not r.adding_replicas or r.removing_replicas]
    if moving:
        results = admin.alter_partition_reassignments({tp: None for tp in moving})
        errors = {tp: f.exception for tp, f in results.values.items() if f.exception is not None}
        if errors:
            raise _Terse(f"Error cancelling partition reassignment{'' if len(errors) == 1 else 's'} for:\n" +
                         "\n".join(f"{tp}: {errors[tp].message}" for tp in _sort(errors)))
        ctx.out(f"Successfully cancelled partition reassignment{'' if len(moving) == 1 else 's'} for: "
                + ",".join(map(str, _sort(moving))))
    else:
        ctx.out("None of the specified partition reassignments are active.")
    ctx.out("None of the specified partition moves are active.", end="")


def _list(ctx: Context, admin: Any, opts: Any) -> None:
    ongoing = admin.list_partition_reassignments()
    if not ongoing:
        ctx.out("No partition reassignments found.")
        return
    lines = []
    for tp in _sort(ongoing):
        r = ongoing[tp]
        line = f"{tp}: replicas: {','.join(map(str, r.replicas))}."
        if r.adding_replicas:
            line += f" adding: {','.join(map(str, r.adding_replicas))}."
        if r.removing_replicas:
            line += f" removing: {','.join(map(str, r.removing_replicas))}."
        lines.append(line)
    ctx.out("Current partition reassignments:\n" + "\n".join(lines))


def _generate(ctx: Context, admin: Any, opts: Any) -> None:
    failed = "org.apache.kafka.server.common.AdminCommandFailedException"
    try:
        data = json.loads(_file(ctx, opts.value_of("topics-to-move-json-file")))
    except ValueError:
        raise _Error("org.apache.kafka.server.common.AdminOperationException", "The input string is not a valid JSON") \
            from None
    topics = [t["topic"] for t in data.get("topics", [])]
    try:
        brokers = [int(b) for b in opts.value_of("broker-list").split(",")]
    except ValueError:
        raise _Error("java.lang.NumberFormatException", f"For input string: \"{opts.value_of('broker-list')}\"") from None
    if len(set(brokers)) != len(brokers):
        dup = sorted({b for b in brokers if brokers.count(b) > 1})
        raise _Error(failed, "Broker list contains duplicate entries: " + ",".join(map(str, dup)))
    if len(set(topics)) != len(topics):
        dup = sorted({t for t in topics if topics.count(t) > 1})
        raise _Error(failed, "List of topics to reassign contains duplicate entries: " + ",".join(dup))
    current = _assignments(admin, topics)
    racks = {b: ctx.cluster.brokers[b].rack for b in brokers if b in ctx.cluster.brokers}
    if not opts.has("disable-rack-aware") and any(racks.values()) and not all(racks.values()):
        raise _Error("org.apache.kafka.server.common.AdminOperationException", "Not all brokers have rack information. "
                     "Add --disable-rack-aware in command line to make replica assignment without rack information.")
    rng = random.Random(ctx.scenario.seed * 31 + len(ctx.session.history))  # AdminUtils starts at a random broker
    proposed: dict[TopicPartition, list[int]] = {}
    for topic in topics:
        tps = sorted((tp for tp in current if tp.topic == topic), key=lambda tp: tp.partition)
        rf = len(current[tps[0]]) if tps else 0
        use_racks = {b: (None if opts.has("disable-rack-aware") else racks.get(b)) for b in brokers}
        placement = place_replicas(sorted(brokers), use_racks, len(tps), rf, rng.randrange(len(brokers)))
        for tp, replicas in zip(tps, placement):
            proposed[tp] = replicas
    ctx.out("Current partition replica assignment\n" + as_json(current) + "\n")
    ctx.out("Proposed partition reassignment configuration\n" + as_json(proposed))
