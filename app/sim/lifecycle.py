"""A broker's lifecycle as one state: its process and what the controller holds of it.

Models Kafka's ``BrokerState`` (NOT_RUNNING, STARTING, RUNNING, PENDING_CONTROLLED_SHUTDOWN)
together with the controller's registration of the broker (``BrokerRegistration.fenced``),
because a lesson needs both at once: a process that died is still a registered, unfenced
broker (and still leads its partitions) until its session times out. Being cut off by the
network is not a state of the broker but of its links (``Network.isolated``).

    RUNNING --crash--> CRASHED --session expires (fence)--> DOWN --restart: registers--> FENCED
     |  ^                 |                                    ^                          |
   fence unfence        restart while the old                  | the old session expires  | caught up
     v  |               session is still held                  |                          v
    FENCED --crash--> DOWN    +--------> STARTING -------------+                       RUNNING
    RUNNING --controlled shutdown--> SHUTTING_DOWN --leaders moved away--> DOWN

A registration always starts fenced (KRaft unfences a broker once it has caught up with the
metadata log), so a restart goes DOWN -> FENCED -> RUNNING.
"""

from __future__ import annotations

from enum import Enum


class BrokerState(str, Enum):
    #: Serving, registered and unfenced.
    RUNNING = "running"
    #: Serving, but fenced by the controller (missed its heartbeats while cut off, or just registered
    #: again): it leads nothing and is in no ISR.
    FENCED = "fenced"
    #: Controlled shutdown (BrokerState.PENDING_CONTROLLED_SHUTDOWN): the controller moves its
    #: leaderships away before the process stops.
    SHUTTING_DOWN = "shutting-down"
    #: The process died; the controller has not noticed yet (the broker is still registered, and
    #: still the leader of its partitions, until broker.session.timeout.ms of missed heartbeats).
    CRASHED = "crashed"
    #: The process is not running and the controller has fenced it.
    DOWN = "down"
    #: Restarted while the controller still held the dead process's session: it registers once that
    #: session expires (KRaft: DuplicateBrokerRegistrationException until then).
    STARTING = "starting"

    @property
    def alive(self) -> bool:
        """The process runs and serves requests."""
        return self in _ALIVE

    @property
    def fenced(self) -> bool:
        """The controller holds it fenced (or holds no live registration of it)."""
        return self in _FENCED


_ALIVE = frozenset({BrokerState.RUNNING, BrokerState.FENCED, BrokerState.SHUTTING_DOWN})
_FENCED = frozenset({BrokerState.FENCED, BrokerState.DOWN})

#: state -> the states it may move to
TRANSITIONS: dict[BrokerState, frozenset[BrokerState]] = {
    BrokerState.RUNNING: frozenset({BrokerState.FENCED, BrokerState.CRASHED, BrokerState.SHUTTING_DOWN}),
    BrokerState.FENCED: frozenset({BrokerState.RUNNING, BrokerState.DOWN}),
    BrokerState.SHUTTING_DOWN: frozenset({BrokerState.DOWN, BrokerState.CRASHED}),
    BrokerState.CRASHED: frozenset({BrokerState.DOWN, BrokerState.STARTING}),
    BrokerState.DOWN: frozenset({BrokerState.FENCED}),
    BrokerState.STARTING: frozenset({BrokerState.DOWN}),
}


class IllegalBrokerTransition(RuntimeError):
    """A lifecycle move the model does not allow: a bug in whoever asked for it."""

    def __init__(self, broker: int, current: BrokerState, wanted: BrokerState) -> None:
        allowed = ", ".join(s.value for s in sorted(TRANSITIONS[current], key=lambda s: s.value))
        super().__init__(f"broker {broker} is {current.value}: it cannot become {wanted.value} (from {current.value} "
                         f"it can become: {allowed})")
