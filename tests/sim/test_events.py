from __future__ import annotations

from app.sim.events import Simulation, Timer


def test_equal_times_run_first_in_first_out_and_now_advances():
    sim = Simulation(seed=0)
    seen: list[tuple[float, str]] = []
    sim.at(5, lambda: seen.append((sim.now, "b")))
    sim.at(5, lambda: seen.append((sim.now, "c")))
    sim.at(1, lambda: seen.append((sim.now, "a")))
    sim.run(until=4)
    assert seen == [(1, "a")] and sim.now == 4
    assert sim.step() and seen[-1] == (5, "b")
    sim.run()
    assert seen == [(1, "a"), (5, "b"), (5, "c")]
    assert not sim.step()


def test_past_times_are_clamped_to_now_and_timers_cancel():
    sim = Simulation()
    sim.run(until=10)
    fired: list[float] = []
    sim.at(3, lambda: fired.append(sim.now))
    timer = Timer(sim, 12, lambda: fired.append(-1))
    timer.cancel()
    sim.run(until=20)
    assert fired == [10]


def test_the_rng_is_seeded():
    assert Simulation(3).rng.random() == Simulation(3).rng.random()
    assert Simulation(3).rng.random() != Simulation(4).rng.random()
