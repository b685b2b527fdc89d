"""Partition reassignment (KIP-455) while a producer writes: the new replica copies the log over the
network, joins the ISR, then the old one leaves; cancelling; Kafka's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import Scenario
from app.sim.admin import AdminClient, PartitionReassignment, TopicPartition
from app.sim.admin.errors import (
    InvalidReplicaAssignmentException, InvalidTopicException, NoReassignmentInProgressException,
    UnknownTopicOrPartitionException,
)
from app.sim.partition import PartitionState
from tests.sim.conftest import small_spec


def scenario(**overrides: Any) -> Scenario:
    spec = small_spec(duration_ms=5000, **overrides)
    spec["workload"].update({"records_per_sec": 4000, "value_bytes": 1000})
    return Scenario(spec, seed=11)


def on_brokers(sc: Scenario, replicas: list[int]) -> PartitionState:
    return next(s for s in sc.cluster.controller.topics["orders"].partitions if s.replicas == replicas)


def test_a_partition_moves_from_0_1_2_to_1_2_3_on_an_added_broker_while_the_producer_writes() -> None:
    sc = scenario()
    sc.run(2000)  # about 8 MB written: the new replica has a log to copy
    admin = AdminClient(sc)
    assert sc.cluster.add_broker("d") == 3
    s = on_brokers(sc, [0, 1, 2])
    assert s.leader == 0
    tp = s.tp
    assert admin.alter_partition_reassignments({tp: [1, 2, 3]}).all() == {tp: None}
    assert admin.list_partition_reassignments() == {tp: PartitionReassignment([1, 2, 3, 0], [3], [0])}
    assert admin.list_partition_reassignments([("orders", 0), ("orders", 1), ("orders", 2)]) == \
        admin.list_partition_reassignments()
    result = sc.run_to_end()

    assert result.ledger["lost"] == 0 and result.ledger["acked"] == result.ledger["sent"]
    assert (s.replicas, s.isr, s.leader) == ([1, 2, 3], [1, 2, 3], 1)
    assert admin.list_partition_reassignments() == {}
    assert tp not in sc.cluster.brokers[0].replicas
    assert sc.cluster.brokers[3].replicas[tp].log.entries == sc.cluster.brokers[1].replicas[tp].log.entries

    events = [e for e in result.trace if e.get("topic") == "orders" and e.get("partition") == tp.partition]
    kinds = [e["kind"] for e in events if e["kind"] in ("reassignment.started", "isr.expanded", "reassignment.completed",
                                                        "leader.elected")]
    assert kinds == ["reassignment.started", "isr.expanded", "reassignment.completed", "leader.elected"]
    started = next(e for e in events if e["kind"] == "reassignment.started")
    joined = next(e for e in events if e["kind"] == "isr.expanded")
    done = next(e for e in events if e["kind"] == "reassignment.completed")
    copies = [e for e in events if e["kind"] == "replica.fetched" and e["broker"] == 3 and e["t"] <= joined["t"]]
    # broker 3 copied the log from offset 0 in several fetches over the network before it joined the ISR
    assert copies[0]["from_offset"] == 0 and copies[0]["leader"] == 0 and len(copies) > 3
    assert copies[0]["receive_ms"] > copies[0]["send_ms"] >= started["t"]
    assert joined["added"] == [3] and done["dropped"] == [0] and done["t"] == joined["t"]
    elected = next(e for e in events if e["kind"] == "leader.elected")
    assert (elected["previous"], elected["leader"], elected["unclean"]) == (0, 1, False)


def test_reordering_the_replicas_completes_at_once_and_changes_the_preferred_leader() -> None:
    sc = scenario()
    sc.run(500)
    admin = AdminClient(sc)
    s = on_brokers(sc, [0, 1, 2])
    admin.alter_partition_reassignments({s.tp: [2, 1, 0]}).all()
    assert (s.replicas, s.leader, admin.list_partition_reassignments()) == ([2, 1, 0], 0, {})
    from app.sim.admin import ElectionType

    admin.elect_leaders(ElectionType.PREFERRED, [s.tp]).all()
    assert s.leader == 2


def test_a_cancelled_reassignment_goes_back_and_the_new_replica_deletes_its_copy() -> None:
    sc = scenario()
    sc.run(500)
    admin = AdminClient(sc)
    new = sc.cluster.add_broker("d")
    sc.cluster.isolate(new)  # it cannot fetch: the reassignment waits
    s = on_brokers(sc, [0, 1, 2])
    admin.alter_partition_reassignments({s.tp: [1, 2, new]}).all()
    sc.run(1500)
    assert admin.list_partition_reassignments() == {s.tp: PartitionReassignment([1, 2, 3, 0], [3], [0])}
    admin.alter_partition_reassignments({s.tp: None}).all()
    # PartitionReassignmentRevert keeps the order of the replica list during the move ([1, 2, 3, 0]) without the
    # replicas being added: the original replicas come back as [1, 2, 0], so the preferred leader is now 1.
    assert (s.replicas, s.isr, s.leader, admin.list_partition_reassignments()) == ([1, 2, 0], [1, 2, 0], 0, {})
    assert s.tp not in sc.cluster.brokers[new].replicas
    assert any(e["kind"] == "reassignment.cancelled" for e in sc.trace.events)
    assert sc.run_to_end().ledger["lost"] == 0


def test_reverting_to_replicas_all_out_of_the_isr_needs_unclean_election() -> None:
    sc = scenario()
    sc.run(300)
    admin = AdminClient(sc)
    three, four = sc.cluster.add_broker("d"), sc.cluster.add_broker("e")
    sc.cluster.isolate(four)
    s = on_brokers(sc, [0, 1, 2])
    admin.alter_partition_reassignments({s.tp: [three, four]}).all()
    sc.run(800)
    assert three in s.isr
    for b in (0, 1, 2):
        sc.cluster.kill_broker(b)
    sc.run(2000)
    assert (s.isr, s.leader) == ([3], 3)
    got = admin.alter_partition_reassignments({s.tp: None}).values[s.tp].exception
    assert type(got) is InvalidReplicaAssignmentException
    assert str(got) == (f"Unable to revert partition assignment for orders:{s.partition} because it would require an "
                        "unclean leader election.")


@pytest.mark.parametrize("key, target, error, message", [
    (("nope", 0), [0, 1, 2], UnknownTopicOrPartitionException, "Unable to find a topic named nope."),
    (("orders", 9), [0, 1, 2], UnknownTopicOrPartitionException, "Unable to find partition orders:9."),
    (("orders", 0), None, NoReassignmentInProgressException, "No partition reassignment is in progress."),
    (("orders", 0), [], InvalidReplicaAssignmentException,
     "The manual partition assignment includes an empty replica list."),
    (("orders", 0), [0, 5], InvalidReplicaAssignmentException,
     "The manual partition assignment includes broker 5, but no such broker is registered."),
    (("orders", 0), [1, 1], InvalidReplicaAssignmentException,
     "The manual partition assignment includes the broker 1 more than once."),
    (("orders", -1), [0], InvalidTopicException, "The given partition index -1 is not valid."),
    (("", 0), [0], InvalidTopicException, "The given topic name '' cannot be represented in a request."),
])
def test_reassignment_errors_are_kafkas(key: tuple[str, int], target: list[int] | None, error: type, message: str) -> None:
    sc = scenario()
    got = AdminClient(sc).alter_partition_reassignments({key: target}).values[TopicPartition(*key)].exception
    assert type(got) is error and str(got) == message
    assert all(not s.adding_replicas and not s.removing_replicas for s in sc.cluster.controller.partitions)


def test_listing_a_bad_partition_fails_the_whole_call() -> None:
    admin = AdminClient(scenario())
    with pytest.raises(InvalidTopicException, match="The given partition index -2 is not valid."):
        admin.list_partition_reassignments([("orders", -2)])


def test_admin_calls_at_the_same_virtual_times_give_the_same_run() -> None:
    def once() -> str:
        sc = scenario()
        sc.run(800)
        admin = AdminClient(sc)
        sc.cluster.add_broker("d")
        from app.sim.admin import NewTopic

        admin.create_topics([NewTopic("audit", 3, 3)]).all()
        admin.alter_partition_reassignments({on_brokers(sc, [0, 1, 2]).tp: [1, 2, 3]}).all()
        sc.run(1200)
        sc.cluster.controlled_shutdown(1)
        return sc.run_to_end().trace_json()

    assert once() == once()
