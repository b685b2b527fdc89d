"""``kafka-metadata-quorum``: the KRaft controller quorum, as ``describe --status`` and ``describe --replication`` show it.

Models ``org.apache.kafka.tools.MetadataQuorumCommand`` (3.3 and later; argparse4j, not
jopt-simple: its usage line and ``kafka-metadata-quorum: error: ...``). What it prints is what
is true of the simulator's one controller (docs/sim.md, "Admin"): node 3000 leads epoch 1, the
brokers are observers that have caught up, and the metadata log is not kept, so its offsets are 0.
Voters and observers print as 3.9 and 4.0 print them (``{"id": 3000, "directoryId": null}``: a
static quorum set by controller.quorum.voters). A 2.8 cluster has no such tool (ZooKeeper mode).
``add-controller`` and ``remove-controller`` are left out.
"""

from __future__ import annotations

from app.shell import bootstrap
from app.shell.parser import OptionParser, flag, required
from app.shell.tool import Context, Job, ToolExit

NAME = "kafka-metadata-quorum"
#: ``Uuid.ZERO_UUID``: the directory id of a replica in a static quorum
ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA"
USAGE = ("usage: kafka-metadata-quorum [-h] --bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller "
         "BOOTSTRAP_CONTROLLER [--command-config COMMAND_CONFIG] {describe,add-controller,remove-controller} ...")
HELP = USAGE + """

This tool describes kraft metadata quorum status.

positional arguments:
  {describe,add-controller,remove-controller}
    describe             Describe the metadata quorum info
    add-controller       Add a controller to the KRaft controller cluster
    remove-controller    Remove a controller from the KRaft controller cluster

optional arguments:
  -h, --help             show this help message and exit
  --bootstrap-server BOOTSTRAP_SERVER
                         A comma-separated list of host:port pairs to use for establishing the connection to the Kafka cluster.
  --bootstrap-controller BOOTSTRAP_CONTROLLER
                         A comma-separated list of host:port pairs to use for establishing the connection to the Kafka controllers.
  --command-config COMMAND_CONFIG
                         Property file containing configs to be passed to Admin Client."""


def parser(version: str) -> OptionParser:
    """Only for completion: the tool itself parses with argparse4j's rules, below."""
    return OptionParser([required("bootstrap-server", ""), required("bootstrap-controller", ""),
                         required("command-config", ""), flag("status", ""), flag("replication", ""),
                         flag("human-readable", "")], defaults=False)


def _error(ctx: Context, message: str) -> None:
    ctx.err(USAGE)
    ctx.err(f"kafka-metadata-quorum: error: {message}")
    raise ToolExit(1)


def run(ctx: Context) -> Job | None:
    if ctx.version == "2.8":
        ctx.err(f"bash: {ctx.tool}: command not found")
        ctx.note("kafka-metadata-quorum came with KRaft (3.3): a 2.8 cluster keeps its metadata in ZooKeeper.")
        raise ToolExit(127)
    args = list(ctx.argv)
    if "-h" in args or "--help" in args:
        ctx.out(HELP)
        raise ToolExit(0)
    server = controller = None
    command = None
    flags: set[str] = set()
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--bootstrap-server", "--bootstrap-controller", "--command-config"):
            if i + 1 >= len(args):
                _error(ctx, f"argument {a}: expected one argument")
            if a == "--bootstrap-server":
                server = args[i + 1]
            elif a == "--bootstrap-controller":
                controller = args[i + 1]
            i += 2
            continue
        if command is None and a in ("describe", "add-controller", "remove-controller"):
            command = a
        elif command == "describe" and a in ("--status", "--replication", "--human-readable"):
            flags.add(a[2:])
        else:
            _error(ctx, f"unrecognized arguments: '{a}'")
        i += 1
    if server is None and controller is None:
        _error(ctx, "one of the arguments --bootstrap-server --bootstrap-controller is required")
    if server is not None and controller is not None:
        _error(ctx, "argument --bootstrap-controller: not allowed with argument --bootstrap-server")
    if command is None:
        _error(ctx, "too few arguments")
    if command != "describe":
        ctx.note(f"{command} changes the controller quorum, which the simulator keeps to one controller.")
        raise ToolExit(1)
    if controller is not None:
        ctx.note("The simulated KRaft controller takes no client connections here: use --bootstrap-server.")
        raise ToolExit(1)
    if "status" in flags and "replication" in flags:
        ctx.err("Only one of --status or --replication should be specified with describe sub-command")
        raise ToolExit(1)
    if "status" not in flags and "replication" not in flags:
        ctx.err("One of --status or --replication must be specified with describe sub-command")
        raise ToolExit(1)
    if "status" in flags and "human-readable" in flags:
        ctx.err("The option --human-readable is only supported along with --replication")
        raise ToolExit(1)
    where = bootstrap.reach(ctx, server)  # type: ignore[arg-type]
    if not where.ok:
        ctx.note("No broker answers on " + server + "." + (" " + bootstrap.zookeeper_note(ctx)  # type: ignore[operator]
                 if any(e.port == bootstrap.ZOOKEEPER_PORT for e in where.endpoints) else ""))
        raise ToolExit(1)
    admin = ctx.admin()
    quorum = admin.describe_metadata_quorum()
    cluster_id = admin.describe_cluster().cluster_id
    if "status" in flags:
        voters = ", ".join(f'{{"id": {v.replica_id}, "directoryId": null}}' for v in quorum.voters)
        observers = ", ".join(f'{{"id": {o.replica_id}, "directoryId": null}}' for o in quorum.observers)
        ctx.out(f"ClusterId:              {cluster_id}\nLeaderId:               {quorum.leader_id}\n"
                f"LeaderEpoch:            {quorum.leader_epoch}\nHighWatermark:          {quorum.high_watermark}\n"
                f"MaxFollowerLag:         0\nMaxFollowerLagTimeMs:   0\nCurrentVoters:          [{voters}]\n"
                f"CurrentObservers:       [{observers}]")
        return None
    rows = []
    leader = next(v for v in quorum.voters if v.replica_id == quorum.leader_id)
    for status, group in (("Leader", [leader]), ("Follower", [v for v in quorum.voters if v is not leader]),
                          ("Observer", quorum.observers)):
        for r in group:
            fetched = "-1" if r.last_fetch_timestamp is None else str(int(r.last_fetch_timestamp))
            caught = "-1" if r.last_caught_up_timestamp is None else str(int(r.last_caught_up_timestamp))
            rows.append([str(r.replica_id), ZERO_UUID, str(r.log_end_offset),
                         str(leader.log_end_offset - r.log_end_offset), fetched, caught, status])
    header = ["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:  # ToolsUtils.prettyPrintTable: each cell padded, each followed by a tab
        ctx.out("".join(c.ljust(w) + "\t" for c, w in zip(r, widths)))
    return None
