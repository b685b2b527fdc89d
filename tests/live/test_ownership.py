"""Who read each partition when (app/live/labs/ownership.py): the lanes follow the members' assignments exactly."""

from __future__ import annotations

from app.live.flow import with_wire
from app.live.labs import LABS
from app.live.labs.ownership import OwnershipLanes
from app.sim import Scenario, control

LAB = LABS["consumers"]


def run(settings: dict, faults: list[tuple[float, str, str]], until: float, window_ms: float = 60000.0) -> OwnershipLanes:
    sc = Scenario(with_wire(LAB.build_spec({**LAB.preset, **settings})), LAB.seed, keep_log_bytes=False)
    lanes = OwnershipLanes(sc, "billing", "orders", window_ms)
    for at, action, target in faults:
        control.run_until(sc, at)
        control.inject_fault(sc, action, target)
    control.run_until(sc, until)
    return lanes


def test_each_lane_ends_with_the_member_that_holds_the_partition_now_and_never_repeats_itself():
    lanes = run({"partition.assignment.strategy": "cooperative-sticky"},
                [(6000, "add_consumer", "billing"), (12000, "kill_consumer", "billing-0")], 30000)
    holders = {tp.partition: name for name, c in lanes.sc.groups.members.items() if not c.closed for tp in c.assignment}
    assert [lane[-1][2] for lane in lanes.lanes] == [holders.get(p) for p in range(3)]
    for lane in lanes.lanes:
        assert lane[-1][1] is None and all(seg[1] is not None for seg in lane[:-1])
        for a, b in zip(lane, lane[1:]):
            assert a[1] == b[0] and a[0] < a[1] and a[2] != b[2]  # back to back, never empty, never the same reader twice


def test_a_killed_member_s_partitions_have_no_reader_from_the_instant_it_dies():
    lanes = run({}, [(12000, "kill_consumer", "billing-2")], 14000)
    assert lanes.lanes[2][-1] == [12000.0, None, None]
    assert lanes.view(14000)[2][-1] == [12000.0, None, None]


def test_the_lanes_keep_only_the_window_and_the_view_cuts_at_its_start():
    lanes = run({}, [(3000, "add_consumer", "billing"), (9000, "close_consumer", "billing-3")], 20000, window_ms=5000)
    for lane in lanes.lanes:
        assert all(seg[1] is None or seg[1] >= 9000 - 5000 for seg in lane)
    view = lanes.view(20000)
    assert all(lane[0][0] >= 15000 for lane in view)
