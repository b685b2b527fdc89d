"""Worked examples from Kafka's own unit tests (Kafka 4.0 sources), ported with their expectations.

Each test names the Java test it comes from.  Kafka's tests that use random topic ids
(coordinator RangeAssignorTest) get fixed ids here; those assignors sort members, so the
ids do not change the result.
"""

from __future__ import annotations

import pytest

from app.sim import assign_partitions
from app.sim.consumer import cooperative_sticky_assign
from app.sim.coordinator import range_assign, uniform_assign

# AbstractStickyAssignorTest, RangeAssignorTest, RoundRobinAssignorTest names.
T, T1, T2, T3 = "topic", "topic1", "topic2", "topic3"
C1, C2, C3, C4 = "consumer1", "consumer2", "consumer3", "consumer4"
# OptimizedUniformAssignmentBuilderTest / UniformHeterogeneousAssignmentBuilderTest topic ids.
U1, U2, U3, U4 = "T1-A4s3VTwiI5CTbEp6POw", "T2-B4s3VTwiI5YHbPp6YUe", "T3-CU8fVTLCz5YMkLoDQsa", "T4-Tw9fVTLCz5HbPp6YQsa"


def tps(*pairs: tuple[str, int]) -> list[tuple[str, int]]:
    return sorted(pairs)


def p(topic: str, *partitions: int) -> list[tuple[str, int]]:
    return [(topic, n) for n in partitions]


# --- RangeAssignorTest and RoundRobinAssignorTest: the cases both hold, with the same expectations ---

@pytest.mark.parametrize("strategy", ["range", "roundrobin"])
def test_range_and_roundrobin_shared_cases(strategy: str) -> None:
    """testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions,
    testMultipleConsumersMixedTopics (round robin skips consumer1 and consumer3 for topic2)"""
    assert assign_partitions(strategy, {C1: [T1], C2: [T1]}, {T1: 1}) == {C1: p(T1, 0), C2: []}
    assert assign_partitions(strategy, {C1: [T1], C2: [T1]}, {T1: 2}) == {C1: p(T1, 0), C2: p(T1, 1)}
    result = assign_partitions(strategy, {C1: [T1], C2: [T1, T2], C3: [T1]}, {T1: 3, T2: 2})
    assert result == {C1: p(T1, 0), C2: tps(*p(T1, 1), *p(T2, 0, 1)), C3: p(T1, 2)}


# --- org.apache.kafka.clients.consumer.RangeAssignorTest ----------------------------------------

def test_range_one_consumer_no_topic_and_nonexistent_topic() -> None:
    """testOneConsumerNoTopic, testOneConsumerNonexistentTopic"""
    assert assign_partitions("range", {C1: []}, {}) == {C1: []}
    assert assign_partitions("range", {C1: [T1]}, {}) == {C1: []}


def test_range_one_consumer_one_topic_and_only_subscribed_topics() -> None:
    """testOneConsumerOneTopic, testOnlyAssignsPartitionsFromSubscribedTopics"""
    assert assign_partitions("range", {C1: [T1]}, {T1: 3}) == {C1: p(T1, 0, 1, 2)}
    assert assign_partitions("range", {C1: [T1]}, {T1: 3, "other": 3}) == {C1: p(T1, 0, 1, 2)}


def test_range_one_consumer_multiple_topics() -> None:
    """testOneConsumerMultipleTopics"""
    assert assign_partitions("range", {C1: [T1, T2]}, {T1: 1, T2: 2}) == {C1: tps(*p(T1, 0), *p(T2, 0, 1))}


def test_range_two_consumers_two_topics_six_partitions() -> None:
    """testTwoConsumersTwoTopicsSixPartitions"""
    result = assign_partitions("range", {C1: [T1, T2], C2: [T1, T2]}, {T1: 3, T2: 3})
    assert result == {C1: tps(*p(T1, 0, 1), *p(T2, 0, 1)), C2: tps(*p(T1, 2), *p(T2, 2))}


def test_range_static_members_order_by_instance_id() -> None:
    """testTwoStaticConsumersTwoTopicsSixPartitions, testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions"""
    low, high = "consumer-b", "consumer-a"
    members = {low: [T1, T2], high: [T1, T2]}
    expected = {low: tps(*p(T1, 0, 1), *p(T2, 0, 1)), high: tps(*p(T1, 2), *p(T2, 2))}
    assert assign_partitions("range", members, {T1: 3, T2: 3},
                             instance_ids={low: "instance1", high: "instance2"}) == expected
    assert assign_partitions("range", members, {T1: 3, T2: 3}, instance_ids={low: "instance1"}) == expected


def test_range_static_member_assignment_persistent() -> None:
    """testStaticMemberRangeAssignmentPersistent: a new dynamic member takes the old one's place."""
    static = {C1: "instance1", C2: "instance2", C3: "instance3"}
    expected = {C1: tps(*p(T1, 0, 1), *p(T2, 0)), C2: tps(*p(T1, 2), *p(T2, 1)),
                C3: tps(*p(T1, 3), *p(T2, 2))}
    first = assign_partitions("range", {**dict.fromkeys(static, [T1, T2]), C4: [T1, T2]}, {T1: 5, T2: 4},
                              instance_ids=static)
    assert first == {**expected, C4: tps(*p(T1, 4), *p(T2, 3))}
    second = assign_partitions("range", {**dict.fromkeys(static, [T1, T2]), "consumer5": [T1, T2]},
                               {T1: 5, T2: 4}, instance_ids=static)
    assert second == {**expected, "consumer5": tps(*p(T1, 4), *p(T2, 3))}


def test_range_static_assignment_persistent_after_member_id_changes() -> None:
    """testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges"""
    instances = {"instance1": tps(*p(T1, 0, 1), *p(T2, 0, 1)), "instance2": tps(*p(T1, 2, 3), *p(T2, 2, 3)),
                 "instance3": tps(*p(T1, 4), *p(T2, 4))}
    for ids in ([C1, C2, C3], [C3, C1, C2]):
        static = dict(zip(ids, instances))
        result = assign_partitions("range", dict.fromkeys(ids, [T1, T2]), {T1: 5, T2: 5}, instance_ids=static)
        assert {static[m]: a for m, a in result.items()} == instances


def rack_group(topics: dict[str, int], replication_factor: int, broker_racks: list[str | None],
               consumer_racks: list[str | None], consumer_topics: list[list[str]]) -> dict:
    """AbstractPartitionAssignorTest.verifyRackAssignment's set-up: consumer<i>; partition i of a topic has
    replicas on brokers (i + j + offset) % brokers, offset = partitions of the topics before it."""
    partition_racks: dict[str, list[list[str | None]]] = {}
    offset = 0
    for topic, count in topics.items():
        partition_racks[topic] = [[broker_racks[(i + j + offset) % len(broker_racks)] for j in range(replication_factor)]
                                  for i in range(count)]
        offset += count
    members = {f"consumer{i}": ts for i, ts in enumerate(consumer_topics)}
    racks = {f"consumer{i}": r for i, r in enumerate(consumer_racks)}
    return dict(members=members, partitions=topics, member_racks=racks, partition_racks=partition_racks)


def expect(*assignments: str) -> dict[str, list[tuple[str, int]]]:
    """Kafka's "t1-0, t1-3" strings, one per consumer<i>."""
    return {f"consumer{i}": sorted((tp.rsplit("-", 1)[0], int(tp.rsplit("-", 1)[1])) for tp in a.split(", ") if tp)
            for i, a in enumerate(assignments)}


RACKS3, RACKS2, NO_RACKS3 = ["a", "b", "c"], ["a", "b"], [None, None, None]
UNIFORM = {"t1": 6, "t2": 7, "t3": 2}
ALL3 = [["t1", "t2", "t3"]] * 3
NON_EQUAL = [["t1", "t2", "t3"], ["t1", "t2", "t3"], ["t1", "t3"]]


def range_racks(*args: object) -> dict[str, list[tuple[str, int]]]:
    g = rack_group(*args)  # type: ignore[arg-type]
    return assign_partitions("range", g["members"], g["partitions"], member_racks=g["member_racks"],
                             partition_racks=g["partition_racks"])


RANGE_PLAIN_UNIFORM = ("t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6")
RANGE_PLAIN_NON_EQUAL = ("t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0", "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1", "t1-4, t1-5")


@pytest.mark.parametrize(("subscriptions", "replication_factor", "broker_racks", "consumer_racks", "expected"), [
    # RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription
    (ALL3, 3, NO_RACKS3, RACKS3, RANGE_PLAIN_UNIFORM),
    (ALL3, 3, RACKS3, NO_RACKS3, RANGE_PLAIN_UNIFORM),
    (ALL3, 3, RACKS3, RACKS3, RANGE_PLAIN_UNIFORM),  # every partition on every rack: racks are no help
    (ALL3, 3, RACKS3, ["d", "e", "f"], RANGE_PLAIN_UNIFORM),
    (ALL3, 1, RACKS3, RACKS3,
     ("t1-0, t1-3, t2-0, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t3-0", "t1-2, t1-5, t2-2, t2-5, t3-1")),
    (ALL3, 2, RACKS3, RACKS3,
     ("t1-0, t1-2, t2-0, t2-2, t2-3, t3-1", "t1-1, t1-3, t2-1, t2-4, t3-0", "t1-4, t1-5, t2-5, t2-6")),
    (ALL3, 3, RACKS2, RACKS3, RANGE_PLAIN_UNIFORM),
    # RangeAssignorTest.testRackAwareAssignmentWithNonEqualSubscription
    (NON_EQUAL, 3, NO_RACKS3, RACKS3, RANGE_PLAIN_NON_EQUAL),
    (NON_EQUAL, 1, RACKS3, RACKS3,
     ("t1-0, t1-3, t2-0, t2-2, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t2-5, t3-0", "t1-2, t1-5, t3-1")),
    (NON_EQUAL, 2, RACKS3, RACKS3,
     ("t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1", "t1-1, t1-3, t2-1, t2-4, t2-6, t3-0", "t1-4, t1-5")),
    (NON_EQUAL, 3, RACKS2, RACKS3, RANGE_PLAIN_NON_EQUAL),
])
def test_range_rack_aware(subscriptions: list[list[str]], replication_factor: int, broker_racks: list[str | None],
                          consumer_racks: list[str | None], expected: tuple[str, ...]) -> None:
    assert range_racks(UNIFORM, replication_factor, broker_racks, consumer_racks, subscriptions) == expect(*expected)


def test_range_rack_aware_co_partitioning() -> None:
    """RangeAssignorTest.testRackAwareAssignmentWithCoPartitioning"""
    topics = {"t1": 6, "t2": 6, "t3": 2, "t4": 2}
    consumer_racks = ["a", "b", "b", "a"]
    split = [["t1", "t2"], ["t1", "t2"], ["t3", "t4"], ["t3", "t4"]]
    plain = expect("t1-0, t1-1, t1-2, t2-0, t2-1, t2-2", "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5", "t3-0, t4-0", "t3-1, t4-1")
    assert range_racks(topics, 3, RACKS2, consumer_racks, split) == plain
    assert range_racks(topics, 2, RACKS2, consumer_racks, split) == plain
    assert range_racks(topics, 1, RACKS2, consumer_racks, split) == \
        expect("t1-0, t1-2, t1-4, t2-0, t2-2, t2-4", "t1-1, t1-3, t1-5, t2-1, t2-3, t2-5", "t3-1, t4-1", "t3-0, t4-0")
    every = [["t1", "t2", "t3", "t4"]] * 4
    assert range_racks(topics, 1, RACKS2, consumer_racks, every) == \
        expect("t1-0, t1-2, t2-0, t2-2, t3-0, t4-0", "t1-1, t1-3, t2-1, t2-3, t3-1, t4-1", "t1-5, t2-5", "t1-4, t2-4")
    assert range_racks(topics, 1, RACKS3, consumer_racks, every) == \
        expect("t1-0, t1-3, t2-0, t2-3, t3-0, t4-0", "t1-1, t1-4, t2-1, t2-4, t3-1, t4-1", "t1-2, t2-2", "t1-5, t2-5")


# --- org.apache.kafka.clients.consumer.RoundRobinAssignorTest -----------------------------------

def test_roundrobin_one_consumer() -> None:
    """testOneConsumerNoTopic, testOneConsumerNonexistentTopic, testOneConsumerOneTopic,
    testOnlyAssignsPartitionsFromSubscribedTopics, testOneConsumerMultipleTopics"""
    assert assign_partitions("roundrobin", {"consumer": []}, {}) == {"consumer": []}
    assert assign_partitions("roundrobin", {"consumer": [T]}, {}) == {"consumer": []}
    assert assign_partitions("roundrobin", {"consumer": [T]}, {T: 3}) == {"consumer": p(T, 0, 1, 2)}
    assert assign_partitions("roundrobin", {"consumer": [T]}, {T: 3, "other": 3}) == {"consumer": p(T, 0, 1, 2)}
    assert assign_partitions("roundrobin", {"consumer": [T1, T2]}, {T1: 1, T2: 2}) == \
        {"consumer": tps(*p(T1, 0), *p(T2, 0, 1))}


def test_roundrobin_two_dynamic_consumers_two_topics_six_partitions() -> None:
    """testTwoDynamicConsumersTwoTopicsSixPartitions"""
    result = assign_partitions("roundrobin", {C1: [T1, T2], C2: [T1, T2]}, {T1: 3, T2: 3})
    assert result == {C1: tps(*p(T1, 0, 2), *p(T2, 1)), C2: tps(*p(T1, 1), *p(T2, 0, 2))}


def test_roundrobin_static_consumers() -> None:
    """testTwoStaticConsumersTwoTopicsSixPartitions, testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions"""
    members = {"consumer-b": [T1, T2], "consumer-a": [T1, T2]}
    expected = {"consumer-b": tps(*p(T1, 0, 2), *p(T2, 1)), "consumer-a": tps(*p(T1, 1), *p(T2, 0, 2))}
    assert assign_partitions("roundrobin", members, {T1: 3, T2: 3},
                             instance_ids={"consumer-b": "instance1", "consumer-a": "instance2"}) == expected
    assert assign_partitions("roundrobin", members, {T1: 3, T2: 3}, instance_ids={"consumer-b": "instance1"}) == expected


def test_roundrobin_static_member_assignment_persistent() -> None:
    """testStaticMemberRoundRobinAssignmentPersistent"""
    static = {C1: "instance1", C2: "instance2", C3: "instance3"}
    result = assign_partitions("roundrobin", {**dict.fromkeys(static, [T1, T2]), C4: [T1, T2]}, {T1: 3, T2: 3},
                               instance_ids=static)
    assert result == {C1: tps(*p(T1, 0), *p(T2, 1)), C2: tps(*p(T1, 1), *p(T2, 2)), C3: p(T1, 2), C4: p(T2, 0)}


# --- org.apache.kafka.clients.consumer.internals.AbstractStickyAssignorTest ---------------------

def sticky(members: dict[str, list[str]], partitions: dict[str, int],
           owned: dict[str, list[tuple[str, int]]] | None = None,
           generations: dict[str, int] | None = None) -> dict[str, list[tuple[str, int]]]:
    result = assign_partitions("sticky", members, partitions, owned, generations=generations or {})
    assert assign_partitions("cooperative-sticky", members, partitions, owned, generations=generations or {}) == result
    return result


def moving(members: dict[str, list[str]], partitions: dict[str, int], owned: dict[str, list[tuple[str, int]]],
           generations: dict[str, int]) -> dict[tuple[str, int], str]:
    """Kafka's partitionsTransferringOwnership, read off the cooperative first round."""
    target, first = cooperative_sticky_assign(members, partitions, owned, generations=generations)
    return {tp: m for m in target for tp in set(target[m]) - set(first[m])}


def test_sticky_trivial_groups() -> None:
    """testOneConsumerNoTopic, testOneConsumerNonexistentTopic, testOneConsumerOneTopic,
    testOnlyAssignsPartitionsFromSubscribedTopics, testOneConsumerMultipleTopics,
    testTwoConsumersOneTopicOnePartition, testTwoConsumersOneTopicTwoPartitions"""
    assert sticky({"consumer": []}, {}) == {"consumer": []}
    assert sticky({"consumer": [T]}, {}) == {"consumer": []}
    assert sticky({"consumer": [T]}, {T: 3}) == {"consumer": p(T, 0, 1, 2)}
    assert sticky({"consumer": [T]}, {T: 3, "other": 3}) == {"consumer": p(T, 0, 1, 2)}
    assert sticky({"consumer": [T1, T2]}, {T1: 1, T2: 2}) == {"consumer": tps(*p(T1, 0), *p(T2, 0, 1))}
    assert sticky({C1: [T], C2: [T]}, {T: 1}) == {C1: p(T, 0), C2: []}
    assert sticky({C1: [T], C2: [T]}, {T: 2}) == {C1: p(T, 0), C2: p(T, 1)}


def test_sticky_multiple_consumers_mixed_topic_subscriptions() -> None:
    """testMultipleConsumersMixedTopicSubscriptions (general builder)"""
    result = sticky({C1: [T1], C2: [T1, T2], C3: [T1]}, {T1: 3, T2: 2})
    assert result == {C1: p(T1, 0, 2), C2: p(T2, 0, 1), C3: p(T1, 1)}


def test_sticky_two_consumers_two_topics_six_partitions() -> None:
    """testTwoConsumersTwoTopicsSixPartitions"""
    result = sticky({C1: [T1, T2], C2: [T1, T2]}, {T1: 3, T2: 3})
    assert result == {C1: tps(*p(T1, 0, 2), *p(T2, 1)), C2: tps(*p(T1, 1), *p(T2, 0, 2))}


def test_sticky_consumer_owning_min_quota_expected_max_quota() -> None:
    """testConsumerOwningMinQuotaExpectedMaxQuota"""
    members = {C1: [T1, T2], C2: [T1, T2]}
    owned = {C1: tps(*p(T1, 0), *p(T2, 1)), C2: tps(*p(T1, 1), *p(T2, 2))}
    gens = {C1: 1, C2: 1}
    assert sticky(members, {T1: 2, T2: 3}, owned, gens) == {C1: tps(*p(T1, 0), *p(T2, 0, 1)), C2: owned[C2]}
    assert moving(members, {T1: 2, T2: 3}, owned, gens) == {}


def test_sticky_max_quota_consumers_more_than_expected() -> None:
    """testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers"""
    members = dict.fromkeys([C1, C2, C3], [T1, T2])
    owned = {C1: tps(*p(T1, 0), *p(T2, 0)), C2: tps(*p(T1, 1), *p(T2, 1)), C3: []}
    gens = dict.fromkeys(members, 1)
    assert sticky(members, {T1: 2, T2: 2}, owned, gens) == \
        {C1: p(T1, 0), C2: tps(*p(T1, 1), *p(T2, 1)), C3: p(T2, 0)}
    assert moving(members, {T1: 2, T2: 2}, owned, gens) == {(T2, 0): C3}


def test_sticky_all_consumers_under_min_quota() -> None:
    """testAllConsumersAreUnderMinQuota"""
    members = dict.fromkeys([C1, C2, C3], [T1, T2])
    owned = {C1: p(T1, 0), C2: p(T1, 1), C3: []}
    gens = dict.fromkeys(members, 1)
    assert sticky(members, {T1: 2, T2: 3}, owned, gens) == \
        {C1: tps(*p(T1, 0), *p(T2, 1)), C2: tps(*p(T1, 1), *p(T2, 2)), C3: p(T2, 0)}
    assert moving(members, {T1: 2, T2: 3}, owned, gens) == {}


def test_sticky_add_remove_consumer_one_topic() -> None:
    """testAddRemoveConsumerOneTopic"""
    first = sticky({C1: [T]}, {T: 3})
    assert first == {C1: p(T, 0, 1, 2)}
    members, owned, gens = {C1: [T], C2: [T]}, {C1: first[C1], C2: []}, {C1: 1, C2: 1}
    second = sticky(members, {T: 3}, owned, gens)
    assert second == {C1: p(T, 0, 1), C2: p(T, 2)}
    assert moving(members, {T: 3}, owned, gens) == {(T, 2): C2}
    assert sticky({C2: [T]}, {T: 3}, {C2: second[C2]}, {C2: 1}) == {C2: p(T, 0, 1, 2)}


def test_sticky_all_consumers_reach_expected_quota() -> None:
    """testAllConsumersReachExpectedQuotaAndAreConsideredFilled"""
    members = dict.fromkeys([C1, C2, C3], [T])
    owned = {C1: p(T, 0, 1), C2: p(T, 2), C3: []}
    assert sticky(members, {T: 4}, owned, dict.fromkeys(members, 1)) == {C1: p(T, 0, 1), C2: p(T, 2), C3: p(T, 3)}


def test_sticky_owned_partitions_invalidated_for_stale_or_no_generation() -> None:
    """testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration, ...WithNoGeneration"""
    members = {C1: [T, T2], C2: [T, T2]}
    claimed = tps(*p(T, 0, 2), *p(T2, 1))
    for stale in (9, -1):
        gens = {C1: 10, C2: stale}
        result = sticky(members, {T: 3, T2: 3}, {C1: claimed, C2: claimed}, gens)
        assert result == {C1: claimed, C2: tps(*p(T, 1), *p(T2, 0, 2))}
        assert moving(members, {T: 3, T2: 3}, {C1: claimed, C2: claimed}, gens) == {}


def test_sticky_partition_claimed_by_two_members_in_one_generation_moves() -> None:
    """testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration"""
    members = dict.fromkeys([C1, C2, C3], [T])
    owned = {C1: p(T, 0, 1), C2: p(T, 0, 2), C3: []}
    gens = dict.fromkeys(members, 1)
    assert sticky(members, {T: 3}, owned, gens) == {C1: p(T, 1), C2: p(T, 2), C3: p(T, 0)}
    assert moving(members, {T: 3}, owned, gens) == {(T, 0): C3}


def test_sticky_partitions_go_to_highest_generation() -> None:
    """testEnsurePartitionsAssignedToHighestGeneration"""
    members = dict.fromkeys([C1, C2, C3], [T, T2, T3])
    owned = {C1: tps(*p(T, 0), *p(T2, 0), *p(T3, 0)), C2: tps(*p(T, 1), *p(T2, 1), *p(T3, 1)),
             C3: tps(*p(T2, 1), *p(T3, 0), *p(T3, 2))}
    gens = {C1: 10, C2: 9, C3: 8}
    assert sticky(members, {T: 3, T2: 3, T3: 3}, owned, gens) == \
        {C1: owned[C1], C2: owned[C2], C3: tps(*p(T, 2), *p(T2, 2), *p(T3, 2))}


def test_sticky_no_reassignment_on_current_members() -> None:
    """testNoReassignmentOnCurrentMembers"""
    members = dict.fromkeys([C1, C2, C3, C4], [T, T2, T3, T1])
    owned = {C1: [], C2: tps(*p(T, 0), *p(T2, 0), *p(T1, 0)), C3: tps(*p(T3, 2), *p(T2, 2), *p(T1, 1)),
             C4: tps(*p(T3, 1), *p(T, 1), *p(T, 2))}
    gens = {C1: -1, C2: 9, C3: 8, C4: 7}
    result = sticky(members, {T: 3, T1: 3, T2: 3, T3: 3}, owned, gens)
    assert result[C1] == tps(*p(T1, 2), *p(T2, 1), *p(T3, 0))
    assert moving(members, {T: 3, T1: 3, T2: 3, T3: 3}, owned, gens) == {}


def test_sticky_owned_partitions_invalidated_for_multiple_generations() -> None:
    """testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration"""
    members = {C1: [T, T2], C2: [T, T2]}
    owned = {C1: tps(*p(T, 0, 1), *p(T2, 1)), C2: tps(*p(T, 0), *p(T2, 1, 2))}
    assert sticky(members, {T: 3, T2: 3}, owned, {C1: 10, C2: 8}) == \
        {C1: owned[C1], C2: tps(*p(T, 2), *p(T2, 0, 2))}


def sticky_racks(owned: str | None, *args: object) -> tuple[dict[str, list[tuple[str, int]]], dict[str, list[tuple[str, int]]]]:
    """(target, cooperative first round); owned as Kafka's per-consumer strings."""
    g = rack_group(*args)  # type: ignore[arg-type]
    owned_map = expect(*owned.split(" | ")) if owned else {}
    return cooperative_sticky_assign(g["members"], g["partitions"], owned_map, member_racks=g["member_racks"],
                                     partition_racks=g["partition_racks"])


def test_sticky_rack_aware_uniform_subscription() -> None:
    """AbstractStickyAssignorTest.testRackAwareAssignmentWithUniformSubscription (cooperative branch)"""
    aligned = expect("t1-0, t1-3, t2-0, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t3-0", "t1-2, t1-5, t2-2, t2-5, t3-1")
    for args in ((3, NO_RACKS3, RACKS3), (3, RACKS3, NO_RACKS3), (3, RACKS3, RACKS3), (1, RACKS3, RACKS3),
                 (2, RACKS3, RACKS3), (3, RACKS2, RACKS3)):
        assert sticky_racks(None, UNIFORM, *args, ALL3)[0] == aligned
    owned = "t1-0, t1-1, t1-2, t1-3, t1-4 | t1-5, t2-0, t2-1, t2-2, t2-3 | t2-4, t2-5, t2-6, t3-0, t3-1"
    target, first = sticky_racks(owned, UNIFORM, 1, RACKS3, RACKS3, ALL3)
    assert first == expect("t1-0, t1-3", "t2-1", "t2-5, t3-1")  # misaligned owned partitions are revoked first
    assert target == aligned


def test_sticky_rack_aware_non_equal_subscription() -> None:
    """AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (cooperative branch)"""
    plain = expect("t1-5, t2-0, t2-2, t2-4, t2-6", "t1-3, t2-1, t2-3, t2-5, t3-0", "t1-0, t1-1, t1-2, t1-4, t3-1")
    assert sticky_racks(None, UNIFORM, 3, NO_RACKS3, RACKS3, NON_EQUAL)[0] == plain
    assert sticky_racks(None, UNIFORM, 3, RACKS2, RACKS3, NON_EQUAL)[0] == plain
    rf1 = expect("t1-3, t2-0, t2-2, t2-3, t2-6", "t1-4, t2-1, t2-4, t2-5, t3-0", "t1-0, t1-1, t1-2, t1-5, t3-1")
    assert sticky_racks(None, UNIFORM, 1, RACKS3, RACKS3, NON_EQUAL)[0] == rf1
    assert sticky_racks(None, UNIFORM, 2, RACKS3, RACKS3, NON_EQUAL)[0] == \
        expect("t1-3, t2-0, t2-2, t2-5, t2-6", "t1-0, t2-1, t2-3, t2-4, t3-0", "t1-1, t1-2, t1-4, t1-5, t3-1")
    owned = "t1-0, t1-1, t1-2, t1-3, t1-4 | t1-5, t2-0, t2-1, t2-2, t2-3 | t2-4, t2-5, t2-6, t3-0, t3-1"
    intermediate = "t1-3 | t2-1 | t3-1"
    assert sticky_racks(owned, UNIFORM, 1, RACKS3, RACKS3, NON_EQUAL)[1] == expect(*intermediate.split(" | "))
    assert sticky_racks(intermediate, UNIFORM, 1, RACKS3, RACKS3, NON_EQUAL)[1] == rf1
    intermediate = "t1-2, t1-3, t1-4 | t2-0, t2-1, t2-2, t2-3 | t3-0, t3-1"
    assert sticky_racks(owned, UNIFORM, 3, RACKS3, RACKS3, NON_EQUAL)[1] == expect(*intermediate.split(" | "))
    assert sticky_racks(intermediate, UNIFORM, 3, RACKS3, RACKS3, NON_EQUAL)[1] == \
        expect("t1-2, t1-3, t1-4, t2-4, t2-5", "t2-0, t2-1, t2-2, t2-3, t2-6", "t1-0, t1-1, t1-5, t3-0, t3-1")


# --- coordinator OptimizedUniformAssignmentBuilderTest (homogeneous UniformAssignor) ------------

def test_uniform_homogeneous_no_subscription_and_nonexistent_topic() -> None:
    """testOneMemberNoTopicSubscription, testOneMemberSubscribedToNonexistentTopic"""
    assert uniform_assign({"A": []}, {U1: 3}) == {"A": {}}
    try:
        uniform_assign({"A": [U2]}, {U1: 3})
    except ValueError as e:
        assert "doesn't exist in the topic metadata" in str(e)
    else:
        raise AssertionError("PartitionAssignorException expected")


def test_uniform_homogeneous_first_assignments() -> None:
    """testFirstAssignmentTwoMembersTwoTopicsNoMemberRacks, testFirstAssignmentNumMembersGreaterThanTotalNumPartitions"""
    assert uniform_assign({"A": [U1, U3], "B": [U1, U3]}, {U1: 3, U3: 2}) == \
        {"A": {U1: [0], U3: [0, 1]}, "B": {U1: [1, 2]}}
    assert uniform_assign(dict.fromkeys("ABC", [U3]), {U3: 2}) == {"A": {U3: [0]}, "B": {U3: [1]}, "C": {}}


def test_uniform_homogeneous_partitions_added() -> None:
    """testReassignmentWhenPartitionsAreAddedForTwoMembersTwoTopics"""
    current = {"A": {U1: [0, 2], U2: [0]}, "B": {U1: [1], U2: [1, 2]}}
    assert uniform_assign(dict.fromkeys("AB", [U1, U2]), {U1: 6, U2: 5}, current) == \
        {"A": {U1: [0, 2, 3], U2: [0, 3, 4]}, "B": {U1: [1, 4, 5], U2: [1, 2]}}


def test_uniform_homogeneous_previous_assignment_read_in_hashmap_order() -> None:
    """testReassignmentForTwoMembersTwoTopicsGivenUnbalancedPrevAssignment and
    testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics build the previous
    assignment with mkOrderedAssignment (topic1 first), so member A keeps its topic1 partitions.  The
    coordinator holds assignments in HashMaps (Assignment.fromRecord), where this topic2 id comes
    first, so A keeps topic2's; our recorded Java runs (test_assignors.py) build them that way."""
    current = {"A": {U1: [0, 1], U2: [0, 1]}, "B": {U1: [2], U2: [2]}}
    # Kafka's ordered-map expectation: A {U1: [0, 1], U2: [0]}, B {U1: [2], U2: [1, 2]}
    assert uniform_assign(dict.fromkeys("AB", [U1, U2]), {U1: 3, U2: 3}, current) == \
        {"A": {U1: [0], U2: [0, 1]}, "B": {U1: [1, 2], U2: [2]}}
    current = {"A": {U1: [0, 2], U2: [0]}, "B": {U1: [1], U2: [1, 2]}}
    # Kafka's ordered-map expectation: A {U1: [0, 2]}, B {U1: [1], U2: [1]}, C {U2: [0, 2]}
    assert uniform_assign(dict.fromkeys("ABC", [U1, U2]), {U1: 3, U2: 3}, current) == \
        {"A": {U1: [0], U2: [0]}, "B": {U2: [1, 2]}, "C": {U1: [1, 2]}}


def test_uniform_homogeneous_member_removed() -> None:
    """testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics"""
    current = {"A": {U1: [0], U2: [0]}, "B": {U1: [1], U2: [1]}}
    assert uniform_assign(dict.fromkeys("AB", [U1, U2]), {U1: 3, U2: 3}, current) == \
        {"A": {U1: [0], U2: [0, 2]}, "B": {U1: [1, 2], U2: [1]}}


# --- coordinator UniformHeterogeneousAssignmentBuilderTest --------------------------------------

def test_uniform_heterogeneous_first_assignments() -> None:
    """testTwoMembersNoTopicSubscription, testFirstAssignmentTwoMembersTwoTopics,
    testFirstAssignmentNumMembersGreaterThanTotalNumPartitions"""
    assert uniform_assign({"A": [], "B": []}, {U1: 3}) == {"A": {}, "B": {}}
    assert uniform_assign({"A": [U1, U3], "B": [U3]}, {U1: 3, U3: 6}) == \
        {"A": {U1: [0, 1, 2], U3: [4]}, "B": {U3: [0, 1, 2, 3, 5]}}
    assert uniform_assign({"A": [U3], "B": [U3], "C": [U1]}, {U3: 1, U1: 2}) == \
        {"A": {U3: [0]}, "B": {}, "C": {U1: [0, 1]}}


def test_uniform_heterogeneous_unbalanced_previous_assignment() -> None:
    """testReassignmentForTwoMembersThreeTopicsGivenUnbalancedPrevAssignment"""
    current = {"A": {U1: [0, 1, 2]}, "B": {U1: [3], U2: [0]}, "C": {U1: [4, 5], U2: [1, 2, 3], U3: [0, 1, 2, 3]}}
    members = {"A": [U1], "B": [U1, U2], "C": [U1, U2, U3]}
    assert uniform_assign(members, {U1: 6, U2: 4, U3: 4}, current) == \
        {"A": {U1: [0, 1, 2, 5]}, "B": {U1: [3], U2: [0, 1, 2, 3]}, "C": {U1: [4], U3: [0, 1, 2, 3]}}


def test_uniform_heterogeneous_partitions_and_members_added() -> None:
    """testReassignmentWhenPartitionsAreAddedForTwoMembers,
    testReassignmentWhenOneMemberAddedAndPartitionsAddedTwoMembersTwoTopics"""
    current = {"A": {U1: [0, 1, 2, 3], U3: [0, 1]}, "B": {U2: [0, 1, 2], U4: [0, 1, 2]}}
    members = {"A": [U1, U3], "B": [U1, U2, U3, U4]}
    assert uniform_assign(members, {U1: 6, U2: 5, U3: 3, U4: 3}, current) == \
        {"A": {U1: [0, 1, 2, 3, 4, 5], U3: [0, 1, 2]}, "B": {U2: [0, 1, 2, 3, 4], U4: [0, 1, 2]}}
    current = {"A": {U1: [0, 2], U2: [0]}, "B": {U1: [1], U2: [1, 2]}}
    members = {"A": [U1], "B": [U1, U2], "C": [U1, U2]}
    assert uniform_assign(members, {U1: 6, U2: 7}, current) == \
        {"A": {U1: [0, 2, 3, 4, 5]}, "B": {U1: [1], U2: [1, 2, 6]}, "C": {U2: [0, 3, 4, 5]}}


# --- coordinator RangeAssignorTest (server side) -----------------------------------------------

def test_server_range_first_assignments() -> None:
    """testOneMemberNoTopic, testFirstAssignmentTwoMembersTwoTopicsSameSubscriptions,
    testFirstAssignmentThreeMembersThreeTopicsDifferentSubscriptions,
    testFirstAssignmentNumMembersGreaterThanNumPartitions"""
    assert range_assign({"A": []}, {U1: 3}) == {"A": {}}
    assert range_assign(dict.fromkeys("AB", [U1, U3]), {U1: 3, U3: 2}) == \
        {"A": {U1: [0, 1], U3: [0]}, "B": {U1: [2], U3: [1]}}
    assert range_assign({"A": [U1, U2], "B": [U3], "C": [U2, U3]}, {U1: 3, U2: 3, U3: 2}) == \
        {"A": {U1: [0, 1, 2], U2: [0, 1]}, "B": {U3: [0]}, "C": {U2: [2], U3: [1]}}
    assert range_assign(dict.fromkeys("ABC", [U1, U3]), {U1: 3, U3: 2}) == \
        {"A": {U1: [0], U3: [0]}, "B": {U1: [1], U3: [1]}, "C": {U1: [2]}}


def test_server_range_static_membership() -> None:
    """testStaticMembership, testMixedStaticMembership: a returning static member gets its range back."""
    first = range_assign({"A": [U1], "B": [U1]}, {U1: 3}, instance_ids={"A": "instanceA", "B": "instanceB"})
    again = range_assign({"memberA1": [U1], "B": [U1]}, {U1: 3}, instance_ids={"memberA1": "instanceA", "B": "instanceB"})
    assert again["memberA1"] == first["A"] and again["B"] == first["B"]
    ids = {"A": "instanceA", "C": "instanceC"}
    first = range_assign(dict.fromkeys("ABC", [U1]), {U1: 5}, instance_ids=ids)
    again = range_assign({"memberA1": [U1], "B": [U1], "C": [U1]}, {U1: 5},
                         instance_ids={"memberA1": "instanceA", "C": "instanceC"})
    assert again["memberA1"] == first["A"] and again["B"] == first["B"] and again["C"] == first["C"]


def test_server_range_reassignments() -> None:
    """testReassignmentNumMembersGreaterThanNumPartitionsWhenOneMemberAdded,
    testReassignmentWhenOnePartitionAddedForTwoMembersTwoTopics,
    testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics,
    testReassignmentWhenOneMemberAddedAndOnePartitionAfterInitialAssignmentWithTwoMembersTwoTopics,
    testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithTwoMembersTwoTopics,
    testReassignmentWhenMultipleSubscriptionsRemovedAfterInitialAssignmentWithThreeMembersTwoTopics"""
    current = {"A": {U1: [0], U2: [0]}, "B": {U1: [1], U2: [1]}}
    assert range_assign(dict.fromkeys("ABC", [U1, U2]), {U1: 2, U2: 2}, current) == {**current, "C": {}}
    current = {"A": {U1: [0, 1], U2: [0, 1]}, "B": {U1: [2], U2: [2]}}
    assert range_assign(dict.fromkeys("AB", [U1, U2]), {U1: 4, U2: 4}, current) == \
        {"A": {U1: [0, 1], U2: [0, 1]}, "B": {U1: [2, 3], U2: [2, 3]}}
    assert range_assign(dict.fromkeys("ABC", [U1, U2]), {U1: 3, U2: 3}, current) == \
        {"A": {U1: [0], U2: [0]}, "B": {U1: [1], U2: [1]}, "C": {U1: [2], U2: [2]}}
    assert range_assign({"A": [U1, U2], "B": [U1, U2], "C": [U1]}, {U1: 4, U2: 3}, current) == \
        {"A": {U1: [0, 1], U2: [0, 1]}, "B": {U1: [2], U2: [2]}, "C": {U1: [3]}}
    assert range_assign({"B": [U1, U2]}, {U1: 3, U2: 3}, {"B": {U1: [2], U2: [2]}}) == \
        {"B": {U1: [0, 1, 2], U2: [0, 1, 2]}}
    current = {"A": {U1: [0, 1, 2], U2: [0]}, "B": {U2: [1]}, "C": {U2: [2], U3: [0, 1]}}
    assert range_assign({"A": [U1], "B": [U1, U2, U3], "C": [U2]}, {U1: 3, U2: 3, U3: 2}, current) == \
        {"A": {U1: [0, 1]}, "B": {U1: [2], U2: [0, 1], U3: [0, 1]}, "C": {U2: [2]}}
