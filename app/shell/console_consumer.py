"""``kafka-console-consumer``: a KafkaConsumer printing each record it reads, until Ctrl-C.

Models ``org.apache.kafka.tools.consumer.ConsoleConsumer`` with ``ConsoleConsumerOptions``: its
checks and words, the consumer configs it builds (``auto.offset.reset`` earliest with
``--from-beginning``, else latest; ``client.id`` console-consumer; without ``--group`` a group
``console-consumer-<0..99999>`` with auto-commit off), ``--partition`` with ``--offset``
(``assign`` and a seek, no group), ``--max-messages``, ``--timeout-ms`` (the TimeoutException
ERROR line), the ``DefaultMessageFormatter`` properties, and what it prints when it stops:
``Processed a total of N messages``. On the way out it seeks each partition back to its first
record not printed and closes the consumer, which commits (with auto-commit) and leaves the group.
The group id it draws without ``--group`` comes from a generator of the terminal's own, so the
run stays the same run. Leaves out ``--formatter`` classes, deserializers and ``--include``
patterns that should pick up topics created later (the topics are matched once, at the start).
"""

from __future__ import annotations

import random
from typing import Any

from app.configs import ConfigException
from app.shell import bootstrap
from app.shell.java import stack_trace
from app.shell.message_format import DefaultMessageFormatter, key_value_args
from app.shell.parser import OptionException, OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.config import resolve_consumer
from app.sim.consumer.consumer import KafkaConsumer
from app.sim.consumer.group_ledger import GroupLedger
from app.sim.consumer.manual import SEEK_BEGINNING, SEEK_END
from app.sim.events import Timer
from app.sim.partition import TopicPartition

NAME = "kafka-console-consumer"
LOGGER = "org.apache.kafka.tools.consumer.ConsoleConsumer"
CLOSE_POLL_MS = 5.0


def parser(version: str) -> OptionParser:
    return OptionParser([
        required("topic", "The topic to consume on.", "topic"),
        required("include", "Regular expression specifying list of topics to include for consumption.",
                 "Java regex (String)"),
        required("partition", "The partition to consume from. Consumption starts from the end of the partition unless "
                 "'--offset' is specified.", "partition", "Integer"),
        required("offset", "The offset to consume from (a non-negative number), or 'earliest' which means from "
                 "beginning, or 'latest' which means from end", "consume offset", default="latest"),
        required("consumer-property", "A mechanism to pass user-defined properties in the form key=value to the "
                 "consumer.", "consumer_prop"),
        required("consumer.config", "Consumer config properties file. Note that [consumer-property] takes precedence "
                 "over this config.", "config file"),
        required("formatter", "The name of a class to use for formatting kafka messages for display.", "class",
                 default="org.apache.kafka.tools.consumer.DefaultMessageFormatter"),
        required("property", "The properties to initialize the message formatter. Default properties include: \n "
                 "print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.epoch=true|false\n "
                 "print.partition=true|false\n print.headers=true|false\n print.value=true|false\n "
                 "key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n "
                 "null.literal=<null.literal>\n key.deserializer=<key.deserializer>\n "
                 "value.deserializer=<value.deserializer>\n header.deserializer=<header.deserializer>\n\nUsers can also "
                 "pass in customized properties for their formatter; more specifically, users can pass in properties "
                 "keyed with 'key.deserializer.', 'value.deserializer.' and 'headers.deserializer.' prefixes to "
                 "configure their deserializers.", "prop"),
        required("formatter-config", "Config properties file to initialize the message formatter. Note that [property] "
                 "takes precedence over this config.", "config file"),
        flag("from-beginning", "If the consumer does not already have an established offset to consume from, start with "
             "the earliest message present in the log rather than the latest message."),
        required("max-messages", "The maximum number of messages to consume before exiting. If not set, consumption is "
                 "continual.", "num_messages", "Integer"),
        required("timeout-ms", "If specified, exit if no message is available for consumption for the specified "
                 "interval.", "timeout_ms", "Long"),
        flag("skip-message-on-error", "If there is an error when processing a message, skip it instead of halt."),
        required("bootstrap-server", "REQUIRED: The server(s) to connect to.", "server to connect to"),
        required("key-deserializer", "", "deserializer for key"),
        required("value-deserializer", "", "deserializer for values"),
        flag("enable-systest-events", "Log lifecycle events of the consumer in addition to logging consumed messages. "
             "(This is specific for system tests.)"),
        required("isolation-level", "Set to read_committed in order to filter out transactional messages which are not "
                 "committed. Set to read_uncommitted to read all messages.", default="read_uncommitted"),
        required("group", "The consumer group id of the consumer.", "consumer group id"),
    ])


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    opts = ctx.parse(p, "This tool helps to read data from Kafka topics and outputs it to standard "
                              "output.")
    if sum(opts.has(o) for o in ("topic", "include")) != 1:
        ctx.usage_exit(p, "Exactly one of --include/--topic is required. ")
    partition = opts.value_of("partition") if opts.has("partition") else None
    if partition is not None:
        if not opts.has("topic"):
            ctx.usage_exit(p, "The topic is required when partition is specified.")
        if opts.has("from-beginning") and opts.has("offset"):
            ctx.usage_exit(p, "Options from-beginning and offset cannot be specified together.")
    elif opts.has("offset"):
        ctx.usage_exit(p, "The partition is required when offset is specified.")
    if not opts.has("bootstrap-server"):
        ctx.usage_exit(p, 'Missing required argument "[bootstrap-server]"')
    extra = key_value_args(opts.values_of("consumer-property") if opts.has("consumer-property") else [])
    groups = list(dict.fromkeys(([opts.value_of("group")] if opts.has("group") else []) +
                                ([extra["group.id"]] if "group.id" in extra else [])))
    if len(groups) > 1:
        ctx.usage_exit(p, "The group ids provided in different places (directly using '--group', via "
                       "'--consumer-property', or via '--consumer.config') do not match. Detected group ids: " +
                       ", ".join(f"'{g}'" for g in groups))
    if groups and partition is not None:
        ctx.usage_exit(p, "Options group and partition cannot be specified together.")
    props = dict(extra)
    if "auto.offset.reset" in props:
        if opts.has("from-beginning") and props["auto.offset.reset"] != "earliest":
            ctx.err(f"Can't simultaneously specify --from-beginning and 'auto.offset.reset={props['auto.offset.reset']}', "
                    "please remove one option")
            raise ToolExit(1)
    else:
        props["auto.offset.reset"] = "earliest" if opts.has("from-beginning") else "latest"
    props.setdefault("client.id", "console-consumer")
    if opts.has("isolation-level") or "isolation.level" not in props:
        props["isolation.level"] = opts.value_of("isolation-level")
    if not groups:
        props["group.id"] = f"console-consumer-{_draw(ctx)}"
        props.setdefault("enable.auto.commit", "false")
    else:
        props["group.id"] = groups[0]
    offset = _offset(ctx, p, opts)
    formatter = DefaultMessageFormatter.configure(key_value_args(opts.values_of("property") if opts.has("property")
                                                                 else []))
    for unsupported in ("consumer.config", "formatter-config"):
        if opts.has(unsupported):
            ctx.note(f"--{unsupported} reads a file, and this terminal has none: give the settings with "
                     "--consumer-property or --property.")
            raise ToolExit(1)
    try:
        cfg = resolve_consumer(_modelled(props), ctx.version)
    except ConfigException as exc:
        ctx.log("ERROR", "Unknown error when running consumer: ", LOGGER)
        ctx.err(stack_trace("org.apache.kafka.common.config.ConfigException", str(exc)), end="")
        raise ToolExit(1) from None
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server"))
    if where.unresolvable:
        ctx.log("ERROR", "Unknown error when running consumer: ", LOGGER)
        ctx.err(stack_trace("org.apache.kafka.common.KafkaException", "Failed to construct kafka consumer"), end="")
        ctx.err(f"Caused by: org.apache.kafka.common.config.ConfigException: {where.unresolvable}")
        raise ToolExit(1)
    if opts.has("topic"):
        topics = [opts.value_of("topic")]
    else:
        import re

        pattern = re.compile(opts.value_of("include"))
        topics = [t for t in sorted(ctx.cluster.controller.topics) if pattern.fullmatch(t)]
    max_messages = opts.value_of("max-messages") if opts.has("max-messages") else -1
    timeout = opts.value_of("timeout-ms") if opts.has("timeout-ms") else -1
    return ConsoleConsumerJob(ctx, cfg, topics, partition, offset, formatter, max_messages,
                              timeout if timeout >= 0 else None, where)


def _draw(ctx: Context) -> int:
    """``RANDOM.nextInt(100000)`` from a generator of the terminal's own, seeded by the run's seed."""
    session = ctx.session
    session.group_draws += 1
    return random.Random(ctx.scenario.seed * 1_000_033 + 7 * session.group_draws).randrange(100000)


def _offset(ctx: Context, p: OptionParser, opts: Any) -> int:
    if opts.has("offset"):
        text = opts.value_of("offset")
        if text.lower() == "earliest":
            return SEEK_BEGINNING
        if text.lower() == "latest":
            return SEEK_END
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value < 0 or not text.lstrip("+-").isdigit():
            ctx.usage_exit(p, f"The provided offset value '{text}' is incorrect. Valid values are 'earliest', 'latest', "
                           "or a non-negative long.")
        return value
    return SEEK_BEGINNING if opts.has("from-beginning") else SEEK_END


def _modelled(props: dict[str, str]) -> dict[str, Any]:
    from app.sim.config import config_defs

    known = config_defs("consumer", "4.0")
    return {k: v for k, v in props.items() if k in known}


class _Printed(GroupLedger):
    """The records poll() hands the application, which here prints them."""

    def __init__(self, job: "ConsoleConsumerJob", group_id: str, topics: list[str]) -> None:
        super().__init__(group_id, topics, job.ctx.scenario.ledger)
        self.job = job

    def processed(self, consumer: KafkaConsumer, records: list[Any]) -> None:
        super().processed(consumer, records)
        self.job.print(records)


class ConsoleConsumerJob(Job):
    kind = "consumer"

    def __init__(self, ctx: Context, cfg: dict[str, Any], topics: list[str], partition: int | None, offset: int,
                 formatter: DefaultMessageFormatter, max_messages: int, timeout_ms: float | None,
                 where: bootstrap.Reach) -> None:
        self.ctx = ctx
        self.formatter = formatter
        self.max_messages = max_messages
        self.timeout_ms = timeout_ms
        self.ends_by_itself = max_messages != -1 or timeout_ms is not None
        self.count = 0
        self.noted_sizes = False
        self.consumer: KafkaConsumer | None = None
        self.poll: Timer | None = None
        self.timer: Timer | None = None
        #: tp -> the first offset polled but not printed (the consumer seeks back to it before it closes)
        self.unprinted: dict[TopicPartition, int] = {}
        if not where.ok:
            bootstrap.note_zookeeper_port(ctx, where)
            self._arm_timeout()
            return
        for topic in topics:
            _auto_create(ctx, topic, cfg)
        assign = ([TopicPartition(topics[0], partition)], offset) if partition is not None else None
        sc = ctx.scenario
        self.consumer = KafkaConsumer(sc.cluster, cfg, topics, "console-consumer", sc.trace,
                                      _Printed(self, cfg["group.id"], topics), 0.0, "auto", "terminal", assign=assign)
        self._arm_timeout()

    def _arm_timeout(self) -> None:
        """``ConsumerWrapper.receive``: no record for timeout_ms since it started waiting, and it throws."""
        if self.timer is not None:
            self.timer.cancel()
        if self.timeout_ms is not None:
            self.timer = Timer(self.ctx.scenario.sim, self.ctx.now + self.timeout_ms, self._timed_out)

    def _timed_out(self) -> None:
        if self.done:
            return
        self.ctx.log("ERROR", "Error processing message, terminating consumer process: ", LOGGER)
        self.ctx.err("org.apache.kafka.common.errors.TimeoutException")
        self._cleanup()

    def print(self, records: list[Any]) -> None:
        if self.done:
            return
        ctx = self.ctx
        for i, r in enumerate(records):
            if self.max_messages != -1 and self.count >= self.max_messages:
                tp = TopicPartition(r.topic, r.partition)
                self.unprinted.setdefault(tp, r.offset)
                continue
            self.count += 1
            if r._source.entry.data is None and not self.noted_sizes:
                self.noted_sizes = True
                ctx.note("This lab keeps the sizes of its own topics' batches, not their bytes (a long run would fill "
                         "the server's memory): their values print as <not kept>. Topics you create keep theirs.")
            epoch = r._source.entry.epoch
            text = self.formatter.write(r, "CreateTime", epoch)
            if r._source.entry.data is None and self.formatter.print_value:
                text = text.replace(self.formatter.null_literal + self.formatter.line_separator,
                                    "<not kept>" + self.formatter.line_separator)
            ctx.out(text, end="")
        self._arm_timeout()
        if self.max_messages != -1 and self.count >= self.max_messages:
            self._cleanup()

    def interrupt(self) -> None:
        """Ctrl-C: the shutdown hook wakes the consumer up; process() returns and the tool cleans up."""
        self._cleanup()

    def _cleanup(self) -> None:
        """``ConsumerWrapper.cleanup``: seek back to what was not printed, close (commit, leave), report the count."""
        if self.done:
            return
        if self.timer is not None:
            self.timer.cancel()
        c = self.consumer
        if c is not None:
            for tp, offset in self.unprinted.items():
                c.positions[tp] = offset
            c.close()
        self.ctx.err(f"Processed a total of {self.count} messages")
        self.finish()
        self.ctx.session.job_ended(self)


def _auto_create(ctx: Context, topic: str, cfg: dict[str, Any]) -> None:
    """A subscription to a topic that does not exist: the broker creates it (``allow.auto.create.topics`` and
    ``auto.create.topics.enable``, both true by default) and the first metadata answer says it has no leader yet."""
    c = ctx.cluster
    if topic in c.controller.topics or not c.broker_cfg.get("auto.create.topics.enable", True):
        return
    from app.sim.admin import NewTopic
    from app.sim.admin.topics import create_topics

    create_topics(c, [NewTopic(topic)])  # by the broker, for its metadata request: no admin client
    error = "LEADER_NOT_AVAILABLE" if not ctx.kraft else "UNKNOWN_TOPIC_OR_PARTITION"
    ctx.log("WARN", f"[Consumer clientId={cfg.get('client.id')}, groupId={cfg['group.id']}] "
            + ("Error while fetching metadata" if not ctx.kraft else
               "The metadata response from the cluster reported a recoverable issue") +
            f" with correlation id 2 : {{{topic}={error}}}", "org.apache.kafka.clients.NetworkClient")
