"""The classic and KIP-848 assignors: Kafka's own outputs, kafka-python as an oracle, Kafka's properties.

Hand-ported expectations from Kafka's unit tests are in test_assignors_kafka_cases.py.
"""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sim import assign_partitions
from app.sim.consumer import (
    cooperative_first_round, cooperative_sticky_assign, partitions_to_revoke, partitions_transferring_ownership,
)
from app.sim.coordinator import range_assign, uniform_assign
from app.sim.coordinator.topic_ids import uuid_sort_key

with warnings.catch_warnings():
    # kafka-python loads its protocol schemas with importlib.resources.read_text, deprecated on 3.11+.
    warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor

GOLDEN = Path(__file__).parent / "golden" / "assignors_kafka.jsonl"
TOPICS = ["t0", "t1", "t2", "t3"]


# --- Kafka's own output -------------------------------------------------------------------------

def _format_client(assignment: dict[str, list[tuple[str, int]]]) -> str:
    return ";".join(f"{m}=" + ",".join(f"{t}:{p}" for t, p in sorted(assignment[m])) for m in sorted(assignment))


def _format_server(assignment: dict[str, dict[str, list[int]]]) -> str:
    return ";".join(f"{m}=" + ",".join(f"{t}:" + ".".join(map(str, ps)) for t, ps in
                                       sorted(assignment[m].items(), key=lambda e: uuid_sort_key(e[0])))
                    for m in sorted(assignment))


def _golden_cases() -> list[dict]:
    return [json.loads(line) for line in GOLDEN.read_text().splitlines()]


def _replay(case: dict) -> str:
    racks = dict(generations=case.get("generations", {}), member_racks=case.get("member_racks", {}),
                 partition_racks=case.get("partition_racks", {}))
    owned = {m: [tuple(tp) for tp in tps] for m, tps in case.get("owned", {}).items()}
    if case["side"] == "server":
        assign = uniform_assign if case["kind"] == "uniform" else range_assign
        return _format_server(assign(case.get("members", {}), case.get("partitions", {}), case.get("current", {}),
                                     instance_ids=case.get("instance_ids", {})))
    if case["strategy"] == "cooperative-sticky":
        target, first = cooperative_sticky_assign(case.get("members", {}), case.get("partitions", {}), owned, **racks)
        return _format_client(target) + "#" + _format_client(first)
    return _format_client(assign_partitions(case["strategy"], case.get("members", {}), case.get("partitions", {}), owned,
                                            instance_ids=case.get("instance_ids", {}), **racks))


def test_golden_file_covers_every_assignor_with_racks_generations_and_static_members() -> None:
    cases = _golden_cases()
    kinds = {c.get("strategy") or c["kind"] for c in cases}
    assert kinds == {"range", "roundrobin", "sticky", "cooperative-sticky", "uniform"}
    assert sum(1 for c in cases if c.get("partition_racks")) > 20
    assert sum(1 for c in cases if c.get("generations")) > 20
    assert sum(1 for c in cases if c.get("instance_ids")) > 20
    assert sum(1 for c in cases if c["side"] == "server" and c.get("current")) > 50


def test_every_assignor_equals_kafkas_java_classes_on_recorded_cases() -> None:
    """260 random groups run through Kafka 4.0's own assignor classes (JDK 17); ours must agree exactly.

    The members went into the subscriptions HashMap in String order, as our model assumes.
    """
    mismatches = [c for c in _golden_cases() if _replay(c) != c["expected"]]
    assert mismatches == []


# --- kafka-python as an oracle -----------------------------------------------------------------

class _Cluster:
    def __init__(self, partitions: dict[str, int]) -> None:
        self._partitions = partitions

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return set(range(self._partitions[topic])) if topic in self._partitions else None

    def topics(self) -> set[str]:
        return set(self._partitions)


def _kafka_python(assignor: object, members: dict[str, list[str]], partitions: dict[str, int],
                  instance_ids: dict[str, str] | None = None) -> dict[str, list[tuple[str, int]]]:
    joined = [SimpleNamespace(member_id=m, group_instance_id=(instance_ids or {}).get(m),
                              metadata=SimpleNamespace(topics=ts, user_data=b"")) for m, ts in members.items()]
    result = assignor.assign(_Cluster(partitions), joined)  # type: ignore[attr-defined]
    return {m: sorted((t, p) for t, ps in a.assigned_partitions for p in ps) for m, a in result.items()}


member_ids = st.lists(st.sampled_from([f"consumer-{i}" for i in range(12)] + ["a", "B", "zz", "c-10", "c-9"]),
                      min_size=1, max_size=8, unique=True)


@st.composite
def groups(draw: st.DrawFn, static: bool = False) -> tuple[dict[str, list[str]], dict[str, int], dict[str, str]]:
    members = draw(member_ids)
    partitions = draw(st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 7), min_size=1))
    subscribable = sorted(partitions) + (["missing"] if draw(st.booleans()) else [])
    subscriptions = {m: draw(st.lists(st.sampled_from(subscribable), min_size=1, unique=True)) for m in members}
    instance_ids: dict[str, str] = {}
    if static:
        # kafka-python sorts static members before dynamic ones only when they come first in its
        # input (itertools.groupby on unsorted input), so the oracle gets them first.
        chosen = draw(st.lists(st.sampled_from(members), unique=True))
        instance_ids = {m: f"instance-{draw(st.integers(0, 99))}-{m}" for m in chosen}
        subscriptions = {m: subscriptions[m] for m in sorted(members, key=lambda m: m not in instance_ids)}
    return subscriptions, partitions, instance_ids


def _random_group(rng: random.Random) -> tuple[dict[str, list[str]], dict[str, int], dict[str, str]]:
    """Like groups(static=True), from a seeded generator: thousands of cases cost well under a second."""
    partitions = {t: rng.randint(1, 7) for t in rng.sample(TOPICS, rng.randint(1, 4))}
    subscribable = sorted(partitions) + ["missing"]
    names = rng.sample([f"consumer-{i}" for i in range(12)] + ["a", "B", "zz", "c-10", "c-9"], rng.randint(1, 8))
    instance_ids = {m: f"instance-{rng.randint(0, 99)}-{m}" for m in names if rng.random() < 0.3}
    members = {m: rng.sample(subscribable, rng.randint(1, len(subscribable)))
               for m in sorted(names, key=lambda m: m not in instance_ids)}
    return members, partitions, instance_ids


def test_range_and_roundrobin_equal_kafka_python_on_3000_random_groups() -> None:
    rng = random.Random(848)
    for _ in range(3000):
        members, partitions, instance_ids = _random_group(rng)
        assert assign_partitions("range", members, partitions, instance_ids=instance_ids) == \
            _kafka_python(RangePartitionAssignor, members, partitions, instance_ids)
        same = dict.fromkeys(members, next(iter(members.values())))
        assert assign_partitions("roundrobin", same, partitions, instance_ids=instance_ids) == \
            _kafka_python(RoundRobinPartitionAssignor, same, partitions, instance_ids)


def test_sticky_from_scratch_equals_kafka_python_on_1000_random_groups() -> None:
    rng = random.Random(429)
    for _ in range(1000):
        members, partitions, _ = _random_group(rng)
        expected = _kafka_python(StickyPartitionAssignor(), members, partitions)
        assert assign_partitions("sticky", members, partitions) == expected
        assert assign_partitions("cooperative-sticky", members, partitions) == expected


@settings(max_examples=150, deadline=None)
@given(groups(static=True))
def test_range_equals_kafka_python(group: tuple[dict[str, list[str]], dict[str, int], dict[str, str]]) -> None:
    members, partitions, instance_ids = group
    assert assign_partitions("range", members, partitions, instance_ids=instance_ids) == \
        _kafka_python(RangePartitionAssignor, members, partitions, instance_ids)


@settings(max_examples=150, deadline=None)
@given(groups(static=True))
def test_roundrobin_equals_kafka_python(group: tuple[dict[str, list[str]], dict[str, int], dict[str, str]]) -> None:
    """Same subscriptions only: kafka-python crashes when it must skip a member (next test)."""
    members, partitions, instance_ids = group
    members = dict.fromkeys(members, next(iter(members.values())))
    assert assign_partitions("roundrobin", members, partitions, instance_ids=instance_ids) == \
        _kafka_python(RoundRobinPartitionAssignor, members, partitions, instance_ids)


@settings(max_examples=100, deadline=None)
@given(groups())
def test_sticky_without_previous_assignment_equals_kafka_python(
        group: tuple[dict[str, list[str]], dict[str, int], dict[str, str]]) -> None:
    """kafka-python's StickyPartitionAssignor ports Kafka's general algorithm of 2.3; from scratch it agrees.

    With owned partitions it does not: it has no ConstrainedAssignmentBuilder (2.8+), so members
    with equal subscriptions keep different partitions; those cases are checked by property below.
    """
    members, partitions, _ = group
    for strategy in ("sticky", "cooperative-sticky"):
        assert assign_partitions(strategy, members, partitions) == \
            _kafka_python(StickyPartitionAssignor(), members, partitions)


def test_kafka_python_range_drops_static_members_that_do_not_come_first() -> None:
    """Why the oracle above orders its input: kafka-python 3.0 groups static and dynamic members with
    itertools.groupby, which only groups neighbours, so a static member listed after a dynamic one
    is lost.  Kafka (MemberInfo.compareTo) assigns every member."""
    members = {"s1": ["t"], "d1": ["t"], "s2": ["t"]}
    instance_ids = {"s1": "i1", "s2": "i2"}
    ours = assign_partitions("range", members, {"t": 3}, instance_ids=instance_ids)
    assert ours == {"s1": [("t", 0)], "d1": [("t", 2)], "s2": [("t", 1)]}
    theirs = _kafka_python(RangePartitionAssignor, members, {"t": 3}, instance_ids)
    assert theirs != ours and sum(map(len, theirs.values())) == 3 and theirs["s1"] == []


def test_kafka_python_roundrobin_crashes_where_kafka_skips_an_unsubscribed_member() -> None:
    """kafka-python 3.0 rebinds member_id to a (group_instance_id, member_id) tuple when it skips a
    member, then looks the tuple up.  Kafka's RoundRobinAssignor skips it (worked by hand from
    RoundRobinAssignor.assign: consumer-0 is not subscribed to t0, so t0-0 goes to consumer-1)."""
    members = {"consumer-0": ["t1"], "consumer-1": ["t0"]}
    assert assign_partitions("roundrobin", members, {"t0": 1, "t1": 1}) == \
        {"consumer-0": [("t1", 0)], "consumer-1": [("t0", 0)]}
    with pytest.raises(KeyError):
        _kafka_python(RoundRobinPartitionAssignor, members, {"t0": 1, "t1": 1})


# --- Kafka's properties for the sticky assignors -------------------------------------------------

@st.composite
def rebalances(draw: st.DrawFn) -> tuple[dict[str, list[str]], dict[str, int], dict[str, list[tuple[str, int]]]]:
    """A group, then a rebalance after members left, joined or changed subscriptions."""
    before, partitions, _ = draw(groups())
    previous = assign_partitions("sticky", before, partitions)
    after = {m: ts for m, ts in before.items() if draw(st.integers(0, 4))}
    for extra in draw(st.lists(st.sampled_from(["new-1", "new-2", "new-3"]), unique=True)):
        after[extra] = draw(st.lists(st.sampled_from(sorted(partitions)), min_size=1, unique=True))
    if not after:
        after = {"new-1": sorted(partitions)}
    if draw(st.booleans()):
        same = sorted(partitions)
        after = dict.fromkeys(after, same)
    owned = {m: tps for m, tps in previous.items() if m in after}
    return after, partitions, owned


def _check_sticky_properties(members: dict[str, list[str]], partitions: dict[str, int],
                             owned: dict[str, list[tuple[str, int]]],
                             result: dict[str, list[tuple[str, int]]]) -> None:
    subscribed = {(t, p) for ts in members.values() for t in ts if t in partitions for p in range(partitions[t])}
    handed = [tp for tps in result.values() for tp in tps]
    assert sorted(handed) == sorted(subscribed)  # every subscribed partition exactly once
    assert set(result) == set(members)
    for member, tps in result.items():
        assert all(t in members[member] for t, _ in tps)
    # Balance among members with the same subscriptions.
    by_subscription: dict[frozenset[str], list[int]] = {}
    for member, topics in members.items():
        by_subscription.setdefault(frozenset(topics), []).append(len(result[member]))
    if len(by_subscription) == 1:
        sizes = next(iter(by_subscription.values()))
        assert max(sizes) - min(sizes) <= 1
        # Stickiness: with equal subscriptions no member keeps fewer of its own partitions than
        # the quota lets it (min(owned, floor(P / M)) at least).
        quota = len(subscribed) // len(members)
        for member, tps in owned.items():
            kept = len(set(tps) & set(result[member]))
            assert kept >= min(len(set(tps) & subscribed), quota)


@settings(max_examples=200, deadline=None)
@given(rebalances())
def test_sticky_is_complete_balanced_and_sticky(
        case: tuple[dict[str, list[str]], dict[str, int], dict[str, list[tuple[str, int]]]]) -> None:
    members, partitions, owned = case
    for strategy in ("sticky", "cooperative-sticky"):
        result = assign_partitions(strategy, members, partitions, owned, generations=dict.fromkeys(owned, 1))
        _check_sticky_properties(members, partitions, owned, result)


@settings(max_examples=100, deadline=None)
@given(rebalances())
def test_cooperative_first_round_never_hands_over_a_partition_still_owned(
        case: tuple[dict[str, list[str]], dict[str, int], dict[str, list[tuple[str, int]]]]) -> None:
    members, partitions, owned = case
    target, first = cooperative_sticky_assign(members, partitions, owned, generations=dict.fromkeys(owned, 1))
    for member, tps in first.items():
        assert set(tps) <= set(target[member])
        for tp in set(tps) - set(owned.get(member, ())):
            assert not any(tp in owned[other] for other in owned if other != member)
    held_back = {tp for m in target for tp in set(target[m]) - set(first[m])}
    assert held_back == set(partitions_transferring_ownership(owned, target))
    # Each held-back partition is one its current owner must revoke this round.
    revoked = {tp for tps in partitions_to_revoke(owned, first).values() for tp in tps}
    assert held_back <= revoked


# --- worked behaviour of the helpers -------------------------------------------------------------

def test_cooperative_rebalance_takes_two_rounds_for_moved_partitions() -> None:
    """KIP-429: c-1 owns all six; c-2 joins.  Round one gives c-2 nothing and tells c-1 to revoke
    three; round two (c-1 now owning three) gives them to c-2."""
    members = {"c-1": ["orders"], "c-2": ["orders"]}
    owned = {"c-1": [("orders", p) for p in range(6)]}
    target, first = cooperative_sticky_assign(members, {"orders": 6}, owned, generations={"c-1": 1})
    assert target == {"c-1": [("orders", 0), ("orders", 1), ("orders", 2)],
                      "c-2": [("orders", 3), ("orders", 4), ("orders", 5)]}
    assert first == {"c-1": target["c-1"], "c-2": []}
    assert first == cooperative_first_round(owned, target)
    assert partitions_to_revoke(owned, first) == {"c-1": [("orders", 3), ("orders", 4), ("orders", 5)], "c-2": []}
    owned = {m: tps for m, tps in first.items()}
    target2, second = cooperative_sticky_assign(members, {"orders": 6}, owned, generations={"c-1": 2, "c-2": 2})
    assert second == target2 == target


@pytest.mark.parametrize("strategy", ["range", "roundrobin", "sticky", "cooperative-sticky"])
def test_same_input_same_output_whatever_the_dict_order(strategy: str) -> None:
    rng = random.Random(7)
    for _ in range(60):
        members = {f"m{rng.randint(0, 30)}": rng.sample(TOPICS, rng.randint(1, 4)) for _ in range(rng.randint(1, 9))}
        partitions = {t: rng.randint(1, 8) for t in TOPICS}
        previous = assign_partitions("roundrobin", members, partitions)
        owned = {m: tps[: rng.randint(0, len(tps))] for m, tps in previous.items()}
        racks = {m: rng.choice("ab") for m in members}
        replica_racks = {t: [[rng.choice("abc")] for _ in range(n)] for t, n in partitions.items()}
        kwargs = dict(member_racks=racks, partition_racks=replica_racks, generations=dict.fromkeys(members, 3))
        expected = assign_partitions(strategy, members, partitions, owned, **kwargs)
        shuffled = list(members.items())
        rng.shuffle(shuffled)
        topics = list(partitions.items())
        rng.shuffle(topics)
        again = assign_partitions(strategy, dict(shuffled), dict(topics), dict(reversed(list(owned.items()))),
                                  **kwargs)
        assert again == expected
        assert list(again) == list(dict(shuffled))  # the caller's member order is kept in the keys


def test_server_side_assignors_ignore_dict_order() -> None:
    rng = random.Random(3)
    topic_ids = ["T1-A4s3VTwiI5CTbEp6POw", "T2-B4s3VTwiI5YHbPp6YUe", "T3-CU8fVTLCz5YMkLoDQsa"]
    for _ in range(60):
        members = {f"member-{rng.randint(0, 20)}": rng.sample(topic_ids, rng.randint(1, 3)) for _ in range(6)}
        partitions = {t: rng.randint(1, 9) for t in topic_ids}
        current = range_assign(members, partitions)
        for assign in (uniform_assign, range_assign):
            expected = assign(members, partitions, current)
            shuffled = dict(reversed(list(members.items())))
            assert assign(shuffled, dict(reversed(list(partitions.items()))), current) == expected


# --- bad input -----------------------------------------------------------------------------------

def test_unknown_strategy_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="'sticky-ish' is not one of range, roundrobin, sticky, cooperative-sticky"):
        assign_partitions("sticky-ish", {"c": ["t"]}, {"t": 1})


@pytest.mark.parametrize("count", [-1, "6", 2.0, True])
def test_bad_partition_count_names_topic_and_value(count: object) -> None:
    with pytest.raises(ValueError, match=r"partition count of topic 't' must be an integer >= 0, got"):
        assign_partitions("range", {"c": ["t"]}, {"t": count})  # type: ignore[dict-item]


def test_topic_missing_from_metadata_is_skipped_as_kafka_does() -> None:
    """AbstractPartitionAssignor.assign: 'Skipping assignment for topic ... since no metadata is available'."""
    for strategy in ("range", "roundrobin", "sticky", "cooperative-sticky"):
        assert assign_partitions(strategy, {"c": ["t", "ghost"]}, {"t": 2}) == {"c": [("t", 0), ("t", 1)]}


def test_bad_owned_and_option_input() -> None:
    with pytest.raises(ValueError, match="partition t-5 does not exist; t has partitions 0..1"):
        assign_partitions("sticky", {"c": ["t"]}, {"t": 2}, {"c": [("t", 5)]})
    with pytest.raises(ValueError, match="owned names member 'x', which is not in members"):
        assign_partitions("sticky", {"c": ["t"]}, {"t": 2}, {"x": []})
    with pytest.raises(ValueError, match="must be a list of topics"):
        assign_partitions("range", {"c": "t"}, {"t": 2})
    with pytest.raises(ValueError, match=r"partition_racks\['t'\] must list 2 partitions' racks, got 1"):
        assign_partitions("range", {"c": ["t"]}, {"t": 2}, partition_racks={"t": [["a"]]})
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['generation'\\]"):
        assign_partitions("sticky", {"c": ["t"]}, {"t": 2}, generation={"c": 1})  # type: ignore[call-arg]


def test_server_side_bad_input() -> None:
    t1 = "T1-A4s3VTwiI5CTbEp6POw"
    with pytest.raises(ValueError, match="doesn't exist in the topic metadata"):
        uniform_assign({"A": [t1]}, {})
    with pytest.raises(ValueError, match="'orders' is not a Kafka Uuid"):
        uniform_assign({"A": ["orders"]}, {"orders": 3})
    with pytest.raises(ValueError, match="must be an integer >= 0, got -3"):
        range_assign({"A": [t1]}, {t1: -3})
    with pytest.raises(ValueError, match="in the current assignment of both 'A' and 'B'"):
        uniform_assign({"A": [t1], "B": [t1]}, {t1: 3}, {"A": {t1: [0]}, "B": {t1: [0]}})
    with pytest.raises(ValueError, match="subscription_type 'MIXED' is not one of HOMOGENEOUS, HETEROGENEOUS"):
        uniform_assign({"A": [t1]}, {t1: 3}, subscription_type="MIXED")


@st.composite
def kip848_groups(draw: st.DrawFn) -> tuple[dict[str, list[str]], dict[str, int], dict[str, dict[str, list[int]]]]:
    topic_ids = ["T1-A4s3VTwiI5CTbEp6POw", "T2-B4s3VTwiI5YHbPp6YUe", "T3-CU8fVTLCz5YMkLoDQsa", "AAAAAAAAAAAAAAAAAAAAAQ"]
    partitions = {t: draw(st.integers(0, 9)) for t in topic_ids}
    members = draw(st.lists(st.sampled_from([f"member-{i}" for i in range(10)]), min_size=1, max_size=8, unique=True))
    same = draw(st.booleans())
    first = draw(st.lists(st.sampled_from(topic_ids), unique=True))
    subscriptions = {m: first if same else draw(st.lists(st.sampled_from(topic_ids), unique=True)) for m in members}
    current: dict[str, dict[str, list[int]]] = {}
    for t, n in partitions.items():
        for p in range(n):
            owner = draw(st.sampled_from([None, *members]))
            if owner is not None:
                current.setdefault(owner, {}).setdefault(t, []).append(p)
    return subscriptions, partitions, current


@settings(max_examples=150, deadline=None)
@given(kip848_groups())
def test_uniform_assignor_is_complete_balanced_and_sticky(
        group: tuple[dict[str, list[str]], dict[str, int], dict[str, dict[str, list[int]]]]) -> None:
    members, partitions, current = group
    result = uniform_assign(members, partitions, current)
    assert set(result) == set(members)
    handed = sorted((t, p) for a in result.values() for t, ps in a.items() for p in ps)
    subscribed = sorted({(t, p) for ts in members.values() for t in ts for p in range(partitions[t])})
    assert handed == subscribed
    for member, assignment in result.items():
        assert set(assignment) <= set(members[member])
    if len({frozenset(ts) for ts in members.values()}) == 1:
        sizes = [sum(map(len, a.values())) for a in result.values()]
        assert max(sizes) - min(sizes) <= 1
        quota = len(subscribed) // len(members)
        for member, owned in current.items():
            still = {(t, p) for t, ps in owned.items() if t in members[member] for p in ps}
            kept = {(t, p) for t, ps in result[member].items() for p in ps} & still
            assert len(kept) >= min(len(still), quota)


def test_sticky_fails_where_kafkas_general_builder_throws() -> None:
    """Found by running Kafka's classes on random groups: consumer-31 (generation -1) owned t0-0 but now
    subscribes to nothing that exists, so it takes no part in reassignment; GeneralAssignmentBuilder
    then dereferences its null assignment (prevAssignment) and the leader's assignment fails."""
    members = {"consumer-15": ["t0", "t1"], "consumer-31": ["t1"], "consumer-7": ["t0"]}
    with pytest.raises(RuntimeError, match="NullPointerException"):
        assign_partitions("sticky", members, {"t0": 2}, {"consumer-31": [("t0", 0)]}, generations={"consumer-15": 3},
                          member_racks={"consumer-31": "a", "consumer-7": "a"}, partition_racks={"t0": [["a"], ["c"]]})
