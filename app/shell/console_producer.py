"""``kafka-console-producer``: lines typed become records of a KafkaProducer, until Ctrl-D.

Models ``org.apache.kafka.tools.ConsoleProducer``: its options and their defaults as producer
configs (``acks`` -1, ``linger.ms`` 1000 from ``--timeout``, ``request.timeout.ms`` 1500,
``retries`` 3, ``batch.size`` 16384; ``compression.type`` none, or gzip for a bare
``--compression-codec``, set after ``--producer-property`` so it wins over one given there, as
in Kafka; ``client.id`` console-producer), ``LineMessageReader`` (``--property parse.key=true``,
``key.separator``), the ``>`` prompt of an interactive console, and ``ErrorLoggingCallback``'s
ERROR line for a record the brokers refuse. The producer is the simulator's KafkaProducer: its
records get record ids in the run's ledger like the workload's. Ctrl-D ends standard input and
Ctrl-C runs the shutdown hook; either way ``producer.close()`` sends what it holds and the tool
exits once every batch has its answer. A topic that does not exist is created by the broker when
``auto.create.topics.enable`` is true (the default), with ``num.partitions`` and
``default.replication.factor``, as the metadata request that asked for it makes it.
Leaves out ``--sync``, ``--line-reader``, ``--reader-config`` and ``--producer.config`` files,
and headers.
"""

from __future__ import annotations

from typing import Any

from app.configs import ConfigException
from app.shell import bootstrap
from app.shell.java import stack_trace
from app.shell.message_format import LineMessageReader, ReaderError, key_value_args
from app.shell.parser import OptionException, OptionParser, flag, optional, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.config import resolve_producer
from app.sim.events import Timer
from app.sim.producer.partitioner import NullKeyStrategy
from app.sim.producer.producer import KafkaProducer
from app.sim.records import estimate_size_upper_bound

NAME = "kafka-console-producer"
CALLBACK_LOGGER = "org.apache.kafka.clients.producer.internals.ErrorLoggingCallback"
#: How often a closing producer is looked at until its last batch is answered
CLOSE_POLL_MS = 5.0

#: A producer error -> the exception the callback is handed, with Kafka's message
EXCEPTIONS = {
    "MESSAGE_TOO_LARGE": ("RecordTooLargeException", "The request included a message larger than the max message size "
                          "the server will accept."),
    "NOT_ENOUGH_REPLICAS": ("NotEnoughReplicasException", "Messages are rejected since there are fewer in-sync replicas "
                            "than required."),
    "NOT_ENOUGH_REPLICAS_AFTER_APPEND": ("NotEnoughReplicasAfterAppendException", "Messages are written to the log, but "
                                         "to fewer in-sync replicas than required."),
    "NOT_LEADER_OR_FOLLOWER": ("NotLeaderOrFollowerException", "For requests intended only for the leader, this error "
                               "indicates that the broker is not the current leader. For requests intended for any "
                               "replica, this error indicates that the broker is not a replica of the topic partition."),
    "UNKNOWN_TOPIC_OR_PARTITION": ("UnknownTopicOrPartitionException", "This server does not host this topic-partition."),
    "CORRUPT_MESSAGE": ("CorruptRecordException", "This message has failed its CRC checksum, exceeds the valid size, has "
                        "a null key for a compacted topic, or is otherwise corrupt."),
    "OUT_OF_ORDER_SEQUENCE_NUMBER": ("OutOfOrderSequenceException", "The broker received an out of order sequence "
                                     "number."),
    "REQUEST_TIMED_OUT": ("TimeoutException", "The request timed out."),
    "NETWORK_EXCEPTION": ("NetworkException", "The server disconnected before a response was received."),
}


def parser(version: str) -> OptionParser:
    return OptionParser([
        required("topic", "REQUIRED: The topic name to produce messages to.", "topic"),
        required("bootstrap-server", "REQUIRED: The server(s) to connect to. The broker list string in the form "
                 "HOST1:PORT1,HOST2:PORT2.", "server to connect to"),
        flag("sync", "If set message send requests to the brokers are synchronously, one at a time as they arrive."),
        optional("compression-codec", "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If "
                 "specified without value, then it defaults to 'gzip'", "compression-codec"),
        required("batch-size", "Number of messages to send in a single batch if they are not being sent synchronously. "
                 "please note that this option will be replaced if max-partition-memory-bytes is also set", "size",
                 "Integer", 16384),
        required("message-send-max-retries", "Brokers can fail receiving the message for multiple reasons, and being "
                 "unavailable transiently is just one of them. This property specifies the number of retries before the "
                 "producer give up and drop this message. This is the option to control `retries` in producer configs.",
                 None, "Integer", 3),
        required("retry-backoff-ms", "Before each retry, the producer refreshes the metadata of relevant topics. Since "
                 "leader election takes a bit of time, this property specifies the amount of time that the producer "
                 "waits before refreshing the metadata. This is the option to control `retry.backoff.ms` in producer "
                 "configs.", None, "Long", 100),
        required("timeout", "If set and the producer is running in asynchronous mode, this gives the maximum amount of "
                 "time a message will queue awaiting sufficient batch size. The value is given in ms. This is the option "
                 "to control `linger.ms` in producer configs.", "timeout_ms", "Long", 1000),
        required("request-required-acks", "The required `acks` of the producer requests", "request required acks",
                 default="-1"),
        required("request-timeout-ms", "The ack timeout of the producer requests. Value must be non-negative and "
                 "non-zero.", "request timeout ms", "Integer", 1500),
        required("metadata-expiry-ms", "The period of time in milliseconds after which we force a refresh of metadata "
                 "even if we haven't seen any leadership changes. This is the option to control `metadata.max.age.ms` "
                 "in producer configs.", "metadata expiration interval", "Long", 300000),
        required("max-block-ms", "The max time that the producer will block for during a send request.",
                 "max block on send", "Long", 60000),
        required("max-memory-bytes", "The total memory used by the producer to buffer records waiting to be sent to the "
                 "server. This is the option to control `buffer.memory` in producer configs.", "total memory in bytes",
                 "Long", 33554432),
        required("max-partition-memory-bytes", "The buffer size allocated for a partition. When records are received "
                 "which are smaller than this size the producer will attempt to optimistically group them together "
                 "until this size is reached. This is the option to control `batch.size` in producer configs.",
                 "memory in bytes per partition", "Integer", 16384),
        required("line-reader", "The class name of the class to use for reading lines from standard in. By default each "
                 "line is read as a separate message.", "reader_class", default="org.apache.kafka.tools.LineMessageReader"),
        required("socket-buffer-size", "The size of the tcp RECV size. This is the option to control `send.buffer.bytes` "
                 "in producer configs.", "size", "Integer", 102400),
        required("property", "A mechanism to pass user-defined properties in the form key=value to the message reader. "
                 "This allows custom configuration for a user-defined message reader.\nDefault properties include:\n "
                 "parse.key=false\n parse.headers=false\n ignore.error=false\n key.separator=\\t\n "
                 "headers.delimiter=\\t\n headers.separator=,\n headers.key.separator=:\n null.marker=   When set, any "
                 "fields (key, value and headers) equal to this will be replaced by null\nDefault parsing pattern when:\n "
                 "parse.headers=true and parse.key=true:\n  \"h1:v1,h2:v2...\\tkey\\tvalue\"\n parse.key=true:\n  "
                 "\"key\\tvalue\"\n parse.headers=true:\n  \"h1:v1,h2:v2...\\tvalue\"", "prop"),
        required("reader-config", "Config properties file for the message reader. Note that [property] takes precedence "
                 "over this config.", "config file"),
        required("producer-property", "A mechanism to pass user-defined properties in the form key=value to the "
                 "producer. ", "producer_prop"),
        required("producer.config", "Producer config properties file. Note that [producer-property] takes precedence "
                 "over this config.", "config file"),
    ])


#: option -> producer config it sets (``maybeMergeOptions``), in ConsoleProducer's order
_MERGED = (("linger.ms", "timeout"), ("acks", "request-required-acks"), ("request.timeout.ms", "request-timeout-ms"),
           ("retries", "message-send-max-retries"), ("retry.backoff.ms", "retry-backoff-ms"),
           ("send.buffer.bytes", "socket-buffer-size"), ("buffer.memory", "max-memory-bytes"),
           ("batch.size", "batch-size"), ("batch.size", "max-partition-memory-bytes"),
           ("metadata.max.age.ms", "metadata-expiry-ms"), ("max.block.ms", "max-block-ms"))


def producer_props(opts: Any) -> dict[str, str]:
    """``ConsoleProducerOptions.producerProps``: --producer-property, then the tool's own settings."""
    props = key_value_args(opts.values_of("producer-property") if opts.has("producer-property") else [])
    props["bootstrap.servers"] = opts.value_of("bootstrap-server")
    if opts.has("compression-codec"):
        codec = opts.value_of("compression-codec")
        props["compression.type"] = codec if codec else "gzip"
    else:
        props["compression.type"] = "none"
    props.setdefault("client.id", "console-producer")
    for config, option in _MERGED:
        if opts.has(option) or config not in props:
            props[config] = str(opts.value_of(option))
    return props


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    opts = ctx.parse(p, "This tool helps to read data from standard input and publish it to Kafka.")
    if not opts.has("topic"):
        ctx.usage_exit(p, 'Missing required argument "[topic]"')
    servers = opts.value_of("bootstrap-server")
    if not servers or not servers.strip():
        ctx.usage_exit(p, "Error while validating the bootstrap address\n")
    if bootstrap.parse_servers(servers) is None:
        ctx.usage_exit(p, "Please provide valid host:port like host1:9091,host2:9092\n")
    try:
        reader = LineMessageReader.configure(key_value_args(opts.values_of("property") if opts.has("property") else []))
    except ReaderError as exc:
        ctx.err(stack_trace("org.apache.kafka.common.KafkaException", str(exc)), end="")
        raise ToolExit(1) from None
    for unsupported in ("sync", "reader-config", "producer.config"):
        if opts.has(unsupported):
            ctx.note(f"--{unsupported} is not part of this terminal: lines are sent asynchronously, as without --sync, "
                     "and there are no files to read.")
            raise ToolExit(1)
    props = producer_props(opts)
    try:
        cfg = resolve_producer(_modelled(props), ctx.version)
    except ConfigException as exc:
        ctx.err(stack_trace("org.apache.kafka.common.config.ConfigException", str(exc)), end="")
        raise ToolExit(1) from None
    where = bootstrap.reach(ctx, servers)
    if where.unresolvable:
        ctx.err(stack_trace("org.apache.kafka.common.KafkaException", "Failed to construct kafka producer"), end="")
        ctx.err(f"Caused by: org.apache.kafka.common.config.ConfigException: {where.unresolvable}")
        raise ToolExit(1)
    return ConsoleProducerJob(ctx, opts.value_of("topic"), cfg, reader, where)


def _modelled(props: dict[str, str]) -> dict[str, Any]:
    """The producer configs the simulator knows (socket buffers and serializers change nothing here)."""
    from app.sim.config import config_defs

    known = config_defs("producer", "4.0")
    skip = {"bootstrap.servers", "key.serializer", "value.serializer"}
    return {k: v for k, v in props.items() if (k in known or k in ("acks",)) and k not in skip}


class ConsoleProducerJob(Job):
    """The running tool: standard input read line by line, each line a send()."""

    kind = "producer"
    reads_input = True

    @property
    def ends_by_itself(self) -> bool:  # type: ignore[override]
        return self.closing

    def __init__(self, ctx: Context, topic: str, cfg: dict[str, Any], reader: LineMessageReader,
                 where: bootstrap.Reach) -> None:
        self.ctx = ctx
        self.topic = topic
        self.cfg = cfg
        self.reader = reader
        self.where = where
        self.producer: KafkaProducer | None = None
        self.closing = False
        self.rids: set[int] = set()
        #: record id -> its serialized size, for a record too large to send; its value's size, for the callback
        self.sizes: dict[int, int] = {}
        self.value_sizes: dict[int, str] = {}
        self.last_expiry: str | None = None
        self.poll: Timer | None = None
        self.waiting: Timer | None = None
        sc = ctx.scenario
        sc.trace.subscribe(("records.failed", "batch.expired"), self.on_event)
        if not where.ok:
            bootstrap.note_zookeeper_port(ctx, where)
            self.waiting = None  # the first send() waits for metadata that never comes
        elif not self._ensure_topic():
            return
        else:
            self._start()

    @property
    def prompt(self) -> str:  # type: ignore[override]
        return "" if self.closing else ">"

    # -- the producer --------------------------------------------------------------------------------
    def _ensure_topic(self) -> bool:
        """The first metadata request: a missing topic is created by the broker when auto-creation is on."""
        ctx = self.ctx
        c = ctx.cluster
        if self.topic in c.controller.topics:
            return True
        if not c.broker_cfg.get("auto.create.topics.enable", True):
            return True  # send() will wait for it (max.block.ms)
        from app.sim.admin import NewTopic
        from app.sim.admin.topics import create_topics

        created = create_topics(c, [NewTopic(self.topic)]).values[self.topic]  # by the broker, not an admin client
        error = "LEADER_NOT_AVAILABLE" if not ctx.kraft else "UNKNOWN_TOPIC_OR_PARTITION"
        ctx.log("WARN", f"[Producer clientId={self.cfg.get('client.id')}] "
                + ("Error while fetching metadata" if not ctx.kraft else
                   "The metadata response from the cluster reported a recoverable issue") +
                f" with correlation id 1 : {{{self.topic}={error}}}", "org.apache.kafka.clients.NetworkClient")
        if created.exception is not None:
            ctx.note(f"The broker could not create {self.topic}: {created.exception.message}")
        return True

    def _start(self) -> None:
        sc = self.ctx.scenario
        if self.topic not in sc.cluster.controller.topics:
            return
        strategy = NullKeyStrategy.for_version(self.ctx.version)
        self.producer = KafkaProducer(sc.sim, sc.cluster, sc.network, self.cfg, self.topic, sc.trace,
                                      sc.producer_metrics, sc.ledger, strategy, host="terminal")

    # -- standard input ---------------------------------------------------------------------------------
    def input(self, line: str) -> None:
        if self.closing or self.done:
            return
        try:
            key, value = self.reader.read(line)
        except ReaderError as exc:
            self.ctx.err(stack_trace("org.apache.kafka.common.KafkaException", str(exc)), end="")
            self._close()
            return
        if self.producer is None and self.where.ok:
            self._start()
        if self.producer is None:
            if self.waiting is None:  # KafkaProducer.waitOnMetadata: send() blocks for max.block.ms
                self.waiting = Timer(self.ctx.scenario.sim, self.ctx.now + self.cfg["max.block.ms"], self._no_metadata)
            return
        ledger = self.ctx.scenario.ledger
        rid = len(ledger.state)
        ledger.reserve(1, [key])
        self.rids.add(rid)
        size = estimate_size_upper_bound(key, value, ())
        limit = min(self.producer.max_request_size, self.producer.pool.total_memory)
        if size > limit:
            self.sizes[rid] = size
        self.value_sizes[rid] = "null" if value is None else f"{len(value)} bytes"
        self.producer.send_run(rid, [key], [value])

    def _no_metadata(self) -> None:
        if self.done:
            return
        self.ctx.err(stack_trace("org.apache.kafka.common.errors.TimeoutException",
                                 f"Topic {self.topic} not present in metadata after {int(self.cfg['max.block.ms'])} ms."),
                     end="")
        self._finished()

    def eof(self) -> None:
        self._close()

    def interrupt(self) -> None:
        """Ctrl-C: the shutdown hook closes the producer, which sends what it holds first."""
        self._close()

    def _close(self) -> None:
        if self.closing:
            return
        self.closing = True
        if self.waiting is not None:
            self.waiting.cancel()
        if self.producer is None:
            self._finished()
            return
        self.producer.close()
        self._check_closed()

    def _check_closed(self) -> None:
        p = self.producer
        if p is not None and (p.accumulator.incomplete or p.node in self.ctx.cluster.clients):
            self.poll = Timer(self.ctx.scenario.sim, self.ctx.now + CLOSE_POLL_MS, self._check_closed)
            return
        self._finished()

    def _finished(self) -> None:
        self.done = True
        self.closing = True
        self.ctx.session.job_ended(self)

    # -- ErrorLoggingCallback ----------------------------------------------------------------------------
    def on_event(self, event: dict[str, Any]) -> None:
        if event["kind"] == "batch.expired":
            if self.producer is not None and event.get("message"):
                self.last_expiry = event["message"]
            return
        mine = [r for r in event["records"] if r in self.rids]
        for rid in mine:
            self.rids.discard(rid)
            self._log_error(rid, event["error"])

    def _log_error(self, rid: int, error: str) -> None:
        ctx = self.ctx
        key = ctx.scenario.ledger.keys[rid]
        value_size = self._value_size(rid)
        if error == "RecordTooLargeException":
            size = self.sizes.get(rid, 0)
            p = self.producer
            if p is not None and size > p.max_request_size:
                text = (f"The message is {size} bytes when serialized which is larger than {p.max_request_size}, which "
                        "is the value of the max.request.size configuration.")
            else:
                text = (f"The message is {size} bytes when serialized which is larger than the total memory buffer you "
                        "have configured with the buffer.memory configuration.")
            java = "RecordTooLargeException"
        elif error == "TimeoutException":
            java, text = "TimeoutException", self.last_expiry or "Expiring 1 record(s)"
        elif error == "BufferExhaustedException":
            java, text = "BufferExhaustedException", "Failed to allocate memory within the configured max blocking time"
        else:
            java, text = EXCEPTIONS.get(error, (_camel(error) + "Exception", error))
        ctx.log("ERROR", f"Error when sending message to topic {self.topic} with key: "
                f"{'null' if key is None else f'{len(key)} bytes'}, value: {value_size} with error:", CALLBACK_LOGGER)
        ctx.err(f"org.apache.kafka.common.errors.{java}: {text}")

    def _value_size(self, rid: int) -> str:
        return self.value_sizes.pop(rid, "null")


def _camel(name: str) -> str:
    return "".join(w.capitalize() for w in name.lower().split("_"))
