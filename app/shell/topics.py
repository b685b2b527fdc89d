"""``kafka-topics``: create, list, describe, alter (partitions) and delete topics.

Models ``org.apache.kafka.tools.TopicCommand`` (3.9 and 4.0; its checks, its words and its
output: ``Created topic t.``, the describe lines with their tabs, ``Elr``/``LastKnownElr`` since
3.8) and, on a 2.8 cluster, ``kafka.admin.TopicCommand`` (Scala), which takes ``--zookeeper``
too and prints no ELR columns. Every error goes to standard output as ``Error while executing
topic command : <message>`` and to the log as ``LOG.error(Utils.stackTrace(e))``. Topics are
described in the order of the HashMap ``DescribeTopicsResult.allTopicNames()`` returns, and a
topic's ``Configs:`` in the order of the admin ``Config``'s HashMap, as Kafka prints them.
Leaves out ``--command-config`` files, ``--topic-id`` and ``--partition-size-limit-per-response``
(accepted, no effect).
"""

from __future__ import annotations

from typing import Any

from app.configs import ConfigException
from app.shell import bootstrap
from app.shell.java import admin_class, exception_line, hashmap_keys, java_regex, optional, stack_trace
from app.shell.parser import OptionException, OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.admin import ConfigResource, KafkaAdminError, NewPartitions, NewTopic
from app.sim.admin.errors import InvalidConfigurationException, kafka_message
from app.sim.admin.future import Results
from app.sim.consumer.javaorder import hashmap_order, java_string_hash
from app.sim.topic import INTERNAL_TOPICS

NAME = "kafka-topics"
LOGGER = "org.apache.kafka.tools.TopicCommand"
LOGGER_28 = "kafka.admin.TopicCommand$"
SHORT_MAX = 32767
#: The table of an admin ``Config``'s HashMap: Kafka lists every one of its 30-odd topic configs, so 64 buckets
CONFIG_TABLE = 64

_ALTER_NOTE_4 = " (To alter topic configurations, the kafka-configs tool can be used.)"
_ALTER_NOTE_3 = " (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)"
#: ``LogConfig.configNames()``, sorted: the names --config accepts (3.9; 4.0 removed message.format.version,
#: message.timestamp.difference.max.ms and message.downconversion.enable; 2.8 had no compression levels or tiering)
CONFIG_NAMES_3 = ["cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
                  "compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
                  "follower.replication.throttled.replicas", "index.interval.bytes",
                  "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
                  "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable",
                  "message.format.version", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
                  "message.timestamp.difference.max.ms", "message.timestamp.type", "min.cleanable.dirty.ratio",
                  "min.compaction.lag.ms", "min.insync.replicas", "preallocate", "remote.log.copy.disable",
                  "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
                  "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
                  "unclean.leader.election.enable"]
_REMOVED_IN_4 = {"message.downconversion.enable", "message.format.version", "message.timestamp.difference.max.ms"}
_NEW_SINCE_28 = {"compression.gzip.level", "compression.lz4.level", "compression.zstd.level", "local.retention.bytes",
                 "local.retention.ms", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
                 "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable"}


def config_names(version: str) -> list[str]:
    if version == "4.0":
        return [n for n in CONFIG_NAMES_3 if n not in _REMOVED_IN_4]
    if version == "2.8":
        return [n for n in CONFIG_NAMES_3 if n not in _NEW_SINCE_28]
    return list(CONFIG_NAMES_3)

#: TopicCommand.java's call sites (line numbers of 3.9.0; trunk as 4.0 was cut differs only in the options class)
_FRAMES = {
    "main": ["org.apache.kafka.tools.TopicCommand.mainNoExit(TopicCommand.java:90)",
             "org.apache.kafka.tools.TopicCommand.main(TopicCommand.java:85)"],
    "describe": "org.apache.kafka.tools.TopicCommand$TopicService.describeTopic(TopicCommand.java:578)",
    "alter": "org.apache.kafka.tools.TopicCommand$TopicService.alterTopic(TopicCommand.java:512)",
    "delete": "org.apache.kafka.tools.TopicCommand$TopicService.deleteTopic(TopicCommand.java:656)",
}
_EXECUTE_LINE = {"create": 105, "alter": 107, "describe": 111, "delete": 113}


def parser(version: str) -> OptionParser:
    four = version == "4.0"
    note = _ALTER_NOTE_4 if four else _ALTER_NOTE_3
    configs = "\n".join("\t" + n for n in config_names(version))
    opts = [
        required("bootstrap-server", "REQUIRED: The Kafka server to connect to.", "server to connect to"),
        required("command-config", "Property file containing configs to be passed to Admin Client." + (
            "" if four else " This is used only with --bootstrap-server option for describing and altering broker "
            "configs."), "command config property file"),
        flag("list", "List all available topics."),
        flag("create", "Create a new topic."),
        flag("delete", "Delete a topic." if four else "Delete a topic"),
        flag("alter", "Alter the number of partitions and replica assignment." + note if four else
             "Alter the number of partitions and replica assignment. Update the configuration of an existing topic "
             "via --alter is no longer supported here" + note + "."),
        flag("describe", "List details for the given topics."),
        required("topic", "The topic to create, alter, describe or delete. It also accepts a regular expression, "
                 "except for --create option. Put topic name in double quotes and use the '\\' prefix to escape "
                 "regular expression symbols; e.g. \"test\\.topic\".", "topic"),
        required("topic-id", "The topic-id to describe." + ("" if four else "This is used only with --bootstrap-server "
                 "option for describing topics."), "topic-id"),
        required("config", "A topic configuration override for the topic being created. The following is a list of "
                 f"valid configurations: \n{configs}\nSee the Kafka documentation for full details on the topic "
                 "configs. It is supported only in combination with --create" +
                 ("." + note if four else " if --bootstrap-server option is used" + note + "."), "name=value"),
        required("delete-config", "This option is no longer supported and has been deprecated since 4.0" if four else
                 "A topic configuration override to be removed for an existing topic (see the list of configurations "
                 "under the --config option). Not supported with the --bootstrap-server option.", "name"),
        required("partitions", "The number of partitions for the topic being created or altered. If not supplied with "
                 "--create, the topic uses the cluster default. (WARNING: If partitions are increased for a topic "
                 "that has a key, the partition logic or ordering of the messages will be affected)." if four else
                 "The number of partitions for the topic being created or altered (WARNING: If partitions are "
                 "increased for a topic that has a key, the partition logic or ordering of the messages will be "
                 "affected). If not supplied for create, defaults to the cluster default.", "# of partitions",
                 "Integer"),
        required("replication-factor", "The replication factor for each partition in the topic being created. If not "
                 + ("supplied, the topic uses the cluster default." if four else "supplied, defaults to the cluster "
                    "default."), "replication factor", "Integer"),
        required("replica-assignment", "A list of manual partition-to-broker assignments for the topic being created "
                 "or altered.", "broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , "
                 "broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ..."),
        flag("under-replicated-partitions", "If set when describing topics, only show under-replicated partitions."
             if four else "if set when describing topics, only show under replicated partitions"),
        flag("unavailable-partitions", ("If" if four else "if") + " set when describing topics, only show partitions "
             "whose leader is not available" + ("." if four else "")),
        flag("under-min-isr-partitions", ("If" if four else "if") + " set when describing topics, only show partitions "
             "whose isr count is less than the configured minimum."),
        flag("at-min-isr-partitions", ("If" if four else "if") + " set when describing topics, only show partitions "
             "whose isr count is equal to the configured minimum."),
        flag("topics-with-overrides", "If set when describing topics, only show topics that have overridden configs."
             if four else "if set when describing topics, only show topics that have overridden configs"),
        flag("if-exists", ("If" if four else "if") + " set when altering or deleting or describing topics, the action "
             "will only execute if the topic exists."),
        flag("if-not-exists", ("If" if four else "if") + " set when creating topics, the action will only execute if "
             "the topic does not already exist."),
        flag("exclude-internal", "Exclude internal topics when listing or describing topics. By default, the internal "
             "topics are included." if four else "exclude internal topics when running list or describe command. The "
             "internal topics will be listed by default"),
        required("partition-size-limit-per-response", ("The" if four else "the") + " maximum partition size to be "
                 "included in one DescribeTopicPartitions response.", "maximum number of partitions per response" if four
                 else "maximum number of partitions in one response.", "Integer"),
    ]
    if version == "2.8":
        opts = [o for o in opts if o.name not in ("partition-size-limit-per-response", "topic-id")]
        opts.append(required("zookeeper", "DEPRECATED, The connection string for the zookeeper connection in the form "
                             "host:port. Multiple hosts can be given to allow fail-over.", "hosts"))
    return OptionParser(opts)


ACTIONS = ("create", "list", "alter", "describe", "delete")
REPORTS = ("under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions")


class _Failed(Exception):
    """An exception the tool catches in ``execute`` and reports with printException."""

    def __init__(self, java_class: str, message: str, frames: list[str] | None = None) -> None:
        super().__init__(message)
        self.java_class, self.message, self.frames = java_class, message, frames or []


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    try:
        opts = p.parse(ctx.argv)
    except OptionException as exc:
        # mainNoExit: the message and the stack trace, both on System.err
        if ctx.version == "2.8":  # Scala's TopicCommandOptions lets it out of main: the JVM prints it
            ctx.err('Exception in thread "main" ' + stack_trace(exc.java_class, exc.message), end="")
            raise ToolExit(1) from None
        ctx.err(exc.message)
        ctx.err(stack_trace(exc.java_class, exc.message, _parse_frames(ctx)), end="")
        if getattr(exc, "option", None) == "zookeeper":
            ctx.note(bootstrap.zookeeper_flag_note(ctx))
        raise ToolExit(1) from None
    _check_args(ctx, p, opts)
    servers = opts.value_of("bootstrap-server") if opts.has("bootstrap-server") else None
    action = next(a for a in ACTIONS if opts.has(a))
    if servers is None:  # 2.8 with --zookeeper: the ZooKeeper path reaches the same controller here
        zk = opts.value_of("zookeeper")
        ctx.note("--zookeeper is deprecated in 2.8: the tool goes to ZooKeeper (" + zk + ") instead of a broker. "
                 "3.0 removed it (KIP-604).")
        return _act(ctx, opts, action)
    where = bootstrap.reach(ctx, servers)
    if where.unresolvable:
        return _no_admin_client(ctx, where.unresolvable)
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        call = {"create": "createTopics", "alter": "listTopics", "list": "listTopics", "describe": "listTopics",
                "delete": "listTopics"}[action]
        message = f"Timed out waiting for a node assignment. Call: {call}"
        return bootstrap.WaitForNode(ctx, where.endpoints, "AdminClient clientId=" + _next_admin_id(ctx),
                                     bootstrap.DEFAULT_API_TIMEOUT_MS,
                                     _GiveUp(ctx, message))
    return _act(ctx, opts, action)


class _GiveUp:
    """What TopicCommand prints when the admin call times out (a callable object: runs are copied)."""

    def __init__(self, ctx: Context, message: str) -> None:
        self.ctx, self.message = ctx, message

    def __call__(self) -> None:
        _print_exception(self.ctx, "org.apache.kafka.common.errors.TimeoutException", self.message, [])


def _next_admin_id(ctx: Context) -> str:
    return f"adminclient-{ctx.cluster._client_seq.get('adminclient', 0) + 1}"


def _no_admin_client(ctx: Context, cause: str) -> None:
    """``Admin.create`` fails before the tool's try: mainNoExit prints the message and the stack trace."""
    ctx.err("Failed to create new KafkaAdminClient")
    ctx.err(stack_trace("org.apache.kafka.common.KafkaException", "Failed to create new KafkaAdminClient"), end="")
    ctx.err(f"Caused by: org.apache.kafka.common.config.ConfigException: {cause}")
    raise ToolExit(1)


def _parse_frames(ctx: Context) -> list[str]:
    line = 828 if ctx.version == "4.0" else 830
    return ["joptsimple.OptionException.unrecognizedOption(OptionException.java:108)",
            "joptsimple.OptionParser.handleLongOptionToken(OptionParser.java:510)",
            "joptsimple.OptionParserState$2.handleArgument(OptionParserState.java:56)",
            "joptsimple.OptionParser.parse(OptionParser.java:396)",
            f"org.apache.kafka.tools.TopicCommand$TopicCommandOptions.<init>(TopicCommand.java:{line})",
            "org.apache.kafka.tools.TopicCommand.execute(TopicCommand.java:100)", *_FRAMES["main"]]


def _check_args(ctx: Context, p: OptionParser, opts: Any) -> None:
    """``TopicCommandOptions.checkArgs``."""
    if not ctx.argv:
        ctx.usage_exit(p, "Create, delete, describe, or change a topic.")
    ctx.maybe_help_or_version(p, opts, "This tool helps to create, delete, describe, or change a topic.")
    if sum(opts.has(a) for a in ACTIONS) != 1:
        ctx.usage_exit(p, "Command must include exactly one action: --list, --describe, --create, --alter or --delete")
    four = ctx.version == "4.0"
    if four and opts.has("delete-config"):
        ctx.err("delete-config option is no longer supported and deprecated since version 4.0. The config will be "
                "fully removed in future releases.")
    if ctx.version == "2.8":
        if opts.has("bootstrap-server") == opts.has("zookeeper"):
            _uncaught(ctx, "java.lang.IllegalArgumentException", "Only one of --bootstrap-server or --zookeeper must be "
                      "specified")
    elif not opts.has("bootstrap-server"):
        line = 980 if four else 978
        check = 973 if four else 971
        _uncaught(ctx, "java.lang.IllegalArgumentException", "--bootstrap-server must be specified", [
            f"org.apache.kafka.tools.TopicCommand$TopicCommandOptions.checkRequiredArgs(TopicCommand.java:{line})",
            f"org.apache.kafka.tools.TopicCommand$TopicCommandOptions.checkArgs(TopicCommand.java:{check})",
            f"org.apache.kafka.tools.TopicCommand$TopicCommandOptions.<init>(TopicCommand.java:{833 if four else 835})",
            "org.apache.kafka.tools.TopicCommand.execute(TopicCommand.java:100)", *_FRAMES["main"]])
    if opts.has("describe") and opts.has("if-exists") and not opts.has("topic") and not opts.has("topic-id"):
        ctx.usage_exit(p, "--topic or --topic-id is required to describe a topic")
    if not opts.has("list") and not opts.has("describe") and not opts.has("topic"):
        ctx.usage_exit(p, 'Missing required argument "[topic]"')
    if opts.has("alter"):
        if opts.has("bootstrap-server") and opts.has("config"):
            note = _ALTER_NOTE_4 if four else _ALTER_NOTE_3
            ctx.usage_exit(p, f'Option combination "[bootstrap-server, config]" can\'t be used with option "[alter]"{note}')
        if not opts.has("partitions"):
            ctx.usage_exit(p, 'Missing required argument "[partitions]"')

    def invalid(used: str, *others: str) -> None:
        if opts.has(used):
            for other in others:
                if opts.has(other):
                    ctx.usage_exit(p, f'Option "[{used}]" can\'t be used with option "[{other}]"')

    def all_but(*keep: str) -> list[str]:
        return [a for a in ("alter", "create", "describe", "list", "delete") if a not in keep]

    invalid("config", *all_but("alter", "create"))
    invalid("partitions", *all_but("alter", "create"))
    invalid("replication-factor", *all_but("create"))
    invalid("replica-assignment", *all_but("alter", "create"))
    if opts.has("create"):
        invalid("replica-assignment", "partitions", "replication-factor")
    for report in REPORTS:
        invalid(report, *all_but("describe"), "topics-with-overrides")
    invalid("topics-with-overrides", *all_but("describe"), *REPORTS)
    invalid("if-exists", *all_but("alter", "delete", "describe"))
    invalid("if-not-exists", *all_but("create"))
    invalid("exclude-internal", *all_but("list", "describe"))


def _uncaught(ctx: Context, java_class: str, message: str, frames: list[str] | None = None) -> None:
    """An exception out of the options' constructor: mainNoExit prints its message and stack trace on System.err."""
    ctx.err(message)
    ctx.err(stack_trace(java_class, message, frames or []), end="")
    raise ToolExit(1)


def _print_exception(ctx: Context, java_class: str, message: str, frames: list[str]) -> None:
    """``printException``: the message on System.out, the stack trace in the log at ERROR."""
    ctx.out(f"Error while executing topic command : {message}")
    trace = stack_trace(java_class, message, frames)
    ctx.log("ERROR", trace, LOGGER_28 if ctx.version == "2.8" else LOGGER)


# -- the actions ---------------------------------------------------------------------------------------
def _act(ctx: Context, opts: Any, action: str) -> None:
    admin = ctx.admin()
    try:
        {"create": _create, "list": _list, "alter": _alter, "describe": _describe, "delete": _delete}[action](
            ctx, admin, opts)
    except _Failed as exc:
        frames = exc.frames
        if frames:
            frames = frames + [f"org.apache.kafka.tools.TopicCommand.execute(TopicCommand.java:{_EXECUTE_LINE[action]})",
                               *_FRAMES["main"]]
        _print_exception(ctx, exc.java_class, exc.message, frames)
        raise ToolExit(1) from None
    except KafkaAdminError as exc:
        _print_exception(ctx, admin_class(exc), exc.message, [])
        raise ToolExit(1) from None
    except OptionException as exc:
        _print_exception(ctx, exc.java_class, exc.message, [])
        raise ToolExit(1) from None
    return None


def _topics(ctx: Context, admin: Any, opts: Any) -> list[str]:
    """``getTopics``: every topic (internal ones unless --exclude-internal), sorted, matched by --topic's regex."""
    exclude = opts.has("exclude-internal")
    names = sorted(admin.list_topics(list_internal=not exclude))
    if not opts.has("topic"):
        return [t for t in names if not (t in INTERNAL_TOPICS and exclude)]
    raw = opts.value_of("topic")
    regex = raw.strip().replace(",", "|").replace(" ", "").lstrip("\"'").rstrip("\"'")
    try:
        pattern = java_regex(regex)
    except Exception:  # re.error
        raise _Failed("java.lang.RuntimeException", f"{regex} is an invalid regex.") from None
    return [t for t in names if pattern.fullmatch(t) and not (t in INTERNAL_TOPICS and exclude)]


def _ensure_exists(ctx: Context, found: list[str], opts: Any, site: str) -> None:
    requested = opts.value_of("topic") if opts.has("topic") else None
    if requested and not opts.has("if-exists") and not found:
        shown = requested if ctx.version == "2.8" else optional(requested)
        frames = [] if ctx.version == "2.8" else ["org.apache.kafka.tools.TopicCommand.ensureTopicExists(TopicCommand.java:218)",
                                                  _FRAMES[site]]
        raise _Failed("java.lang.IllegalArgumentException", f"Topic '{shown}' does not exist as expected", frames)


def _create(ctx: Context, admin: Any, opts: Any) -> None:
    name = opts.value_of("topic")
    partitions = opts.value_of("partitions")
    rf = opts.value_of("replication-factor")
    assignment = _replica_assignment(opts)
    configs = _configs_to_add(ctx, opts)
    if "." in name or "_" in name:
        ctx.out("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could "
                "collide. To avoid issues it is best to use either, but not both.")
    if rf is not None and not 1 <= rf <= SHORT_MAX:
        raise _Failed("java.lang.IllegalArgumentException", f"The replication factor must be between 1 and {SHORT_MAX} "
                      "inclusive")
    if partitions is not None and partitions < 1:
        raise _Failed("java.lang.IllegalArgumentException", "The partitions must be greater than 0")
    new = NewTopic(name, replicas_assignments=assignment, configs=configs) if assignment else NewTopic(
        name, partitions if partitions is not None else -1, rf if rf is not None else -1, configs=configs)
    result = admin.create_topics([new]).values[name]
    if result.exception is not None:
        if result.exception.name == "TopicExistsException" and opts.has("if-not-exists"):
            return
        raise result.exception
    ctx.out(f"Created topic {name}.")


def _replica_assignment(opts: Any) -> dict[int, list[int]] | None:
    """``parseReplicaAssignment``: ``0:1,1:2`` -> {0: [0, 1], 1: [1, 2]}."""
    if not opts.has("replica-assignment") or not opts.value_of("replica-assignment"):
        return None
    out: dict[int, list[int]] = {}
    for i, part in enumerate(opts.value_of("replica-assignment").split(",")):
        try:
            brokers = [int(b.strip()) for b in part.split(":")]
        except ValueError:
            bad = next(b for b in part.split(":") if not b.strip().lstrip("-").isdigit())
            raise _Failed("java.lang.NumberFormatException", f'For input string: "{bad.strip()}"') from None
        dup = sorted({b for b in brokers if brokers.count(b) > 1})
        if dup:
            raise _Failed("org.apache.kafka.server.common.AdminCommandFailedException",
                          "Partition replica lists may not contain duplicate entries: " + ",".join(map(str, dup)))
        out[i] = brokers
        if len(brokers) != len(out[0]):
            raise _Failed("org.apache.kafka.server.common.AdminOperationException",
                          f"Partition {i} has different replication factor: [{', '.join(map(str, brokers))}]")
    return out


def _configs_to_add(ctx: Context, opts: Any) -> dict[str, str]:
    """``parseTopicConfigsToBeAdded`` with ``LogConfig.validate`` (names, then values), before any request."""
    import re

    pairs = [re.split(r"\s*=\s*", c) for c in (opts.values_of("config") if opts.has("config") else [])]
    if not all(len(p) == 2 for p in pairs):
        raise _Failed("java.lang.IllegalArgumentException", "requirement failed: Invalid topic config: all configs to be "
                      "added must be in the format \"key=val\".")
    props = {k.strip(): v.strip() for k, v in pairs}
    known = set(config_names(ctx.version))
    for k in props:
        if k not in known:
            raise InvalidConfigurationException(f"Unknown topic config name: {k}")
    from app.sim.admin.alter_configs import parse_topic_configs

    try:
        parse_topic_configs(ctx.cluster, props)
    except ConfigException as exc:
        raise _Failed("org.apache.kafka.common.config.ConfigException", kafka_message(exc)) from None
    if "message.format.version" in props:
        ctx.out("WARNING: The configuration ${TopicConfig.MESSAGE_FORMAT_VERSION_CONFIG}=${props.getProperty("
                "TopicConfig.MESSAGE_FORMAT_VERSION_CONFIG)} is specified. This configuration will be ignored if the "
                "version is newer than the inter.broker.protocol.version specified in the broker or if the "
                "inter.broker.protocol.version is 3.0 or newer. This configuration is deprecated and it will be removed "
                "in Apache Kafka 4.0.")
    return props


def _list(ctx: Context, admin: Any, opts: Any) -> None:
    ctx.out("\n".join(_topics(ctx, admin, opts)))


def _alter(ctx: Context, admin: Any, opts: Any) -> None:
    assignment = _replica_assignment(opts)
    _configs_to_add(ctx, opts)
    topics = _topics(ctx, admin, opts)
    _ensure_exists(ctx, topics, opts, "alter")
    if not topics:
        return
    total = opts.value_of("partitions")
    requests = {}
    for name in topics:
        if assignment:
            current = len(admin.describe_topics([name]).values[name].get().partitions)
            requests[name] = NewPartitions(total, [assignment[p] for p in sorted(assignment) if p >= current])
        else:
            requests[name] = NewPartitions(total)
    _all(admin.create_partitions(requests))


def _all(results: Results) -> None:
    """``all().get()``: the first item's error, in the order of the request's HashMap."""
    errors = results.errors()
    if errors:
        first = hashmap_order(list(errors), lambda k: java_string_hash(str(k)))[0]
        raise errors[first]


def _delete(ctx: Context, admin: Any, opts: Any) -> None:
    topics = _topics(ctx, admin, opts)
    _ensure_exists(ctx, topics, opts, "delete")
    kept = sorted(ctx.session.protected & set(topics))
    if kept:
        ctx.note(f"{', '.join(kept)}: this lab draws its picture from {'it' if len(kept) == 1 else 'them'}, so its "
                 "terminal keeps it (Kafka itself would delete it). Delete a topic you created.")
        raise ToolExit(1)
    _all(admin.delete_topics(topics))


def _describe(ctx: Context, admin: Any, opts: Any) -> None:
    topics = _topics(ctx, admin, opts)
    _ensure_exists(ctx, topics, opts, "describe")
    if not topics:
        return
    described = admin.describe_topics(topics)
    _all(described)
    order = hashmap_keys(topics, initial=len(topics))
    configs = {t: admin.describe_configs([ConfigResource.topic(t)]).values[ConfigResource.topic(t)].get() for t in order}
    live = {n.id for n in admin.describe_cluster().nodes}
    reassignments = admin.list_partition_reassignments()
    reports = [r for r in REPORTS if opts.has(r)]
    overridden = opts.has("topics-with-overrides")
    elr = ctx.version != "2.8"
    for name in order:
        td = described.values[name].get()
        config = configs[name]
        parts = sorted(td.partitions, key=lambda p: p.partition)
        non_default = [e for e in config.entries if not e.is_default]
        if not reports and (not overridden or non_default):
            first = parts[0]
            ra = reassignments.get((name, first.partition))
            line = f"Topic: {name}\tTopicId: {td.topic_id}\tPartitionCount: {len(parts)}\tReplicationFactor: " \
                   f"{_replication_factor(first, ra)}\tConfigs: {_configs_text(non_default)}"
            ctx.out(line)
        if overridden:
            continue
        min_isr = int(config.get("min.insync.replicas").value)  # type: ignore[union-attr]
        for info in parts:
            ra = reassignments.get((name, info.partition))
            if reports and not _report(reports, info, ra, min_isr, live):
                continue
            ctx.out(_partition_line(name, info, ra, elr))


def _configs_text(entries: list[Any]) -> str:
    by_name = {e.name: e for e in entries}
    return ",".join(f"{n}={'null' if by_name[n].value is None else by_name[n].value}"
                    for n in hashmap_order(sorted(by_name), java_string_hash, CONFIG_TABLE))


def _changing(info: Any, ra: Any) -> bool:
    """``isReassignmentInProgress``."""
    return ra is not None and bool(set(info.replicas) & (set(ra.adding_replicas) | set(ra.removing_replicas)))


def _replication_factor(info: Any, ra: Any) -> int:
    return len(ra.replicas) - len(ra.adding_replicas) if _changing(info, ra) else len(info.replicas)


def _report(reports: list[str], info: Any, ra: Any, min_isr: int, live: set[int]) -> bool:
    has_leader = info.leader is not None
    checks = {
        "under-replicated-partitions": _replication_factor(info, ra) - len(info.isr) > 0,
        "unavailable-partitions": not has_leader or info.leader not in live,
        "under-min-isr-partitions": not has_leader or len(info.isr) < min_isr,
        "at-min-isr-partitions": min_isr == len(info.isr),
    }
    return any(checks[r] for r in reports)


def _partition_line(name: str, info: Any, ra: Any, elr: bool) -> str:
    """``PartitionDescription.printDescription``."""
    ids = lambda xs: ",".join(map(str, xs))  # noqa: E731
    line = (f"\tTopic: {name}\tPartition: {info.partition}\tLeader: "
            f"{info.leader if info.leader is not None else 'none'}\tReplicas: {ids(info.replicas)}\tIsr: {ids(info.isr)}")
    if ra is not None:
        line += f"\tAdding Replicas: {ids(ra.adding_replicas)}\tRemoving Replicas: {ids(ra.removing_replicas)}"
    if elr:
        line += f"\tElr: {ids(info.elr)}\tLastKnownElr: {ids(info.last_known_elr)}"
    return line


__all__ = ["NAME", "parser", "run", "exception_line"]
