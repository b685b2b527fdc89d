"""Every fault and control a run can be given, declared once.

Not a Kafka class: the table the spec parser, ``control.inject_fault``, the labs (which
faults each offers, what a lab message may carry), the replay log and the docs all read
(one name, one place). A ``Fault`` says what it acts on (its ``Target``), its options with
their defaults, when it would change nothing (and so is refused rather than logged), and
how it is applied to a running ``Scenario``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable

from app.sim.errors import Errors
from app.sim.lifecycle import BrokerState

if TYPE_CHECKING:
    from app.sim.scenario import Scenario

#: What ``slow_broker`` adds to every message to and from the broker (a long GC pause, a saturated
#: disk): a produce request takes about 6 s there and back.
SLOW_BROKER_MS = 3000.0


class Target(str, Enum):
    """What a fault acts on: the JSON value that names it in a spec or a lab message."""

    #: nothing: the application's own call (flush)
    NONE = "none"
    #: a broker id
    BROKER = "broker"
    #: a broker id, or null for every broker
    BROKER_OR_ALL = "broker or null for all"
    #: a consumer group member by its name, ``<group.id>-<n>``
    CONSUMER = "consumer"
    #: a consumer group by its group.id
    GROUP = "group"
    #: a rack name (broker.rack), or null for none: where a new broker runs
    RACK = "rack or null"


@dataclass(frozen=True)
class Option:
    """A number a fault takes besides its target, with its default and lowest value."""

    name: str
    default: float
    low: float
    integer: bool = True


@dataclass(frozen=True)
class Fault:
    name: str
    target: Target
    #: what it does, in a sentence (docs/protocol.md and docs/sim.md say the same)
    summary: str
    apply: Callable[["Scenario", Any, dict[str, float]], None]
    #: why it would change nothing now (and is refused), or None
    refusal: Callable[["Scenario", Any], str | None]
    options: tuple[Option, ...] = ()

    def defaults(self) -> dict[str, float]:
        return {o.name: o.default for o in self.options}


class FaultError(ValueError):
    """A fault that cannot be applied as asked: the message names the value and the valid ones."""


# -- how each fault is applied --------------------------------------------------------------
def _kill(sc: "Scenario", b: int, _: dict[str, float]) -> None:
    sc.cluster.kill_broker(b)


def _restart(sc: "Scenario", b: int, _: dict[str, float]) -> None:
    sc.cluster.restart_broker(b)


def _isolate(sc: "Scenario", b: int, _: dict[str, float]) -> None:
    sc.cluster.isolate(b)


def _heal(sc: "Scenario", b: int | None, _: dict[str, float]) -> None:
    sc.cluster.heal(b)


def _drop(sc: "Scenario", b: int, o: dict[str, float]) -> None:
    sc.cluster.drop_responses(b, int(o["count"]))


def _latency(sc: "Scenario", b: int, o: dict[str, float]) -> None:
    sc.cluster.add_latency(b, o["ms"])


def _slow(sc: "Scenario", b: int, _: dict[str, float]) -> None:
    sc.cluster.add_latency(b, SLOW_BROKER_MS)


def _restore(sc: "Scenario", b: int, _: dict[str, float]) -> None:
    sc.cluster.add_latency(b, 0.0)


def _controlled_shutdown(sc: "Scenario", b: int, _: dict[str, float]) -> None:
    sc.cluster.controlled_shutdown(b)


def _add_broker(sc: "Scenario", rack: str | None, _: dict[str, float]) -> None:
    sc.cluster.add_broker(rack)


def _flush(sc: "Scenario", _: None, __: dict[str, float]) -> None:
    sc.producer.flush()


def _kill_consumer(sc: "Scenario", name: str, _: dict[str, float]) -> None:
    sc.groups.member(name).kill()


def _close_consumer(sc: "Scenario", name: str, _: dict[str, float]) -> None:
    sc.groups.member(name).close()


def _add_consumer(sc: "Scenario", group_id: str, _: dict[str, float]) -> None:
    sc.groups.add(group_id)


def _restart_consumer(sc: "Scenario", name: str, _: dict[str, float]) -> None:
    sc.groups.restart(name)


def _delete_topics(sc: "Scenario", name: str, _: dict[str, float]) -> None:
    sc.groups.delete_topics(name)


def _rejecting(error: Errors) -> Callable[["Scenario", int, dict[str, float]], None]:
    def apply(sc: "Scenario", b: int, o: dict[str, float]) -> None:
        sc.cluster.brokers[b].reject_next(error, int(o["count"]))
    apply.__name__ = f"reject_{error.name.lower()}"
    return apply


# -- when each would change nothing --------------------------------------------------------------
def _never(sc: "Scenario", target: Any) -> str | None:
    return None


def _down(sc: "Scenario", b: int) -> str | None:
    return f"broker {b} is already down" if not sc.cluster.brokers[b].alive else None


def _up(sc: "Scenario", b: int) -> str | None:
    broker = sc.cluster.brokers[b]
    if broker.state is BrokerState.STARTING:
        return f"broker {b} is already restarting (it registers when its old session expires)"
    return f"broker {b} is already up" if broker.alive else None


def _not_running(sc: "Scenario", b: int) -> str | None:
    broker = sc.cluster.brokers[b]
    if broker.state is BrokerState.SHUTTING_DOWN:
        return f"broker {b} is already shutting down"
    return _down(sc, b)


def _isolated(sc: "Scenario", b: int) -> str | None:
    return f"broker {b} is already isolated" if b in sc.cluster.network.isolated else None


def _not_isolated(sc: "Scenario", b: int | None) -> str | None:
    isolated = sc.cluster.network.isolated
    if b is None:
        return None if isolated else "no broker is isolated"
    return None if b in isolated else f"broker {b} is not isolated"


def _consumer_gone(sc: "Scenario", name: str) -> str | None:
    member = sc.groups.members.get(name)
    if member is None:
        return f"{name} has not joined yet"
    return f"{name} has already stopped" if member.closed else None


def _consumer_running(sc: "Scenario", name: str) -> str | None:
    member = sc.groups.members.get(name)
    return f"{name} is running" if member is not None and not member.closed else None


def _admin_busy(sc: "Scenario", name: str) -> str | None:
    admin = sc.groups.admins.get(name)
    return f"{name}'s admin client is still waiting for its last call" if admin is not None and admin.call else None


def _slowed(sc: "Scenario", b: int) -> str | None:
    return f"broker {b} is already slowed down" if sc.network.extra_latency.get(b, 0.0) > 0 else None


def _not_slowed(sc: "Scenario", b: int) -> str | None:
    return None if sc.network.extra_latency.get(b, 0.0) > 0 else f"broker {b} is not slowed down"


_COUNT = Option("count", 1, 0)
_BATCHES = Option("count", 2, 1)

FAULTS: dict[str, Fault] = {f.name: f for f in (
    Fault("kill_broker", Target.BROKER, "the broker's process dies: its connections reset at once; the controller "
          "fences it broker.session.timeout.ms after its last heartbeat", _kill, _down),
    Fault("restart_broker", Target.BROKER, "the broker's process starts again and registers (once its old session "
          "has expired), then follows and catches up", _restart, _up),
    Fault("isolate_broker", Target.BROKER, "the network cuts the broker off: messages to and from it are lost; the "
          "controller fences it after the session timeout", _isolate, _isolated),
    Fault("heal", Target.BROKER_OR_ALL, "the network joins an isolated broker again (null: every one)", _heal,
          _not_isolated),
    Fault("drop_responses", Target.BROKER, "the broker appends and answers, but its next produce responses are lost "
          "on the way", _drop, _never, (_COUNT,)),
    Fault("add_latency", Target.BROKER, "every message to and from the broker takes this many ms more", _latency, _never,
          (Option("ms", 0.0, 0.0, integer=False),)),
    Fault("slow_broker", Target.BROKER, f"every message to and from the broker takes {SLOW_BROKER_MS:g} ms more "
          "(a long GC pause, a saturated disk)", _slow, _slowed),
    Fault("restore_broker", Target.BROKER, "the slowed broker is back to normal", _restore, _not_slowed),
    Fault("error_not_enough_replicas", Target.BROKER, "the leader answers its next batches NOT_ENOUGH_REPLICAS "
          "(retriable) and appends nothing", _rejecting(Errors.NOT_ENOUGH_REPLICAS), _never, (_BATCHES,)),
    Fault("error_not_leader_or_follower", Target.BROKER, "the leader answers its next batches NOT_LEADER_OR_FOLLOWER "
          "(retriable) and appends nothing", _rejecting(Errors.NOT_LEADER_OR_FOLLOWER), _never, (_BATCHES,)),
    Fault("controlled_shutdown", Target.BROKER, "the broker is stopped cleanly: the controller moves its leaderships "
          "to other in-sync replicas and takes it out of every ISR, then its process stops (no acknowledged record is "
          "lost)", _controlled_shutdown, _not_running),
    Fault("add_broker", Target.RACK, "a new broker starts with the next free id in this rack and registers; it holds no "
          "replica until topics, partitions or reassignments place some on it", _add_broker, _never),
    Fault("flush", Target.NONE, "the application calls the producer's flush(): every open batch is sendable now",
          _flush, _never),
    Fault("kill_consumer", Target.CONSUMER, "the consumer's process dies: no commit, no LeaveGroup; its coordinator "
          "notices after session.timeout.ms", _kill_consumer, _consumer_gone),
    Fault("close_consumer", Target.CONSUMER, "the application closes the consumer: it commits (auto-commit) and leaves "
          "the group at once (a static member does not send LeaveGroup)", _close_consumer, _consumer_gone),
    Fault("add_consumer", Target.GROUP, "a new consumer joins the group, named <group.id>-<next number>", _add_consumer,
          _never),
    Fault("restart_consumer", Target.CONSUMER, "a stopped consumer starts again with the same name (and, if static, the "
          "same group.instance.id)", _restart_consumer, _consumer_running),
    Fault("delete_topics", Target.CONSUMER, "the consumer's application deletes the topics its group reads "
          "(Admin.deleteTopics, as kafka-topics.sh --delete does) with an admin client of its own, as its own principal",
          _delete_topics, _admin_busy),
)}


def fault(name: Any) -> Fault:
    """The fault called ``name``, or a FaultError listing them all."""
    f = FAULTS.get(name) if isinstance(name, str) else None
    if f is None:
        raise FaultError(f"unknown fault {name!r}; expected one of: {', '.join(FAULTS)}")
    return f


def check_target(f: Fault, target: Any, brokers: int, members: Any = (), groups: Any = ()) -> Any:
    """The target as the fault takes it, or a FaultError saying what it must be (its caller names the fault).

    ``members``: the consumer names the run has (or will have); ``groups``: its group ids."""
    if f.target is Target.CONSUMER:
        if target not in members:
            raise FaultError(f"must be a consumer's name ({', '.join(sorted(members)) or 'none in this run'}), got {target!r}")
        return target
    if f.target is Target.GROUP:
        if target not in groups:
            raise FaultError(f"must be a consumer group's group.id ({', '.join(groups) or 'none in this run'}), got {target!r}")
        return target
    if f.target is Target.NONE:
        if target is not None:
            raise FaultError(f"is the producer's: it takes broker null; got {target!r}")
        return None
    if f.target is Target.RACK:
        if target is None or (isinstance(target, str) and target):
            return target
        raise FaultError(f"must be a rack name (a non-empty string) or null for no rack, got {target!r}")
    if target is None and f.target is Target.BROKER_OR_ALL:
        return None
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < brokers:
        raise FaultError(f"must be a broker id from 0 to {brokers - 1}"
                         + (" (or null for every broker)" if f.target is Target.BROKER_OR_ALL else "") + f", got {target!r}")
    return target


def check_options(f: Fault, options: dict[str, Any]) -> dict[str, float]:
    """The options with defaults filled in, or a FaultError naming the bad one."""
    known = {o.name: o for o in f.options}
    extra = sorted(set(options) - set(known))
    if extra:
        takes = ", ".join(known) if known else "no options"
        raise FaultError(f"takes {takes}; got {extra[0]!r}")
    out = f.defaults()
    for name, value in options.items():
        o = known[name]
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and value == value and value >= o.low
        if ok and o.integer and not float(value).is_integer():
            ok = False
        if not ok:
            kind = "an integer" if o.integer else "a number"
            raise FaultError(f"{name} must be {kind} >= {o.low:g}, got {value!r}")
        out[name] = int(value) if o.integer else float(value)
    return out


def inject(sc: "Scenario", name: str, target: Any, options: dict[str, Any] | None = None) -> None:
    """Apply a fault now (its target and options checked first; FaultError, naming the fault, otherwise)."""
    f = fault(name)
    try:
        target = check_target(f, target, len(sc.cluster.brokers), sc.member_names(), sc.group_ids())
        values = check_options(f, options or {})
    except FaultError as exc:
        raise FaultError(f"{name} {exc}") from None
    f.apply(sc, target, values)


def refusal(sc: "Scenario", name: str, target: Any) -> str | None:
    """Why the fault would change nothing now (a second click on Kill), or None."""
    return fault(name).refusal(sc, target)


def markdown_table() -> str:
    """The fault table as docs/sim.md prints it (a test keeps the two the same)."""
    rows = ["| fault | target | options | what it does |", "|---|---|---|---|"]
    for f in FAULTS.values():
        options = ", ".join(f"`{o.name}` ({o.default:g})" for o in f.options) or "-"
        rows.append(f"| `{f.name}` | {f.target.value} | {options} | {f.summary} |")
    return "\n".join(rows) + "\n"
