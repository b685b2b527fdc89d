"""Eligible leader replicas (KIP-966) on 4.0: off by default, refused on 2.8 and 3.x; when on, a
two-failure case that leaves a partition offline without ELR comes back cleanly with it."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import Scenario, SpecError
from app.sim.admin import AdminClient, AlterConfigOp, ConfigResource, FeatureUpdate, TopicPartitionInfo, UpgradeType
from app.sim.admin.errors import InvalidRequestException, InvalidUpdateVersionException
from app.sim.partition import PartitionState
from tests.sim.conftest import small_spec

ELR = "eligible.leader.replicas.version"


def scenario(elr: int | None, version: str = "4.0", **overrides: Any) -> tuple[Scenario, PartitionState, int, int, int]:
    """One partition, RF 3, min.insync.replicas 2, acks=all: (run, partition, leader, follower a, follower b)."""
    cluster = {} if elr is None else {ELR: elr}
    sc = Scenario(small_spec(kafka_version=version, cluster=cluster, topic={"partitions": 1}, duration_ms=6000, **overrides),
                  seed=0)
    s = sc.cluster.controller.partitions[0]
    a, b = [x for x in s.replicas if x != s.leader]
    return sc, s, s.leader, a, b


def two_failures(elr: int) -> tuple[Scenario, PartitionState, int, int, int]:
    """KIP-966's case: the followers stop cleanly one after the other (the ISR falls to the leader alone,
    below min.insync.replicas, so nothing more is committed), then the leader crashes."""
    sc, s, leader, a, b = scenario(elr)
    sc.run(500)
    sc.cluster.controlled_shutdown(a)
    sc.run(1000)
    sc.cluster.controlled_shutdown(b)
    sc.run(1500)
    sc.cluster.kill_broker(leader)
    sc.run(2500)
    return sc, s, leader, a, b


def test_without_elr_the_partition_waits_for_the_last_isr_member() -> None:
    sc, s, leader, a, b = two_failures(elr=0)
    assert (s.leader, s.isr, s.elr) == (-1, [leader], [])
    # both followers come back; they have every committed record, but they are not in the ISR
    sc.cluster.restart_broker(b)
    sc.cluster.restart_broker(a)
    sc.run(3000)
    assert s.leader == -1
    result = sc.run_to_end()
    assert s.leader == -1 and result.ledger["lost"] == 0
    assert result.ledger["failed"]["TimeoutException"] > 0  # delivery.timeout.ms passed while the partition was offline


def test_with_elr_the_replica_that_left_under_min_isr_leads_again_at_once() -> None:
    sc, s, leader, a, b = two_failures(elr=1)
    # the followers left the ISR when it was below min.insync.replicas: they are eligible; the ISR may be empty
    assert (s.leader, s.isr, s.elr, s.last_known_elr) == (-1, [], sorted([leader, b]), [leader])
    admin = AdminClient(sc)
    assert admin.describe_topics(["orders"]).all()["orders"].partitions == [
        TopicPartitionInfo(0, None, list(s.replicas), [], sorted([leader, b]), [leader])]
    sc.cluster.restart_broker(b)  # a clean shutdown: it stays eligible and is elected
    sc.cluster.restart_broker(a)
    assert (s.leader, s.isr, s.last_known_elr) == (b, [b], [])
    [elected] = [e for e in sc.trace.events if e["kind"] == "leader.elected" and e["leader"] == b and e["t"] >= 2500]
    assert (elected["election"], elected["unclean"], elected["elr"]) == ("elr", False, [leader])
    result = sc.run_to_end()
    # the same steps as without ELR: the partition is back, nothing acknowledged is lost and every record is written
    assert result.ledger["lost"] == 0 and result.ledger["acked"] == result.ledger["sent"]
    assert len(s.isr) == 2 and s.elr == []


def test_a_crashed_replica_leaves_the_elr_when_it_registers_and_the_last_leader_leads() -> None:
    sc, s, leader, a, b = scenario(elr=1)
    sc.run(500)
    sc.cluster.kill_broker(a)
    sc.run(1500)
    sc.cluster.kill_broker(b)
    sc.run(2500)
    assert (s.isr, s.elr) == ([leader], [b])
    sc.cluster.kill_broker(leader)
    sc.run(3500)
    assert (s.leader, s.isr, s.elr, s.last_known_elr) == (-1, [], sorted([leader, b]), [leader])
    sc.cluster.restart_broker(b)  # an unclean shutdown (KAFKA-15586): out of the ELR, not eligible
    sc.run(4000)
    assert (s.leader, s.elr) == (-1, [leader])
    sc.cluster.restart_broker(leader)
    sc.run(4500)
    assert s.leader == leader
    assert next(e for e in sc.trace.events if e["kind"] == "leader.elected" and e["t"] >= 4000)["election"] == \
        "last known leader"
    assert sc.run_to_end().ledger["lost"] == 0


def test_the_isr_back_at_min_insync_replicas_clears_the_elr() -> None:
    sc, s, leader, _, b = two_failures(elr=1)
    sc.cluster.restart_broker(b)
    sc.cluster.restart_broker(leader)
    sc.run(4000)
    assert len(s.isr) >= 2 and s.elr == [] and s.last_known_elr == []


def test_changing_min_insync_replicas_clears_the_elr() -> None:
    sc, s, *_ = two_failures(elr=1)
    assert s.elr
    admin = AdminClient(sc)
    admin.incremental_alter_configs({ConfigResource.topic("orders"): [AlterConfigOp("min.insync.replicas", "3")]}).all()
    assert (s.elr, s.last_known_elr) == ([], [])


def test_elr_is_off_by_default_and_can_be_turned_on_while_the_cluster_runs() -> None:
    sc, s, leader, a, b = scenario(elr=None)
    admin = AdminClient(sc)
    assert sc.cluster.features == {ELR: 0} and admin.describe_features().finalized_features == {}
    assert admin.update_features({ELR: FeatureUpdate(1)}).all() == {ELR: None}
    assert admin.describe_features().finalized_features == {ELR: 1}
    sc.run(500)
    sc.cluster.controlled_shutdown(a)
    sc.run(1000)
    sc.cluster.controlled_shutdown(b)
    sc.run(1500)
    assert s.elr == [b]
    down = admin.update_features({ELR: FeatureUpdate(0)}).values[ELR].exception
    assert type(down) is InvalidUpdateVersionException
    assert str(down) == (f"Invalid update version 0 for feature {ELR}. Can't downgrade the version of this feature without "
                         "setting the upgrade type to either safe or unsafe downgrade.")
    admin.update_features({ELR: FeatureUpdate(0, UpgradeType.SAFE_DOWNGRADE)}).all()
    assert s.elr == [] and sc.cluster.features == {ELR: 0}


@pytest.mark.parametrize("version", ["2.8", "3.x"])
def test_elr_is_refused_before_4_0(version: str) -> None:
    with pytest.raises(SpecError) as refused:
        scenario(elr=1, version=version)
    assert str(refused.value) == (f"cluster.{ELR}: Invalid value 1 for configuration {ELR}: Not a broker config in Kafka "
                                  f"{version}; it exists in 4.0")
    sc, *_ = scenario(elr=None, version=version)
    got = AdminClient(sc).update_features({ELR: FeatureUpdate(1)}).values[ELR].exception
    if version == "3.x":
        assert type(got) is InvalidUpdateVersionException
        assert str(got) == f"Invalid update version 1 for feature {ELR}. Local controller 3000 does not support this feature."
    else:
        assert type(got) is InvalidRequestException
        assert str(got) == "Could not apply finalized feature update because the provided feature is not supported."
    assert sc.cluster.features == {}
