"""``kafka-configs``: describe and alter topic configs and dynamic broker configs, with where each value comes from.

Models ``kafka.admin.ConfigCommand`` (3.9 and 4.0; 2.8's prints the same lines): its checks
(``checkArgs``), ``--add-config`` parsing (commas inside ``[...]`` kept), the describe lines
(``Dynamic configs for topic t are:``, ``All configs for ...`` with ``--all``, each entry with
``sensitive=`` and ``synonyms={SOURCE:name=value, ...}``), ``Completed updating config for topic
t.`` and the broker default's ``Completed updating default config for brokers in the cluster.``
Errors: IllegalArgumentException, InvalidConfigurationException and OptionException print their
message alone; anything else prints ``Error while executing config command with args '...'``
and the exception (its Java frames left out). Leaves out users, clients, ips, client-metrics,
groups and broker-loggers (the simulator keeps no quotas, SCRAM users or loggers: said so) and
``--add-config-file``. ``--zookeeper``: 4.0 does not know it; 3.x warns and then waits for a
ZooKeeper a KRaft cluster does not have; 2.8 reads and writes through ZooKeeper.
"""

from __future__ import annotations

import re
from typing import Any

from app.shell import bootstrap
from app.shell.java import admin_class, hashmap_keys
from app.shell.parser import Option, OptionException, OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit
from app.shell.topics import config_names
from app.sim.admin import errors as admin_errors
from app.sim.admin import AlterConfigOp, ConfigResource, ConfigSource, KafkaAdminError, OpType
from app.sim.topic import topic_name_problem

NAME = "kafka-configs"
BROKER_TYPES = ("topics", "clients", "users", "brokers", "ips", "broker-loggers", "client-metrics", "groups")
ZK_TYPES = ("users", "brokers")
MODELLED = ("topics", "brokers")
_ENTITY_FLAGS = (("topic", "topics"), ("client", "clients"), ("user", "users"), ("broker", "brokers"),
                 ("broker-logger", "broker-loggers"), ("ip", "ips"), ("client-metrics", "client-metrics"),
                 ("group", "groups"))
_DEFAULT_FLAGS = (("client-defaults", "clients"), ("user-defaults", "users"), ("broker-defaults", "brokers"),
                  ("ip-defaults", "ips"))
#: The ZooKeeper client's connection timeout in ConfigCommand's processCommandWithZk
ZK_CONNECTION_TIMEOUT_MS = 30_000.0


def parser(version: str) -> OptionParser:
    from app.sim.admin.dynamic_broker import DYNAMIC_CONFIGS

    nl = "\n"
    topic_names = nl.join("\t" + n for n in config_names(version))
    broker_names = nl.join("\t" + n for n in sorted(DYNAMIC_CONFIGS))
    opts: list[Option] = [
        required("bootstrap-server", "The Kafka servers to connect to.", "server to connect to"),
        required("bootstrap-controller", "The Kafka controllers to connect to.", "controller to connect to"),
        required("command-config", "Property file containing configs to be passed to Admin Client. This is used only "
                 "with --bootstrap-server option for describing and altering broker configs.",
                 "command config property file"),
        flag("alter", "Alter the configuration for the entity."),
        flag("describe", "List configs for the given entity."),
        flag("all", "List all configs for the given entity, including static configs if available."),
        required("entity-type", "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)"),
        required("entity-name", "Name of entity (topic name/client id/user principal name/broker id/ip/client "
                 "metrics/group id)"),
        flag("entity-default", "Default entity name for clients/users/brokers/ips (applies to corresponding entity type)"),
        required("add-config", "Key Value pairs of configs to add. Square brackets can be used to group values which "
                 "contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'. The following is a list of valid configurations: "
                 f"For entity-type 'topics': {nl}{topic_names}{nl}For entity-type 'brokers': {nl}{broker_names}{nl}"
                 "Entity types 'users' and 'clients' may be specified together to update config for clients of a "
                 "specific user."),
        required("add-config-file", "Path to a properties file with configs to add. See add-config for a list of valid "
                 "configurations."),
        required("delete-config", "config keys to remove 'k1,k2'", separator=","),
        flag("force", "Suppress console prompts"),
        required("topic", "The topic's name."),
        required("client", "The client's ID."),
        flag("client-defaults", "The config defaults for all clients."),
        required("user", "The user's principal name."),
        flag("user-defaults", "The config defaults for all users."),
        required("broker", "The broker's ID."),
        flag("broker-defaults", "The config defaults for all brokers."),
        required("broker-logger", "The broker's ID for its logger config."),
        flag("ip-defaults", "The config defaults for all IPs."),
        required("ip", "The IP address."),
        required("group", "The group's ID."),
        required("client-metrics", "The client metrics config resource name."),
    ]
    if version != "4.0":
        opts.append(required("zookeeper", "DEPRECATED. The connection string for the zookeeper connection in the form "
                             "host:port. Multiple URLS can be given to allow fail-over. Required when configuring SCRAM "
                             "credentials for users or dynamic broker configs when the relevant broker(s) are down. Not "
                             "allowed otherwise.", "urls"))
    return OptionParser(opts)


class _Fail(Exception):
    """IllegalArgumentException or InvalidConfigurationException: main prints the message alone."""


def _types(opts: Any) -> list[str]:
    out = list(opts.values_of("entity-type")) if opts.has("entity-type") else []
    out += [t for f, t in _ENTITY_FLAGS + _DEFAULT_FLAGS if opts.has(f)]
    return out


def _names(opts: Any) -> list[str]:
    given = iter(opts.values_of("entity-name") if opts.has("entity-name") else [])
    out = [next(given) if s == "entity-name" else "" for s in opts.specs() if s in ("entity-name", "entity-default")]
    out += [opts.value_of(f) for f, _ in _ENTITY_FLAGS if opts.has(f)]
    out += ["" for f, _ in _DEFAULT_FLAGS if opts.has(f)]
    return out


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    try:
        opts = p.parse(ctx.argv)
        ctx.maybe_help_or_version(p, opts, "This tool helps to manipulate and describe entity config for a topic, "
                                  "client, user, broker, ip, client-metrics or group")
        _check_args(ctx, p, opts)
        if opts.has("zookeeper"):
            return _zookeeper(ctx, opts)
        return _process(ctx, opts)
    except (_Fail, OptionException) as exc:
        ctx.err(str(exc))
        if getattr(exc, "option", None) == "zookeeper":
            ctx.note(bootstrap.zookeeper_flag_note(ctx))
        raise ToolExit(1) from None
    except KafkaAdminError as exc:
        if exc.name == "InvalidConfigurationException" and getattr(exc, "from_tool", False):
            ctx.err(exc.message)
            raise ToolExit(1) from None
        ctx.err(f"Error while executing config command with args '{' '.join(ctx.argv)}'")
        if getattr(exc, "unwrapped", False):
            ctx.err(f"{admin_class(exc)}: {exc.message}")
        else:
            ctx.err(f"java.util.concurrent.ExecutionException: {admin_class(exc)}: {exc.message}")
            ctx.err(f"Caused by: {admin_class(exc)}: {exc.message}")
        raise ToolExit(1) from None


def _check_args(ctx: Context, p: OptionParser, opts: Any) -> None:
    """``ConfigCommandOptions.checkArgs``."""
    if sum(opts.has(a) for a in ("alter", "describe")) != 1:
        ctx.usage_exit(p, "Command must include exactly one action: --describe, --alter")
    for used, bad in (("alter", ("describe",)), ("describe", ("alter", "add-config", "delete-config"))):
        if opts.has(used):
            for b in bad:
                if opts.has(b):
                    ctx.usage_exit(p, f'Option "[{used}]" can\'t be used with option "[{b}]"')
    types = _types(opts)
    dup = [t for i, t in enumerate(types) if t in types[:i]]
    if dup:
        raise _Fail(f"Duplicate entity type(s) specified: {','.join(dup)}")
    server = opts.has("bootstrap-server") or opts.has("bootstrap-controller")
    allowed, connect = (BROKER_TYPES, "--bootstrap-server or --bootstrap-controller") if server else (ZK_TYPES, "--zookeeper")
    for t in types:
        if t not in allowed:
            raise _Fail(f"Invalid entity type {t}, the entity type must be one of {', '.join(allowed)} with a {connect} "
                        "argument")
    if not types:
        raise _Fail("At least one entity type must be specified")
    if len(types) > 1 and set(types) != {"users", "clients"}:
        raise _Fail("Only 'users' and 'clients' entity types may be specified together")
    flags = [f for f, _ in _ENTITY_FLAGS + _DEFAULT_FLAGS]
    if any(opts.has(o) for o in ("entity-name", "entity-type", "entity-default")) and any(opts.has(f) for f in flags):
        raise _Fail("--entity-{type,name,default} should not be used in conjunction with specific entity flags")
    names = _names(opts)
    has_name = any(names)
    has_default = "" in names
    connects = sum(opts.has(o) for o in ("bootstrap-server", "bootstrap-controller", "zookeeper"))
    if connects == 0:
        raise _Fail("One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be "
                    "specified")
    if connects > 1:
        raise _Fail("Only one of --bootstrap-server, --boostrap-controller, and --zookeeper can be specified")
    if opts.has("all") and opts.has("zookeeper"):
        raise _Fail("--bootstrap-server must be specified for --all")
    if has_name and ("brokers" in types or "broker-loggers" in types):
        for o in ("entity-name", "broker", "broker-logger"):
            if opts.has(o) and not re.fullmatch(r"[+-]?\d+", opts.value_of(o)):
                raise _Fail(f"The entity name for {types[0]} must be a valid integer broker id, but it is: "
                            f"{opts.value_of(o)}")
    if opts.has("describe"):
        if not set(types) & {"users", "clients", "brokers", "ips"} and opts.has("entity-default"):
            raise _Fail(f"--entity-default must not be specified with --describe of {','.join(types)}")
        if "broker-loggers" in types and not has_name:
            raise _Fail(f"An entity name must be specified with --describe of {','.join(types)}")
    if opts.has("alter"):
        if set(types) & {"users", "clients", "brokers", "ips"}:
            if not has_name and not has_default:
                raise _Fail("An entity-name or default entity must be specified with --alter of users, clients, brokers "
                            "or ips")
        elif not has_name:
            raise _Fail(f"An entity name must be specified with --alter of {','.join(types)}")
        if opts.has("add-config") and opts.has("add-config-file"):
            raise _Fail("Only one of --add-config or --add-config-file must be specified")
        if not any(opts.has(o) for o in ("add-config", "add-config-file", "delete-config")):
            raise _Fail("At least one of --add-config, --add-config-file, or --delete-config must be specified with "
                        "--alter")


def _process(ctx: Context, opts: Any) -> Job | None:
    types, names = _types(opts), _names(opts)
    if opts.has("bootstrap-controller"):
        ctx.note("The simulated KRaft controller takes no client connections here: use --bootstrap-server.")
        raise ToolExit(1)
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server"))
    if where.unresolvable:
        ctx.err(f"Error while executing config command with args '{' '.join(ctx.argv)}'")
        ctx.err("org.apache.kafka.common.KafkaException: Failed to create new KafkaAdminClient")
        ctx.err(f"Caused by: org.apache.kafka.common.config.ConfigException: {where.unresolvable}")
        raise ToolExit(1)
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        return bootstrap.WaitForNode(ctx, where.endpoints, "AdminClient clientId=adminclient-"
                                     f"{ctx.cluster._client_seq.get('adminclient', 0) + 1}",
                                     bootstrap.DEFAULT_API_TIMEOUT_MS, _TimedOut(ctx))
    if opts.has("alter") and len(types) != len(names):
        raise _Fail("An entity name must be specified for every entity type")
    if types[0] not in MODELLED:
        ctx.note(f"The simulator keeps topic and broker configs only: {types[0]} (quotas, SCRAM users, loggers, "
                 "client metrics, group configs) are left out.")
        raise ToolExit(1)
    admin = ctx.admin()
    if opts.has("alter"):
        _alter(ctx, admin, opts, types[0], names[0])
    else:
        _describe(ctx, admin, types[0], names[0] if names else None, opts.has("all"))
    return None


class _TimedOut:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def __call__(self) -> None:
        ctx = self.ctx
        ctx.err(f"Error while executing config command with args '{' '.join(ctx.argv)}'")
        ctx.err("java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out "
                "waiting for a node assignment. Call: describeConfigs")
        ctx.err("Caused by: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. "
                "Call: describeConfigs")


def parse_configs_to_add(text: str) -> dict[str, str]:
    """``parseConfigsToBeAdded``: split at commas outside ``[...]``, then at ``=``; brackets removed from values."""
    lookahead = r"(?=[^\]]*(?:\[|$))"
    pairs = [re.split(r"\s*=\s*" + lookahead, item) for item in re.split("," + lookahead, text)]
    if not all(len(p) == 2 for p in pairs):
        raise _Fail("requirement failed: Invalid entity config: all configs to be added must be in the format "
                    "\"key=val\".")
    props = {k.strip(): re.sub(r"\[?\]?", "", v).strip() for k, v in pairs}
    for k in props:
        if not re.fullmatch(r"[a-zA-Z0-9._-]*", k):
            raise _Fail(f"Invalid character found for config key: {k}")
    return props


def _resource(entity_type: str, name: str) -> ConfigResource:
    return ConfigResource.topic(name) if entity_type == "topics" else ConfigResource.broker(name)


def _entries(ctx: Context, admin: Any, entity_type: str, name: str, describe_all: bool) -> list[Any]:
    """``getResourceConfig``: the resource's entries, only those of its dynamic source unless --all, by name."""
    if entity_type == "topics" and name:
        problem = topic_name_problem(name)
        if problem:  # Topic.validate, in the tool: thrown as it is, not wrapped in an ExecutionException
            exc = _tool_error("InvalidTopicException", problem)
            exc.unwrapped = True  # type: ignore[attr-defined]
            raise exc
        source = ConfigSource.DYNAMIC_TOPIC_CONFIG
    elif name == "":
        source = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
    else:
        source = ConfigSource.DYNAMIC_BROKER_CONFIG
    resource = _resource(entity_type, name)
    config = admin.describe_configs([resource], include_synonyms=True).values[resource].get()
    return sorted((e for e in config.entries if describe_all or e.source is source), key=lambda e: e.name)


def _tool_error(kind: str, message: str) -> KafkaAdminError:
    return getattr(admin_errors, kind)(message)


def _describe(ctx: Context, admin: Any, entity_type: str, name: str | None, describe_all: bool) -> None:
    if name is not None:
        entities = [name]
    elif entity_type == "topics":
        entities = hashmap_keys(admin.list_topics(list_internal=True))
    else:
        entities = [str(n.id) for n in admin.describe_cluster().nodes] + [""]
    for entity in entities:
        if entity == "":
            ctx.out(f"Default configs for {entity_type} in the cluster are:")
        else:
            ctx.out(f"{'All' if describe_all else 'Dynamic'} configs for {entity_type[:-1]} {entity} are:")
        for e in _entries(ctx, admin, entity_type, entity, describe_all):
            synonyms = ", ".join(f"{s.source.value}:{s.name}={_v(s.value)}" for s in e.synonyms)
            ctx.out(f"  {e.name}={_v(e.value)} sensitive={'true' if e.is_sensitive else 'false'} synonyms={{{synonyms}}}")


def _v(value: str | None) -> str:
    return "null" if value is None else value


def _alter(ctx: Context, admin: Any, opts: Any, entity_type: str, name: str) -> None:
    added = parse_configs_to_add(opts.value_of("add-config")) if opts.has("add-config") else {}
    deleted = [d.strip() for d in opts.values_of("delete-config")] if opts.has("delete-config") else []
    if "message.format.version" in added:
        ctx.out("WARNING: The configuration message.format.version=" + added["message.format.version"] + " is "
                "specified. This configuration will be ignored if the version is newer than the "
                "inter.broker.protocol.version specified in the broker or if the inter.broker.protocol.version is 3.0 "
                "or newer. This configuration is deprecated and it will be removed in Apache Kafka 4.0.")
    old = {e.name: e for e in _entries(ctx, admin, entity_type, name, False)}
    invalid = [d for d in deleted if d not in old]
    if invalid:
        exc = _tool_error("InvalidConfigurationException", f"Invalid config(s): {','.join(invalid)}")
        exc.from_tool = True  # type: ignore[attr-defined]
        raise exc
    if entity_type == "brokers":
        after = {**{k: e.value for k, e in old.items()}, **added}
        sensitive = sorted(k for k, v in after.items() if v is None and k not in deleted)
        if sensitive:
            exc = _tool_error("InvalidConfigurationException", "All sensitive broker config entries must be specified "
                              f"for --alter, missing entries: Set({', '.join(sensitive)})")
            exc.from_tool = True  # type: ignore[attr-defined]
            raise exc
    ops = [AlterConfigOp(k, v, OpType.SET) for k, v in added.items()] + [AlterConfigOp(k, "", OpType.DELETE)
                                                                           for k in deleted]
    resource = _resource(entity_type, name)
    admin.incremental_alter_configs({resource: ops}).values[resource].get()
    if name:
        ctx.out(f"Completed updating config for {entity_type[:-1]} {name}.")
    else:
        ctx.out(f"Completed updating default config for {entity_type} in the cluster.")


def _zookeeper(ctx: Context, opts: Any) -> Job | None:
    ctx.out("Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.")
    ctx.out("Use --bootstrap-server instead to specify a broker to connect to.")
    if ctx.kraft:
        ctx.note("This cluster runs in KRaft mode: there is no ZooKeeper to connect to. " +
                 bootstrap.zookeeper_flag_note(ctx))
        return _ZooKeeperWait(ctx)
    types, names = _types(opts), _names(opts)
    admin = ctx.admin()
    entity = f"{types[0][:-1]} '{names[0] if names and names[0] else '<default>'}'"
    if opts.has("alter"):
        added = parse_configs_to_add(opts.value_of("add-config")) if opts.has("add-config") else {}
        deleted = [d.strip() for d in opts.values_of("delete-config")] if opts.has("delete-config") else []
        ops = [AlterConfigOp(k, v) for k, v in added.items()] + [AlterConfigOp(k, "", OpType.DELETE) for k in deleted]
        resource = _resource(types[0], names[0])
        admin.incremental_alter_configs({resource: ops}).values[resource].get()
        ctx.out(f"Completed updating config for entity: {entity}.")
    else:
        name = names[0] if names else ""
        entries = _entries(ctx, admin, types[0], name, False)
        ctx.out(f"Configs for {entity} are {','.join(f'{e.name}={_v(e.value)}' for e in entries)}")
    return None


class _ZooKeeperWait(Job):
    """``KafkaZkClient`` waiting for a ZooKeeper that does not exist, until its connection timeout."""

    ends_by_itself = True

    def __init__(self, ctx: Context) -> None:
        from app.sim.events import Timer

        self.ctx = ctx
        self.timer = Timer(ctx.scenario.sim, ctx.now + ZK_CONNECTION_TIMEOUT_MS, self._expire)

    def _expire(self) -> None:
        if self.done:
            return
        self.done = True
        ctx = self.ctx
        ctx.err(f"Error while executing config command with args '{' '.join(ctx.argv)}'")
        ctx.err("kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while in state: "
                "CONNECTING")
        ctx.session.job_ended(self)

    def interrupt(self) -> None:
        self.done = True
        self.timer.cancel()
