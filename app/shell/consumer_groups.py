"""``kafka-consumer-groups``: list groups, describe their offsets, members and state, reset offsets, delete groups.

Models ``org.apache.kafka.tools.consumer.group.ConsumerGroupCommand`` with its options class:
the tables as it prints them (``%-Ns`` columns at least 15 wide, widened to the longest value,
each row after a newline), ``-`` for a missing value, the state messages (``Consumer group 'g'
has no active members.``, ``... is rebalancing.``, ``... does not exist.``), and
``--reset-offsets`` (``--to-earliest``, ``--to-latest``, ``--to-offset``, ``--shift-by``,
``--to-current``; a dry run unless ``--execute``; refused while the group has members, "can only
be reset if the group ... is inactive"; offsets out of range clamped with its WARN line). Rows
come in the orders Kafka's HashMaps give them (``TopicPartition.hashCode``). 4.0's ``--verbose``
columns (KIP-1099: LEADER-EPOCH; GROUP-EPOCH and TARGET-ASSIGNMENT-EPOCH) are printed with the
header order of Kafka's tests; their widths follow the other columns'. A member's host is
``/127.0.0.1``: the lab's clients run on one machine. Leaves out ``--delete-offsets``,
``--from-file``, ``--export``, ``--to-datetime`` and ``--by-duration`` (said so).
"""

from __future__ import annotations

from typing import Any

from app.shell import bootstrap
from app.shell.java import hashmap_keys
from app.shell.parser import OptionException, OptionParser, flag, optional, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.admin import KafkaAdminError
from app.sim.admin.groups import OffsetSpec
from app.sim.consumer.javaorder import grown_capacity, hashmap_order, topic_partition_hash
from app.sim.partition import TopicPartition

NAME = "kafka-consumer-groups"
LOGGER = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"
MISSING = "-"
HOST = "/127.0.0.1"
SCENARIOS = ("to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest", "to-current", "from-file")
NL = "\n"


def parser(version: str) -> OptionParser:
    opts = [
        required("bootstrap-server", "REQUIRED: The server(s) to connect to.", "server to connect to"),
        required("group", "The consumer group we wish to act on.", "consumer group"),
        required("topic", "The topic whose consumer group information should be deleted or topic whose should be "
                 "included in the reset offset process. In `reset-offsets` case, partitions can be specified using this "
                 "format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets "
                 "also supports multiple topic inputs.", "topic"),
        flag("all-topics", "Consider all topics assigned to a group in the `reset-offsets` process."),
        flag("list", "List all consumer groups."),
        flag("describe", "Describe consumer group and list offset lag (number of messages not yet processed) related to "
             "given group."),
        flag("all-groups", "Apply to all consumer groups."),
        flag("delete", "Pass in groups to delete topic partition offsets and ownership information over the entire "
             "consumer group. For instance --group g1 --group g2"),
        required("timeout", "The timeout that can be set for some use cases. For example, it can be used when "
                 "describing the group to specify the maximum amount of time in milliseconds to wait before the group "
                 "stabilizes (when the group is just created, or is going through some changes).", "timeout (ms)",
                 "Long", 5000),
        required("command-config", "Property file containing configs to be passed to Admin Client and Consumer.",
                 "command config property file"),
        flag("reset-offsets", "Reset offsets of consumer group. Supports one consumer group at the time, and instances "
             "should be inactive" + NL + "Has 2 execution options: --dry-run (the default) to plan which offsets to "
             "reset, and --execute to update the offsets. Additionally, the --export option is used to export the "
             "results to a CSV format." + NL + "You must choose one of the following reset specifications: "
             "--to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, "
             "--to-offset." + NL + "To define the scope use --all-topics or --topic. One scope must be specified unless "
             "you use '--from-file'."),
        flag("delete-offsets", "Delete offsets of consumer group. Supports one consumer group at the time, and multiple "
             "topics."),
        flag("dry-run", "Only show results without executing changes on Consumer Groups. Supported operations: "
             "reset-offsets."),
        flag("execute", "Execute operation. Supported operations: reset-offsets."),
        flag("export", "Export operation execution to a CSV file. Supported operations: reset-offsets."),
        required("to-offset", "Reset offsets to a specific offset.", "offset", "Long"),
        required("from-file", "Reset offsets to values defined in CSV file.", "path to CSV file"),
        required("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", "datetime"),
        required("by-duration", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'",
                 "duration"),
        flag("to-earliest", "Reset offsets to earliest offset."),
        flag("to-latest", "Reset offsets to latest offset."),
        flag("to-current", "Reset offsets to current offset."),
        required("shift-by", "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.",
                 "number-of-offsets", "Long"),
        flag("members", "Describe members of the group. This option may be used with '--describe' and "
             "'--bootstrap-server' options only." + NL + "Example: --bootstrap-server localhost:9092 --describe --group "
             "group1 --members"),
        flag("verbose", "Provide additional information, if any, when describing the group. This option may be used "
             "with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only." + NL + "Example: "
             "--bootstrap-server localhost:9092 --describe --group group1 --members --verbose"),
        flag("offsets", "Describe the group and list all topic partitions in the group along with their offset lag. "
             "This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options "
             "only." + NL + "Example: --bootstrap-server localhost:9092 --describe --group group1 --offsets"),
        optional("state", "When specified with '--describe', includes the state of the group." + NL + "Example: "
                 "--bootstrap-server localhost:9092 --describe --group group1 --state" + NL + "When specified with "
                 "'--list', it displays the state of all groups. It can also be used to list groups with specific "
                 "states." + NL + "Example: --bootstrap-server localhost:9092 --list --state stable,empty" + NL +
                 "This option may be used with '--describe', '--list' and '--bootstrap-server' options only."),
    ]
    if version != "2.8":
        opts.append(optional("type", "When specified with '--list', it displays the types of all the groups. It can also "
                             "be used to list groups with specific types." + NL + "Example: --bootstrap-server "
                             "localhost:9092 --list --type classic,consumer" + NL + "This option may be used with the "
                             "'--list' option only."))
    return OptionParser(opts)


#: ``availableIf``: these options only with the actions named
_AVAILABLE_IF = {"members": ("describe",), "verbose": ("describe",), "offsets": ("describe",), "state": ("describe", "list"),
                 "type": ("list",)}
ACTIONS = ("list", "describe", "delete", "reset-offsets", "delete-offsets")


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    try:
        opts = p.parse(ctx.argv)
        for option, needs in _AVAILABLE_IF.items():
            if opts.has(option) and not any(opts.has(n) for n in needs):
                raise OptionException(f"Option(s) [{option}] are unavailable given other options on the command line")
    except OptionException as exc:
        ctx.usage_exit(p, exc.message)
    _check_args(ctx, p, opts)
    if sum(opts.has(a) for a in ACTIONS) != 1:
        ctx.usage_exit(p, "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, "
                       "--delete-offsets")
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server"))
    if where.unresolvable:
        _error(ctx, "Executing consumer group command failed due to Failed to create new KafkaAdminClient",
               "org.apache.kafka.common.KafkaException: Failed to create new KafkaAdminClient")
        raise ToolExit(1)
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        timeout = float(opts.value_of("timeout")) if opts.has("describe") else bootstrap.DEFAULT_API_TIMEOUT_MS
        return bootstrap.WaitForNode(ctx, where.endpoints, "AdminClient clientId=adminclient-"
                                     f"{ctx.cluster._client_seq.get('adminclient', 0) + 1}", timeout, _TimedOut(ctx, opts))
    admin = ctx.admin()
    try:
        if opts.has("list"):
            _list(ctx, admin, opts)
        elif opts.has("describe"):
            _describe(ctx, admin, opts)
        elif opts.has("delete"):
            _delete(ctx, admin, opts)
        elif opts.has("reset-offsets"):
            _reset(ctx, admin, p, opts)
        else:
            ctx.note("--delete-offsets is not part of this terminal (the simulator's admin client has no "
                     "DeleteConsumerGroupOffsets).")
            raise ToolExit(1)
    except _Usage as exc:
        ctx.usage_exit(p, str(exc))
    except KafkaAdminError as exc:
        cause = f"org.apache.kafka.common.errors.{exc.name}: {exc.message}"
        _error(ctx, f"Executing consumer group command failed due to {cause}",
               f"java.util.concurrent.ExecutionException: {cause}\nCaused by: {cause}")
        raise ToolExit(1) from None
    return None


class _Usage(Exception):
    """IllegalArgumentException inside run(): printUsageAndExit with its message."""


class _TimedOut:
    def __init__(self, ctx: Context, opts: Any) -> None:
        self.ctx, self.call = ctx, "listConsumerGroups" if opts.has("list") or opts.has("all-groups") else \
            "describeConsumerGroups"

    def __call__(self) -> None:
        cause = f"org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: {self.call}"
        _error(self.ctx, f"Executing consumer group command failed due to {cause}",
               f"java.util.concurrent.ExecutionException: {cause}\nCaused by: {cause}")


def _error(ctx: Context, message: str, trace: str | None = None) -> None:
    """``printError``: a blank line and ``Error: ...`` on System.out, the exception's stack trace on System.err."""
    ctx.out(f"\nError: {message}")
    if trace:
        ctx.err(trace)


def _check_args(ctx: Context, p: OptionParser, opts: Any) -> None:
    ctx.maybe_help_or_version(p, opts, "This tool helps to list all consumer groups, describe a consumer group, delete "
                              "consumer group info, or reset consumer group offsets.")
    if not opts.has("bootstrap-server"):
        ctx.usage_exit(p, 'Missing required argument "[bootstrap-server]"')
    scope = "[group], [all-groups]"
    if opts.has("describe"):
        if not opts.has("group") and not opts.has("all-groups"):
            ctx.usage_exit(p, f"Option [describe] takes one of these options: {scope}")
        if sum(opts.has(o) for o in ("members", "offsets", "state")) > 1:
            ctx.usage_exit(p, "Option [describe] takes at most one of these options: [members], [offsets], [state]")
        if opts.has("state") and opts.value_of("state") is not None:
            ctx.usage_exit(p, "Option [describe] does not take a value for [state]")
    if opts.has("delete"):
        if not opts.has("group") and not opts.has("all-groups"):
            ctx.usage_exit(p, f"Option [delete] takes one of these options: {scope}")
        if opts.has("topic"):
            ctx.usage_exit(p, "The consumer does not support topic-specific offset deletion from a consumer group.")
    if opts.has("delete-offsets") and (not opts.has("group") or not opts.has("topic")):
        ctx.usage_exit(p, "Option [delete-offsets] takes the following options: [group], [topic]")
    if opts.has("reset-offsets"):
        if opts.has("dry-run") and opts.has("execute"):
            ctx.usage_exit(p, "Option [reset-offsets] only accepts one of [execute] and [dry-run]")
        if not opts.has("dry-run") and not opts.has("execute"):
            ctx.err("WARN: No action will be performed as the --execute option is missing.In a future major release, the "
                    "default behavior of this command will be to prompt the user before executing the reset rather "
                    "than doing a dry run. You should add the --dry-run option explicitly if you are scripting this "
                    "command and want to keep the current default behavior without prompting.")
        if not opts.has("group") and not opts.has("all-groups"):
            ctx.usage_exit(p, f"Option [reset-offsets] takes one of these options: {scope}")
        for s in SCENARIOS:
            if opts.has(s):
                other = next((o for o in SCENARIOS if o != s and opts.has(o)), None)
                if other:
                    ctx.usage_exit(p, f'Option "[{s}]" can\'t be used with option "[{other}]"')
    if opts.has("group") and opts.has("all-groups"):
        ctx.usage_exit(p, 'Option "[group]" can\'t be used with option "[all-groups]"')
    if opts.has("group") and opts.has("list"):
        ctx.usage_exit(p, 'Option "[group]" can\'t be used with option "[list]"')
    if opts.has("topic"):
        for bad in ("list", "describe"):
            if opts.has(bad):
                ctx.usage_exit(p, f'Option "[topic]" can\'t be used with option "[{bad}]"')


# -- the actions ---------------------------------------------------------------------------------------
def _group_ids(admin: Any, opts: Any) -> list[str]:
    if opts.has("all-groups"):
        return [g.group_id for g in admin.list_consumer_groups()]
    return list(opts.values_of("group"))


def _list(ctx: Context, admin: Any, opts: Any) -> None:
    listings = admin.list_consumer_groups()
    with_type = opts.has("type")
    with_state = opts.has("state")
    if not with_type and not with_state:
        for g in listings:
            ctx.out(g.group_id)
        return
    states = _filter(opts.value_of("state") if with_state else None, ("PreparingRebalance", "CompletingRebalance",
                                                                       "Stable", "Dead", "Empty", "Assigning",
                                                                       "Reconciling"), "state")
    types = _filter(opts.value_of("type") if with_type else None, ("consumer", "classic"), "types")
    rows = [g for g in listings if (not states or g.state.lower() in states) and (not types or g.type.lower() in types)]
    width = max([max(15, len(g.group_id)) for g in rows], default=15) + 10
    fmt = f"%-{width}s" + (" %-20s" if with_type else "") + (" %-20s" if with_state else "")
    header = ["GROUP"] + (["TYPE"] if with_type else []) + (["STATE"] if with_state else [])
    ctx.out(fmt % tuple(header))
    for g in rows:
        ctx.out(fmt % tuple([g.group_id] + ([g.type] if with_type else []) + ([g.state] if with_state else [])))


def _filter(value: str | None, valid: tuple[str, ...], word: str) -> set[str]:
    if not value:
        return set()
    wanted = {v.strip().lower() for v in value.split(",")}
    known = {v.lower() for v in valid}
    if not wanted <= known:
        label = "state list" if word == "state" else "types list"
        raise _Usage(f"Invalid {label} '{value}'. Valid {'states' if word == 'state' else 'types'} are: "
                     f"{', '.join(valid)}")
    return wanted


def _description(admin: Any, group_id: str) -> Any | None:
    """The group as DescribeGroups answers it; None for a group the coordinator does not know (state Dead)."""
    result = admin.describe_consumer_groups([group_id]).values[group_id]
    if result.exception is not None:
        if result.exception.name == "GroupIdNotFoundException":
            return None
        raise result.exception
    return result.value


def _committed(admin: Any, group_id: str) -> dict[TopicPartition, int]:
    try:
        return admin.list_consumer_group_offsets(group_id)
    except KafkaAdminError as exc:
        if exc.name == "GroupIdNotFoundException":
            return {}
        raise


def _should_print(ctx: Context, group: str, state: str | None, rows: int | None) -> bool:
    """``shouldPrintMemberState``."""
    if rows is None:
        _error(ctx, f"The consumer group '{group}' does not exist.")
        return False
    if state in (None, "Dead"):
        _error(ctx, f"Consumer group '{group}' does not exist.")
    elif state == "Empty":
        ctx.err(f"\nConsumer group '{group}' has no active members.")
    elif state in ("PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling"):
        ctx.err(f"\nWarning: Consumer group '{group}' is rebalancing.")
    return state not in (None, "Dead") and rows > 0


def _describe(ctx: Context, admin: Any, opts: Any) -> None:
    groups = sorted(_group_ids(admin, opts))  # the tool collects them in a TreeMap
    verbose = opts.has("verbose")
    for group in groups:
        desc = _description(admin, group)
        state = desc.state if desc is not None else None
        if opts.has("members"):
            _print_members(ctx, group, desc, verbose)
        elif opts.has("state"):
            _print_state(ctx, group, desc, verbose)
        else:
            _print_offsets(ctx, admin, group, desc, state, verbose)


def _ends(admin: Any, tps: list[TopicPartition], spec: OffsetSpec) -> dict[TopicPartition, int | None]:
    results = admin.list_offsets({tp: spec for tp in tps})
    return {tp: (f.value.offset if f.exception is None else None) for tp, f in results.values.items()}


def _tp_order(tps: list[TopicPartition]) -> list[TopicPartition]:
    """A ``Collectors.toMap`` HashMap of TopicPartitions: their iteration order."""
    return hashmap_order(list(tps), lambda tp: topic_partition_hash(tp.topic, tp.partition), grown_capacity(len(tps)))


def _print_offsets(ctx: Context, admin: Any, group: str, desc: Any, state: str | None, verbose: bool) -> None:
    committed = _committed(admin, group)
    rows: list[tuple[Any, ...]] = []
    assigned: set[TopicPartition] = set()
    members = [m for m in (desc.members if desc is not None else []) if m.assignment]
    members.sort(key=lambda m: -len(m.assignment))
    epochs: dict[TopicPartition, int] = {}

    def describe(tps: list[TopicPartition], consumer: str, host: str, client: str) -> None:
        ends = _ends(admin, tps, OffsetSpec.LATEST)
        for tp in _tp_order(tps):
            offset = committed.get(tp)
            end = ends.get(tp)
            lag = end - offset if offset is not None and end is not None else None
            rows.append((group, tp.topic, tp.partition, offset, end, lag, consumer, host, client))

    for m in members:
        tps = sorted(m.assignment, key=lambda tp: tp.partition)
        assigned.update(tps)
        describe(tps, m.member_id, HOST, m.client_id)
    rest = [tp for tp in hashmap_order(list(committed), lambda tp: topic_partition_hash(tp.topic, tp.partition))
            if tp not in assigned]
    if rest:
        describe(rest, MISSING, MISSING, MISSING)
    if desc is not None and not members and not rest:
        rows.append((group, None, None, None, None, None, MISSING, MISSING, MISSING))
    if not _should_print(ctx, group, state, len(rows)):
        return
    for tp in {TopicPartition(r[1], r[2]) for r in rows if r[1] is not None}:
        s = ctx.cluster.controller.partition(tp.topic, tp.partition)
        if s is not None:
            epochs[tp] = s.leader_epoch
    w_group = max([15] + [len(r[0]) for r in rows])
    w_topic = max([15] + [len(r[1] if r[1] is not None else MISSING) for r in rows])
    w_consumer = max([15] + [len(r[6]) for r in rows])
    w_host = max([15] + [len(r[7]) for r in rows])
    show = lambda v: MISSING if v is None else str(v)  # noqa: E731
    extra = ctx.version == "4.0" and verbose
    fmt = (f"\n%-{w_group}s %-{w_topic}s %-10s " + ("%-15s " if extra else "") +
           f"%-15s %-15s %-15s %-{w_consumer}s %-{w_host}s %s")
    header = ["GROUP", "TOPIC", "PARTITION"] + (["LEADER-EPOCH"] if extra else []) + [
        "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"]
    ctx.out(fmt % tuple(header), end="")
    for r in rows:
        epoch = epochs.get(TopicPartition(r[1], r[2])) if r[1] is not None and r[3] is not None else None
        values = [r[0], show(r[1]), show(r[2])] + ([show(epoch)] if extra else []) + [show(v) for v in r[3:6]] + list(r[6:])
        ctx.out(fmt % tuple(values), end="")
    ctx.out()


def _print_members(ctx: Context, group: str, desc: Any, verbose: bool) -> None:
    members = desc.members if desc is not None else []
    state = desc.state if desc is not None else None
    w = {"group": 15, "consumer": 15, "instance": 17, "host": 15, "client": 15}
    with_instance = False
    # the widths only when the group is printable; the header comes anyway, as printMembers has it
    if _should_print(ctx, group, state, len(members)):
        for m in members:
            w["group"] = max(w["group"], len(group))
            w["consumer"] = max(w["consumer"], len(m.member_id))
            w["instance"] = max(w["instance"], len(m.group_instance_id or ""))
            w["host"] = max(w["host"], len(HOST))
            w["client"] = max(w["client"], len(m.client_id))
            with_instance = with_instance or bool(m.group_instance_id)
    fmt0 = (f"%-{w['group']}s %-{w['consumer']}s %-{w['instance']}s %-{w['host']}s %-{w['client']}s %-15s ")
    fmt1 = f"%-{w['group']}s %-{w['consumer']}s %-{w['host']}s %-{w['client']}s %-15s "
    if with_instance:
        ctx.out("\n" + fmt0 % ("GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS"), end="")
    else:
        ctx.out("\n" + fmt1 % ("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"), end="")
    if verbose:
        ctx.out("ASSIGNMENT", end="")
    ctx.out()
    for m in members:
        if with_instance:
            ctx.out(fmt0 % (group, m.member_id, m.group_instance_id or "", HOST, m.client_id, len(m.assignment)), end="")
        else:
            ctx.out(fmt1 % (group, m.member_id, HOST, m.client_id, len(m.assignment)), end="")
        if verbose:
            by_topic: dict[str, list[int]] = {}
            for tp in m.assignment:
                by_topic.setdefault(tp.topic, []).append(tp.partition)
            text = ", ".join(sorted("(" + ",".join(sorted(map(str, ps))) + ")" for ps in by_topic.values())) or MISSING
            ctx.out(text, end="")
        ctx.out()


def _print_state(ctx: Context, group: str, desc: Any, verbose: bool) -> None:
    state = desc.state if desc is not None else None
    if not _should_print(ctx, group, state, 1):
        return
    node = desc.coordinator
    coordinator = f"localhost:{9092 + node}  ({node})"
    width = max(25, len(coordinator))
    extra = ctx.version == "4.0" and verbose
    fmt = f"\n%-{width}s %-25s %-20s %-15s " + ("%-15s %-25s " if extra else "") + "%s"
    header = ["GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE"] + (
        ["GROUP-EPOCH", "TARGET-ASSIGNMENT-EPOCH"] if extra else []) + ["#MEMBERS"]
    ctx.out(fmt % tuple(header), end="")
    values = [group, coordinator, desc.partition_assignor, state] + ([MISSING, MISSING] if extra else []) + [
        len(desc.members)]
    ctx.out(fmt % tuple(values), end="")
    ctx.out()


def _delete(ctx: Context, admin: Any, opts: Any) -> None:
    ids = _group_ids(admin, opts)
    results = admin.delete_consumer_groups(ids)
    ok = [g for g in hashmap_keys(ids) if results.values[g].exception is None]
    failed = {g: results.values[g].exception for g in hashmap_keys(ids) if results.values[g].exception is not None}
    if not failed:
        ctx.out("Deletion of requested consumer groups ('" + ", ".join(ok) + "') was successful.")
        return
    _error(ctx, "Deletion of some consumer groups failed:")
    for g, exc in failed.items():
        ctx.out(f"* Group '{g}' could not be deleted due to: java.util.concurrent.ExecutionException: "
                f"org.apache.kafka.common.errors.{exc.name}: {exc.message}")
    if ok:
        ctx.out("\nThese consumer groups were deleted successfully: '" + "'".join(ok) + "', '")


def _reset(ctx: Context, admin: Any, p: OptionParser, opts: Any) -> None:
    for unsupported in ("from-file", "export", "to-datetime", "by-duration"):
        if opts.has(unsupported):
            ctx.note(f"--{unsupported} is not part of this terminal: use --to-earliest, --to-latest, --to-offset, "
                     "--shift-by or --to-current.")
            raise ToolExit(1)
    dry_run = opts.has("dry-run") or not opts.has("execute")
    result: dict[str, dict[TopicPartition, int]] = {}
    for group in _group_ids(admin, opts):
        desc = _description(admin, group)
        state = desc.state if desc is not None else "Dead"
        if state not in ("Empty", "Dead"):
            _error(ctx, f"Assignments can only be reset if the group '{group}' is inactive, but the current state is "
                        f"{state}.")
            result[group] = {}
            continue
        tps = _partitions_to_reset(ctx, admin, p, opts, group)
        offsets = _prepare(ctx, admin, p, opts, group, tps)
        if not dry_run:
            admin.alter_consumer_group_offsets(group, offsets)
        result[group] = offsets
    fmt = "\n%-30s %-30s %-10s %-15s"
    if result:
        ctx.out(fmt % ("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"), end="")
    for group in hashmap_keys(result):
        for tp in _tp_order(list(result[group])):
            ctx.out(fmt % (group, tp.topic, tp.partition, result[group][tp]), end="")
    ctx.out()


def _partitions_to_reset(ctx: Context, admin: Any, p: OptionParser, opts: Any, group: str) -> list[TopicPartition]:
    if opts.has("all-topics"):
        return list(_committed(admin, group))
    if not opts.has("topic"):
        raise _Usage("One of the reset scopes should be defined: --all-topics, --topic.")
    out: list[TopicPartition] = []
    plain: list[str] = []
    for arg in opts.values_of("topic"):
        if ":" in arg:
            parts = arg.split(":")
            if len(parts) != 2:
                raise _Usage(f"Invalid topic arg '{arg}', expected topic name and partitions")
            for n in parts[1].split(","):
                try:
                    out.append(TopicPartition(parts[0], int(n)))
                except ValueError:
                    raise _Usage(f"Invalid partition '{n}' specified in topic arg '{arg}''") from None
        else:
            plain.append(arg)
    if plain:
        described = admin.describe_topics(plain)
        for t in plain:
            described.values[t].get()
        for t in hashmap_keys(plain, initial=len(plain)):
            out += [TopicPartition(t, i.partition) for i in described.values[t].get().partitions]
    return out


def _prepare(ctx: Context, admin: Any, p: OptionParser, opts: Any, group: str,
             tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    if opts.has("to-offset"):
        return _check_range(ctx, admin, {tp: opts.value_of("to-offset") for tp in tps})
    if opts.has("to-earliest") or opts.has("to-latest"):
        spec = OffsetSpec.EARLIEST if opts.has("to-earliest") else OffsetSpec.LATEST
        ends = _ends(admin, tps, spec)
        for tp in tps:
            if ends.get(tp) is None:
                word = "starting" if spec is OffsetSpec.EARLIEST else "ending"
                raise _Usage(f"Error getting {word} offset of topic partition: {tp}")
        return {tp: ends[tp] for tp in tps}  # type: ignore[misc]
    if opts.has("shift-by"):
        current = _committed(admin, group)
        shift = opts.value_of("shift-by")
        wanted = {}
        for tp in tps:
            if tp not in current:
                raise _Usage(f"Cannot shift offset for partition {tp} since there is no current committed offset")
            wanted[tp] = current[tp] + shift
        return _check_range(ctx, admin, wanted)
    if opts.has("to-current"):
        current = _committed(admin, group)
        ends = _ends(admin, [tp for tp in tps if tp not in current], OffsetSpec.LATEST)
        return {tp: current[tp] if tp in current else ends[tp] for tp in tps}  # type: ignore[misc]
    raise _Usage("Option '[reset-offsets]' requires one of the following scenarios: " +
                 str([f"[{s}]" for s in SCENARIOS]).replace("'", ""))


def _check_range(ctx: Context, admin: Any, wanted: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
    """``checkOffsetsRange``: below the log start or above the end, the offset is clamped (and logged)."""
    starts = _ends(admin, list(wanted), OffsetSpec.EARLIEST)
    ends = _ends(admin, list(wanted), OffsetSpec.LATEST)
    out = {}
    for tp in _tp_order(list(wanted)):
        offset = wanted[tp]
        end, start = ends.get(tp), starts.get(tp)
        if end is not None and offset > end:
            ctx.log("WARN", f"New offset ({offset}) is higher than latest offset for topic partition {tp}. Value will be "
                    f"set to {end}", LOGGER)
            out[tp] = end
        elif start is not None and offset < start:
            ctx.log("WARN", f"New offset ({offset}) is lower than earliest offset for topic partition {tp}. Value will be "
                    f"set to {start}", LOGGER)
            out[tp] = start
        else:
            out[tp] = offset
    return out
