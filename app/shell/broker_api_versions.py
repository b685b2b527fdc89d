"""``kafka-broker-api-versions``: every broker's ApiVersions answer, one API a line.

Models ``org.apache.kafka.tools.BrokerApiVersionsCommand`` and ``NodeApiVersions.toString(true)``:
``localhost:9092 (id: 0 rack: null) -> (`` then ``Produce(0): 0 to 11 [usable: 11],`` per API in
key order and ``)``. The version ranges are the brokers' of each simulated Kafka version, taken
from Kafka's message schemas (app/shell/api_versions.json says which); the client is of the same
version, so the usable version is the broker's newest. The simulator answers few of these APIs;
the list is what a broker of that version advertises.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.shell import bootstrap
from app.shell.java import stack_trace
from app.shell.parser import OptionParser, required
from app.shell.tool import Context, Job, ToolExit
from app.sim.admin.nodes import metadata_brokers

NAME = "kafka-broker-api-versions"
_VERSIONS = json.loads((Path(__file__).parent / "api_versions.json").read_text())


def parser(version: str) -> OptionParser:
    return OptionParser([
        required("command-config", "A property file containing configs to be passed to Admin Client.", "command config "
                 "property file"),
        required("bootstrap-server", "REQUIRED: The server to connect to.", "server(s) to use for bootstrapping"),
    ])


def api_versions(version: str) -> str:
    """``NodeApiVersions.toString(true)``."""
    apis = _VERSIONS[version]
    lines = []
    for key in sorted(apis, key=int):
        name, low, high = apis[key]
        span = str(low) if low == high else f"{low} to {high}"
        lines.append(f"{name}({key}): {span} [usable: {high}]")
    return "(\n\t" + ",\n\t".join(lines) + "\n)"


def run(ctx: Context) -> Job | None:
    p = parser(ctx.version)
    opts = ctx.parse_or_stack(p)
    ctx.maybe_help_or_version(p, opts, "This tool helps to retrieve broker version information.")
    if not opts.has("bootstrap-server"):
        ctx.usage_exit(p, 'Missing required argument "[bootstrap-server]"')
    where = bootstrap.reach(ctx, opts.value_of("bootstrap-server"))
    if not where.ok:
        bootstrap.note_zookeeper_port(ctx, where)
        ctx.err("Request METADATA failed on brokers List(" + ", ".join(f"{e.host}:{e.port} (id: -1 rack: null)"
                                                                     for e in where.endpoints) + ")")
        ctx.err(stack_trace("java.lang.RuntimeException", "Request METADATA failed on brokers List(" + ", ".join(
            f"{e.host}:{e.port} (id: -1 rack: null)" for e in where.endpoints) + ")"), end="")
        raise ToolExit(1)
    text = api_versions(ctx.version)
    for b in metadata_brokers(ctx.cluster):
        rack = ctx.cluster.brokers[b].rack
        host = f"localhost:{9092 + b} (id: {b} rack: {rack if rack is not None else 'null'})"
        if ctx.cluster.brokers[b].alive:
            ctx.out(f"{host} -> {text}")
        else:
            ctx.out(f"{host} -> ERROR: org.apache.kafka.common.errors.DisconnectException")
    if ctx.version == "4.0":
        ctx.note("The 4.0 ranges are those of Kafka's trunk in October 2024; 4.0.0 raised some minimum versions (KIP-896).")
    return None
