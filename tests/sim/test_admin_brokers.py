"""Brokers joining and leaving (add_broker, controlled shutdown, UnregisterBroker), DescribeCluster,
DescribeQuorum, and leader elections (PREFERRED, UNCLEAN) with the ledger's account of what they cost."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import Scenario
from app.sim.admin import AdminClient, ElectionType, NewTopic, TopicPartition
from app.sim.admin.errors import (
    BrokerIdNotRegisteredException, ElectionNotNeededException, EligibleLeadersNotAvailableException, InvalidTopicException,
    PreferredLeaderNotAvailableException, UnknownTopicOrPartitionException, UnsupportedVersionException,
)
from app.sim.faults import refusal
from app.sim.lifecycle import BrokerState
from tests.sim.conftest import small_spec

#: Followers 40 ms behind broker 0: what broker 0 acknowledges under acks=1 is not on them yet.
SLOW_FOLLOWERS = {"links": [{"from": 0, "to": b, "latency_ms": 40} for b in (1, 2)]}


def run(fault: str, acks: str, **overrides: Any) -> dict[str, Any]:
    spec = small_spec(producer={"acks": acks}, network=SLOW_FOLLOWERS, duration_ms=3000,
                      faults=[{"at_ms": 1000, fault: 0}], **overrides)
    return Scenario(spec, seed=0).run_to_end().to_dict()


# -- controlled shutdown next to a kill ---------------------------------------------------------
def test_a_controlled_shutdown_loses_nothing_under_acks_all_where_a_kill_under_acks_1_does() -> None:
    clean = run("controlled_shutdown", "all")
    assert clean["ledger"]["lost"] == 0 and clean["ledger"]["failed"] == {}
    assert clean["ledger"]["acked"] == clean["ledger"]["sent"]
    killed = run("kill_broker", "1")
    assert killed["ledger"]["lost"] > 0


def test_a_controlled_shutdown_moves_leaders_at_once_where_a_kill_waits_for_the_session_timeout() -> None:
    clean = run("controlled_shutdown", "all")["trace"]
    [down] = [e for e in clean if e["kind"] == "broker.down"]
    moved = [e for e in clean if e["kind"] == "leader.elected"]
    assert [e["kind"] for e in clean if e["kind"].startswith("broker.")] == \
        ["broker.shutting_down", "broker.fenced", "broker.down"]
    # the leaderships move when the shutdown begins; the process stops at the next heartbeat, 50 ms later
    assert [e["t"] for e in moved] == [1000.0] and moved[0]["previous"] == 0 and down["t"] == 1050.0
    assert all(e["reason"] == "controlled shutdown" for e in moved)
    shrunk = [e for e in clean if e["kind"] == "isr.shrunk"]
    assert len(shrunk) == 3 and all(0 in e["removed"] and e["t"] == 1000.0 for e in shrunk)
    killed = run("kill_broker", "all")["trace"]
    assert [e["t"] for e in killed if e["kind"] == "leader.elected"] == [1500.0]  # broker.session.timeout.ms 500


def test_acks_1_loses_records_even_in_a_controlled_shutdown() -> None:
    # Leadership moves to an in-sync follower that may still lack what the leader acknowledged alone.
    assert run("controlled_shutdown", "1")["ledger"]["lost"] > 0


def test_a_broker_stopped_cleanly_registers_at_once_when_restarted() -> None:
    sc = Scenario(small_spec(duration_ms=3000), seed=0)
    sc.run(500)
    sc.cluster.controlled_shutdown(1)
    assert sc.cluster.brokers[1].state is BrokerState.SHUTTING_DOWN
    assert refusal(sc, "controlled_shutdown", 1) == "broker 1 is already shutting down"
    sc.run(600)
    assert sc.cluster.brokers[1].state is BrokerState.DOWN and refusal(sc, "controlled_shutdown", 1) == "broker 1 is already down"
    sc.cluster.restart_broker(1)
    assert sc.cluster.brokers[1].state is BrokerState.RUNNING
    result = sc.run_to_end()
    assert result.ledger["lost"] == 0 and all(1 in s.isr for s in sc.cluster.controller.partitions)


def test_a_fenced_broker_asking_to_shut_down_stops_at_once() -> None:
    sc = Scenario(small_spec(), seed=0)
    sc.cluster.isolate(2)
    sc.run(1000)
    assert sc.cluster.brokers[2].state is BrokerState.FENCED
    sc.cluster.controlled_shutdown(2)
    assert sc.cluster.brokers[2].state is BrokerState.DOWN


# -- adding and unregistering brokers ---------------------------------------------------------------
def test_an_added_broker_registers_with_the_next_id_and_takes_new_replicas() -> None:
    spec = small_spec(faults=[{"at_ms": 100, "add_broker": "d"}, {"at_ms": 150, "add_broker": None}])
    sc = Scenario(spec, seed=0)
    sc.run(200)
    admin = AdminClient(sc)
    cluster = admin.describe_cluster()
    assert [(n.id, n.rack, n.port) for n in cluster.nodes] == [(0, "a", 9092), (1, "b", 9093), (2, "c", 9094),
                                                                (3, "d", 9095), (4, None, 9096)]
    assert [e["broker"] for e in sc.trace.events if e["kind"] == "broker.added"] == [3, 4]
    created = admin.create_topics([NewTopic("wide", 5, 5)]).all()["wide"]
    assert created.replication_factor == 5
    assert all(sorted(s.replicas) == [0, 1, 2, 3, 4] for s in sc.cluster.controller.topics["wide"].partitions)
    assert sc.run_to_end().ledger["lost"] == 0


def test_a_crashed_broker_the_controller_has_not_fenced_yet_still_gets_replicas_and_leads_them() -> None:
    sc = Scenario(small_spec(), seed=0)
    sc.run(100)
    sc.cluster.kill_broker(1)
    admin = AdminClient(sc)
    admin.create_topics([NewTopic("early", 3, 3)]).all()
    parts = sc.cluster.controller.topics["early"].partitions
    assert [s.leader for s in parts].count(1) == 1 and all(1 in s.isr for s in parts)
    sc.run(1000)  # fenced: its leadership moves
    assert all(s.leader != 1 and 1 not in s.isr for s in parts)


def test_unregistering_a_stopped_broker_lowers_what_a_replication_factor_may_be() -> None:
    sc = Scenario(small_spec(), seed=0)
    sc.run(100)
    sc.cluster.controlled_shutdown(2)
    sc.run(300)
    admin = AdminClient(sc)
    # KRaft counts a fenced broker as registered: RF 3 is still placed (the leader on an unfenced broker)
    admin.create_topics([NewTopic("before", 1, 3)]).all()
    assert admin.unregister_broker(2).get() is None
    got = admin.create_topics([NewTopic("after", 1, 3)]).values["after"].exception
    assert str(got) == ("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be "
                        "reached because only 2 broker(s) are registered.")
    assert sc.cluster.controller.topics["before"].partitions[0].replicas.count(2) == 1  # nothing is reassigned
    again = admin.unregister_broker(2).exception
    assert type(again) is BrokerIdNotRegisteredException and str(again) == "The given broker ID was not registered."
    sc.cluster.restart_broker(2)  # a restart registers again
    assert 2 in sc.cluster.controller.registered_brokers() and not sc.cluster.brokers[2].fenced


def test_unregistering_a_running_broker_fences_it_until_its_process_restarts() -> None:
    sc = Scenario(small_spec(duration_ms=3000), seed=0)
    sc.run(500)
    admin = AdminClient(sc)
    admin.unregister_broker(0).get()
    assert sc.cluster.brokers[0].state is BrokerState.FENCED
    assert all(0 not in s.isr and s.leader != 0 for s in sc.cluster.controller.partitions)
    assert [n.id for n in admin.describe_cluster().nodes] == [1, 2]
    sc.cluster.heal(None)  # nothing to heal: it stays out
    assert sc.cluster.brokers[0].fenced
    assert sc.run_to_end().ledger["lost"] == 0


def test_unregister_broker_is_a_kraft_call() -> None:
    admin = AdminClient(Scenario(small_spec(kafka_version="2.8"), seed=0))
    got = admin.unregister_broker(0).exception
    assert type(got) is UnsupportedVersionException and str(got) == "The node does not support UNREGISTER_BROKER"


# -- DescribeCluster and DescribeQuorum ----------------------------------------------------------
def test_describe_cluster_lists_the_unfenced_brokers_and_one_of_them_as_controller() -> None:
    sc = Scenario(small_spec(), seed=0)
    admin = AdminClient(sc)
    first = admin.describe_cluster()
    assert len(first.cluster_id) == 22 and first.controller is not None and first.controller.id == 0
    sc.cluster.kill_broker(0)
    assert [n.id for n in admin.describe_cluster().nodes] == [0, 1, 2]  # not fenced yet
    sc.run(1000)
    later = admin.describe_cluster()
    assert [n.id for n in later.nodes] == [1, 2] and later.controller.id == 1 and later.cluster_id == first.cluster_id
    assert Scenario(small_spec(), seed=1).cluster.controller.cluster_id != first.cluster_id


def test_describe_metadata_quorum_is_the_one_controller() -> None:
    quorum = AdminClient(Scenario(small_spec(), seed=0)).describe_metadata_quorum()
    assert (quorum.leader_id, quorum.leader_epoch, [v.replica_id for v in quorum.voters]) == (3000, 1, [3000])
    assert [o.replica_id for o in quorum.observers] == [0, 1, 2]
    with pytest.raises(UnsupportedVersionException, match="The node does not support DESCRIBE_QUORUM"):
        AdminClient(Scenario(small_spec(kafka_version="2.8"), seed=0)).describe_metadata_quorum()


# -- elections -----------------------------------------------------------------------------------
def test_a_preferred_election_after_a_restart_brings_leadership_back() -> None:
    spec = small_spec(duration_ms=4000, faults=[{"at_ms": 500, "kill_broker": 0}, {"at_ms": 1500, "restart_broker": 0}])
    sc = Scenario(spec, seed=0)
    admin = AdminClient(sc)
    preferred = next(s for s in sc.cluster.controller.partitions if s.replicas[0] == 0)
    sc.run(1400)
    assert preferred.leader != 0
    early = admin.elect_leaders(ElectionType.PREFERRED)  # every partition: those led by their first replica left out
    assert list(early.values) == [preferred.tp]
    assert type(early.values[preferred.tp].exception) is PreferredLeaderNotAvailableException
    sc.run(3000)
    assert 0 in preferred.isr and preferred.leader != 0
    assert admin.elect_leaders(ElectionType.PREFERRED).all() == {preferred.tp: None}
    assert preferred.leader == 0
    not_needed = admin.elect_leaders(ElectionType.PREFERRED, [preferred.tp]).values[preferred.tp].exception
    assert type(not_needed) is ElectionNotNeededException
    assert str(not_needed) == "Leader election not needed for topic partition."
    assert sc.run_to_end().ledger["lost"] == 0


def test_an_unclean_election_loses_what_the_ledger_says() -> None:
    spec = small_spec(topic={"partitions": 1, "min.insync.replicas": 1}, producer={"acks": "1"}, duration_ms=4000)
    sc = Scenario(spec, seed=0)
    s = sc.cluster.controller.partitions[0]
    leader, followers = s.leader, [b for b in s.replicas if b != s.leader]
    sc.run(500)
    for b in followers:
        sc.cluster.kill_broker(b)
    sc.run(1500)  # the ISR is the leader alone; it goes on acknowledging under acks=1
    sc.cluster.kill_broker(leader)
    sc.run(2500)
    for b in followers:
        sc.cluster.restart_broker(b)
    sc.run(2600)
    assert (s.leader, s.isr) == (-1, [leader])  # offline: the only ISR member is down
    admin = AdminClient(sc)
    tp = TopicPartition("orders", 0)
    assert type(admin.elect_leaders(ElectionType.PREFERRED, [tp]).values[tp].exception) is PreferredLeaderNotAvailableException
    acked_on_leader_alone = sc.cluster.brokers[leader].replicas[s.tp].log.log_end_offset - \
        sc.cluster.brokers[followers[0]].replicas[s.tp].log.log_end_offset
    assert sc.ledger.summary(sc.cluster)["lost"] == 0
    assert admin.elect_leaders(ElectionType.UNCLEAN, [tp]).all() == {tp: None}
    assert (s.leader, s.isr) == (followers[0], [followers[0]])
    assert sc.ledger.summary(sc.cluster)["lost"] == acked_on_leader_alone > 0
    again = admin.elect_leaders(ElectionType.UNCLEAN, [tp]).values[tp].exception
    assert type(again) is ElectionNotNeededException
    sc.cluster.restart_broker(leader)
    result = sc.run_to_end()
    [cut] = [e for e in result.trace if e["kind"] == "log.truncated"]
    assert cut["broker"] == leader and cut["records"] == acked_on_leader_alone == result.ledger["lost"]
    elected = [e for e in result.trace if e["kind"] == "leader.elected" and e["reason"] == "unclean election"]
    assert elected[0]["unclean"] is True


def test_an_unclean_election_with_no_live_replica_is_refused() -> None:
    spec = small_spec(topic={"partitions": 1, "replication.factor": 1, "min.insync.replicas": 1})
    sc = Scenario(spec, seed=0)
    s = sc.cluster.controller.partitions[0]
    sc.cluster.kill_broker(s.leader)
    sc.run(1000)
    got = AdminClient(sc).elect_leaders(ElectionType.UNCLEAN, [s.tp]).values[s.tp].exception
    assert type(got) is EligibleLeadersNotAvailableException
    assert str(got) == "Eligible topic partition leaders are not available."


@pytest.mark.parametrize("key, error, message", [
    (("nope", 0), UnknownTopicOrPartitionException, "No such topic as nope"),
    (("orders", 7), UnknownTopicOrPartitionException, "No such partition as orders-7"),
    (("orders", -1), InvalidTopicException, "The given partition index -1 is not valid."),
])
def test_election_errors_are_kafkas(key: tuple[str, int], error: type, message: str) -> None:
    got = AdminClient(Scenario(small_spec(), seed=0)).elect_leaders(ElectionType.PREFERRED, [key])
    exc = got.values[TopicPartition(*key)].exception
    assert type(exc) is error and str(exc) == message
