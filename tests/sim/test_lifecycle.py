"""A broker's lifecycle is one state (app/sim/lifecycle.py): each fault moves it as Kafka would."""

from __future__ import annotations

import pytest

from app.sim import Scenario
from app.sim.lifecycle import BrokerState, IllegalBrokerTransition
from tests.sim.conftest import small_spec


def _states(spec: dict, times: list[float]) -> list[str]:
    sc = Scenario(spec, 1)
    out = []
    for t in times:
        sc.run(t)
        out.append(sc.cluster.brokers[1].state.value)
    return out


def test_a_killed_broker_stays_registered_until_its_session_expires_then_restarts_fenced_and_catches_up():
    # Session timeout 500 ms, heartbeats every 100 ms from 0: killed at 300, just after its heartbeat of 300,
    # so fenced at 800.
    spec = small_spec(faults=[{"at_ms": 300, "kill_broker": 1}, {"at_ms": 1000, "restart_broker": 1}])
    assert _states(spec, [299, 301, 799, 801, 1001]) == ["running", "crashed", "crashed", "down", "running"]


def test_a_restart_before_the_old_session_expires_waits_in_starting():
    spec = small_spec(faults=[{"at_ms": 300, "kill_broker": 1}, {"at_ms": 400, "restart_broker": 1}])
    assert _states(spec, [350, 450, 799, 801]) == ["crashed", "starting", "starting", "running"]


def test_an_isolated_broker_is_fenced_while_its_process_runs():
    spec = small_spec(faults=[{"at_ms": 300, "isolate_broker": 1}, {"at_ms": 1000, "heal": 1}])
    assert _states(spec, [799, 801, 1001]) == ["running", "fenced", "running"]


def test_a_move_the_lifecycle_does_not_allow_names_what_is_allowed():
    sc = Scenario(small_spec(), 1)
    with pytest.raises(IllegalBrokerTransition, match=r"broker 1 is running: it cannot become starting \(from running it can "
                                                        r"become: crashed, fenced, shutting-down\)"):
        sc.cluster.brokers[1].become(BrokerState.STARTING)
