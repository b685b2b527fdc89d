"""``kafka-acls``: add, list and remove ACLs on the cluster's authorizer.

Models ``kafka.admin.AclCommand`` (4.0): its options, ``--producer`` / ``--consumer`` expanded as
``acl_command_bindings`` does (app/sim/security/acl_command.py), and its lines: ``Adding ACLs for
resource `ResourcePattern(...)`:`` with one tab-indented entry a line, ``Current ACLs for resource
...``, the ``Are you sure ...? (y/n)`` prompt of ``--remove`` without ``--force``. The ACLs go to
the authorizer the cluster holds (``Cluster.authorizer``, made from ``authorizer.class.name``),
which its brokers enforce on the requests they check (app/sim/apis.py). A cluster without one
answers as a broker without ``authorizer.class.name`` does, with SECURITY_DISABLED ("No Authorizer
is configured."), and the terminal says why. The admin requests themselves are not checked
against ACLs (the simulator's admin API leaves that out), so kafka-acls acts as a super user.
"""

from __future__ import annotations

from typing import Any

from app.shell import bootstrap
from app.shell.parser import OptionException, OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.security.acl import AclBinding, AclBindingFilter, PatternType
from app.sim.security.acl_command import acl_command_bindings

NAME = "kafka-acls"
NOT_ENFORCED = ("This cluster runs without an authorizer (authorizer.class.name is not set, as in Kafka's sample "
                "server.properties): its brokers check no ACLs, and kafka-acls gets the answer such a cluster gives. A "
                "cluster started with authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer "
                "keeps and enforces them.")


def parser(version: str) -> OptionParser:
    return OptionParser([
        required("bootstrap-server", "A list of host/port pairs to use for establishing the connection to the Kafka "
                 "cluster. This list should be in the form host1:port1,host2:port2,... This config is required for acl "
                 "management using admin client API.", "server to connect to"),
        required("bootstrap-controller", "A list of host/port pairs to use for establishing the connection to the Kafka "
                 "cluster. This list should be in the form host1:port1,host2:port2,... This config is required for acl "
                 "management using admin client API.", "controller to connect to"),
        required("command-config", "A property file containing configs to be passed to Admin Client.",
                 "command-config"),
        required("topic", "topic to which ACLs should be added or removed. A value of '*' indicates ACL should apply to "
                 "all topics.", "topic"),
        flag("cluster", "Add/Remove cluster ACLs."),
        required("group", "Consumer Group to which the ACLs should be added or removed. A value of '*' indicates the ACLs "
                 "should apply to all groups.", "group"),
        required("transactional-id", "The transactionalId to which ACLs should be added or removed. A value of '*' "
                 "indicates the ACLs should apply to all transactionalIds.", "transactional-id"),
        flag("idempotent", "Enable idempotence for the producer. This should be used in combination with the --producer "
             "option. Note that idempotence is enabled automatically if the producer is authorized to a particular "
             "transactional-id."),
        required("delegation-token", "Delegation token to which ACLs should be added or removed. A value of '*' "
                 "indicates ACL should apply to all tokens.", "delegation-token"),
        required("user-principal", "A user resource to which ACLs should be added or removed. Currently supported only "
                 "for DescribeUserScramCredentials and AlterUserScramCredentials.", "user-principal"),
        required("resource-pattern-type", "The type of the resource pattern or pattern filter. When adding acls, this "
                 "should be a specific pattern type, e.g. 'literal' or 'prefixed'. When listing or removing acls, a "
                 "specific pattern type can be used to list or remove acls from specific resource patterns, or use the "
                 "filter values of 'any' or 'match', where 'any' will match any pattern type, but will match the "
                 "resource name exactly, where as 'match' will perform pattern matching to list or remove all acls that "
                 "affect the supplied resource(s). WARNING: 'match', when used in combination with the '--remove' "
                 "switch, should be used with care.", "ANY|MATCH|LITERAL|PREFIXED", default="LITERAL"),
        flag("add", "Indicates you are trying to add ACLs."),
        flag("remove", "Indicates you are trying to remove ACLs."),
        flag("list", "List ACLs for the specified resource, use --topic <topic> or --group <group> or --cluster to "
             "specify a resource."),
        required("operation", "Operation that is being allowed or denied. Valid operation names are: \n\tDescribe\n\t"
                 "DescribeConfigs\n\tAlter\n\tIdempotentWrite\n\tRead\n\tDelete\n\tCreate\n\tClusterAction\n\tAll\n\t"
                 "CreateTokens\n\tDescribeTokens\n\tWrite\n\tAlterConfigs\n", default="All"),
        required("allow-principal", "principal is in principalType:name format. Note that principalType must be "
                 "supported by the Authorizer being used. For example, User:'*' is the wild card indicating all users.",
                 "allow-principal"),
        required("deny-principal", "principal is in principalType:name format. By default anyone not added through "
                 "--allow-principal is denied access. You only need to use this option as negation to already allowed "
                 "set. Note that principalType must be supported by the Authorizer being used. For example if you "
                 "wanted to allow access to all users in the system but not test-user you can define an ACL that "
                 "allows access to User:'*' and specify --deny-principal=User:test@EXAMPLE.COM. AND PLEASE REMEMBER DENY "
                 "RULES TAKES PRECEDENCE OVER ALLOW RULES.", "deny-principal"),
        required("principal", "List ACLs for the specified principal. principal is in principalType:name format. Note "
                 "that principalType must be supported by the Authorizer being used. Multiple --principal option can be "
                 "passed.", "principal"),
        required("allow-host", "Host from which principals listed in --allow-principal will have access. If you have "
                 "specified --allow-principal then the default for this option will be set to '*' which allows access "
                 "from all hosts.", "allow-host"),
        required("deny-host", "Host from which principals listed in --deny-principal will be denied access. If you have "
                 "specified --deny-principal then the default for this option will be set to '*' which denies access "
                 "from all hosts.", "deny-host"),
        flag("producer", "Convenience option to add/remove ACLs for producer role. This will generate ACLs that allows "
             "WRITE,DESCRIBE and CREATE on topic."),
        flag("consumer", "Convenience option to add/remove ACLs for consumer role. This will generate ACLs that allows "
             "READ,DESCRIBE on topic and READ on group."),
        flag("force", "Assume Yes to all queries and do not prompt."),
    ])


def _values(opts: Any, name: str) -> list[str]:
    return list(opts.values_of(name)) if opts.has(name) else []


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    opts = ctx.parse(p, "This tool helps to manage acls on kafka.")
    if sum(opts.has(o) for o in ("bootstrap-server", "bootstrap-controller")) != 1:
        ctx.usage_exit(p, "Only one of --bootstrap-server or --bootstrap-controller must be specified")
    if sum(opts.has(a) for a in ("add", "remove", "list")) != 1:
        ctx.usage_exit(p, "Command must include exactly one action: --list, --add, --remove. ")
    if opts.has("list") and (opts.has("producer") or opts.has("consumer")):
        ctx.usage_exit(p, 'Option "[list]" can\'t be used with option "[producer]"')
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server") or "")
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        ctx.note("No broker answers on that address: the admin client would wait for default.api.timeout.ms and fail.")
        raise ToolExit(1)
    authorizer = getattr(ctx.cluster, "authorizer", None)
    pattern = opts.value_of("resource-pattern-type")
    if opts.has("add"):
        try:
            bindings = acl_command_bindings(
                allow_principals=_values(opts, "allow-principal"), deny_principals=_values(opts, "deny-principal"),
                allow_hosts=_values(opts, "allow-host"), deny_hosts=_values(opts, "deny-host"),
                operations=[o.upper().replace("DESCRIBECONFIGS", "DESCRIBE_CONFIGS") for o in _values(opts, "operation")]
                if opts.has("operation") else [], topics=_values(opts, "topic"), groups=_values(opts, "group"),
                transactional_ids=_values(opts, "transactional-id"), cluster=opts.has("cluster"),
                producer=opts.has("producer"), consumer=opts.has("consumer"), idempotent=opts.has("idempotent"),
                resource_pattern_type=pattern.upper())
        except ValueError as exc:
            ctx.usage_exit(p, str(exc))
        for resource, acls in _by_resource(bindings).items():
            ctx.out(_acls_text("Adding ACLs for", resource, acls))
            if authorizer is None:
                _disabled(ctx, "No Authorizer is configured.")
            for a in acls:
                authorizer.add(a)
        _list(ctx, authorizer, opts)
        return None
    if authorizer is None:
        _disabled(ctx, "No Authorizer is configured on the broker" if opts.has("list") else "No Authorizer is "
                  "configured.")
    if opts.has("list"):
        _list(ctx, authorizer, opts)
        return None
    return _remove(ctx, authorizer, opts)


def _disabled(ctx: Context, message: str) -> None:
    cause = f"org.apache.kafka.common.errors.SecurityDisabledException: {message}"
    ctx.out(f"Error while executing ACL command: {cause}")
    ctx.out(f"java.util.concurrent.ExecutionException: {cause}")
    ctx.out(f"Caused by: {cause}")
    ctx.note(NOT_ENFORCED)
    raise ToolExit(1)


def _filters(opts: Any) -> list[AclBindingFilter]:
    pattern = opts.value_of("resource-pattern-type").upper()
    out = [AclBindingFilter("TOPIC", t, pattern) for t in _values(opts, "topic")]
    out += [AclBindingFilter("GROUP", g, pattern) for g in _values(opts, "group")]
    out += [AclBindingFilter("TRANSACTIONAL_ID", x, pattern) for x in _values(opts, "transactional-id")]
    if opts.has("cluster"):
        out.append(AclBindingFilter("CLUSTER", "kafka-cluster", PatternType.LITERAL))
    return out


def _list(ctx: Context, authorizer: Any, opts: Any) -> None:
    filters = _filters(opts)
    found = [b for b in authorizer.list() if not filters or any(f.matches(b) for f in filters)]
    principals = _values(opts, "principal")
    groups: list[tuple[str | None, list[AclBinding]]] = [(None, found)] if not principals else [
        (pr, [b for b in found if b.principal == pr]) for pr in principals]
    for principal, bindings in groups:
        if principal is not None:
            ctx.out(f"ACLs for principal `{principal}`")
        for resource, acls in _by_resource(bindings).items():
            ctx.out(_acls_text("Current ACLs for", resource, acls))


def _by_resource(bindings: list[AclBinding]) -> dict[str, list[AclBinding]]:
    """AclCommand groups bindings by their resource pattern, in the order first seen."""
    by_resource: dict[str, list[AclBinding]] = {}
    for b in bindings:
        by_resource.setdefault(b.pattern_text(), []).append(b)
    return by_resource


def _acls_text(heading: str, resource: str, acls: list[AclBinding]) -> str:
    """AclCommand's block: the heading, then each entry after a tab, with its odd trailing spaces."""
    return f"{heading} resource `{resource}`: \n " + "\n".join("\t" + a.entry_text() for a in acls) + " \n"


class _Confirm(Job):
    """``confirmAction``: the question, then one line of standard input; anything but y leaves the ACLs alone."""

    reads_input = True

    def __init__(self, ctx: Context, authorizer: Any, filters: list[AclBindingFilter]) -> None:
        self.ctx, self.authorizer, self.filters = ctx, authorizer, filters

    def input(self, line: str) -> None:
        if line.strip().lower() == "y":
            for f in self.filters:
                self.authorizer.remove(f)
        self.finish()


def _remove(ctx: Context, authorizer: Any, opts: Any) -> Job | None:
    filters = _filters(opts)
    if not filters:
        ctx.usage_exit(parser(ctx.version), "You must provide at least one resource: --topic <topic> or --cluster or "
                       "--group <group> or --delegation-token <Delegation Token ID>")
    if opts.has("force"):
        for f in filters:
            authorizer.remove(f)
        return None
    for f in filters:
        ctx.out(f"Are you sure you want to delete all ACLs for resource filter `ResourcePattern(resourceType="
                f"{f.resource_type.name}, name={f.name}, patternType={f.pattern.name})`? (y/n)")
    return _Confirm(ctx, authorizer, filters)
