"""The `brokerlab` command: `brokerlab serve [--host H] [--port P] [--workers N]`, `brokerlab shell [--brokers N] [--kafka-version V]`."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence

import uvicorn

from app import __version__


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a whole number in [1,...,65535]") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: expected a number in [1,...,65535]")
    return port


def worker_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid worker count {text!r}: expected a whole number in [1,...,64]") from None
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError(f"invalid worker count {n}: expected a number in [1,...,64]")
    return n


def host_name(text: str) -> str:
    if not text.strip() or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(f"invalid host {text!r}: expected an address such as 127.0.0.1 or a host name")
    return text


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brokerlab", description="Brokerlab: learn Apache Kafka and AWS.")
    parser.add_argument("--version", action="version", version=f"brokerlab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the course in your browser")
    serve.add_argument("--host", type=host_name, default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=8000, help="port to bind (default: 8000)")
    serve.add_argument("--workers", type=worker_count, default=os.cpu_count() or 1,
                       help="worker processes; each lab lives on one (default: this machine's cores)")
    shell = commands.add_parser("shell", help="Kafka's command-line tools on a simulated cluster, in this terminal")
    shell.add_argument("--brokers", type=broker_count, default=3, help="brokers in the cluster (default: 3)")
    shell.add_argument("--kafka-version", choices=("2.8", "3.x", "4.0"), default="4.0",
                       help="the Kafka version the cluster and tools behave as (default: 4.0)")
    shell.add_argument("--racks", default="", help="broker.rack per broker, comma-separated, repeated (a,b,c)")
    shell.add_argument("--step-ms", type=float, default=1000.0,
                       help="virtual ms between two lines read from a pipe (default: 1000)")
    shell.add_argument("--seed", type=int, default=1, help="the run's seed (default: 1)")
    return parser


def broker_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid broker count {text!r}: expected a whole number in [1,...,100]") from None
    if not 1 <= n <= 100:
        raise argparse.ArgumentTypeError(f"invalid broker count {n}: expected a number in [1,...,100]")
    return n


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "shell":
        from app.shell.cli import main as shell_main

        racks = [r for r in args.racks.split(",") if r]
        return shell_main(args.brokers, args.kafka_version, racks, args.seed, args.step_ms)
    # Imported here so that `brokerlab --help` answers even when a lesson is broken.
    from app.live.protocol import MAX_MESSAGE_BYTES
    from app.main import create_app
    from app.settings import Settings

    settings = Settings(host=args.host, port=args.port, workers=args.workers)  # the workers share the labs' memory
    if not is_loopback(args.host):
        print(
            f"brokerlab: warning: --host {args.host} is not a loopback address; anyone who can reach "
            "this machine can open the course. Use 127.0.0.1 unless you mean to share it. Pages answer only "
            "to the names in BROKERLAB_ALLOWED_HOSTS (a JSON list such as '[\"192.168.1.20\"]') besides "
            "loopback and --host.",
            file=sys.stderr,
        )
    app = create_app(settings)  # loads and checks the lessons once here, so a broken one fails before any worker starts
    workers = args.workers
    print(f"Brokerlab {__version__} at {url_for(args.host, args.port)} with {workers} worker"
          f"{'s' if workers > 1 else ''} (Ctrl+C to stop)", flush=True)
    # uvicorn reads a websocket message whole, up to 16 MiB by default. Twice the protocol's limit: a message
    # a little over it still reaches the session, which answers too_large and goes on; a larger one closes
    # the socket (1009, message too big) before it is in memory.
    options: dict[str, object] = {"host": args.host, "port": args.port, "log_level": "warning",
                                  "ws_max_size": 2 * MAX_MESSAGE_BYTES}
    if workers == 1:
        uvicorn.run(app, **options)
    else:
        # Each worker process builds its own app from the environment (Settings reads BROKERLAB_*): a lab's
        # websocket lives on the worker that accepted it, with its own sessions and their cap.
        os.environ["BROKERLAB_HOST"] = args.host
        os.environ["BROKERLAB_PORT"] = str(args.port)
        os.environ["BROKERLAB_WORKERS"] = str(args.workers)
        uvicorn.run("app.main:create_app", factory=True, workers=workers, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
