"""CreateTopics, DeleteTopics, CreatePartitions, ListTopics and DescribeTopics, with Kafka's checks and words.

Models ``ReplicationControlManager.createTopics`` / ``createPartitions`` and ``ControllerApis.deleteTopics``
(KRaft: 3.x, 4.0) and, for a 2.8 cluster, ``ZkAdminManager.createTopics`` / ``createPartitions`` with
``AdminZkClient.validateTopicCreate`` (app/sim/admin/assignments.py holds the checks of both), plus
the admin client's own checks (``KafkaAdminClient.topicNameIsUnrepresentable``). DescribeTopics is
DescribeTopicPartitions (3.8+, with the ELR fields) or Metadata (2.8); an unknown topic is
UNKNOWN_TOPIC_OR_PARTITION either way. Kafka's servers let an internal topic be deleted like any
other (only 2.8's kafka-topics tool refused it), and so does this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.configs import ConfigException
from app.sim.admin import assignments as check
from app.sim.admin.alter_configs import parse_topic_configs
from app.sim.admin.describe_configs import topic_config
from app.sim.admin.errors import (
    InvalidConfigurationException, InvalidPartitionsException, InvalidReplicaAssignmentException,
    InvalidReplicationFactorException, InvalidRequestException, InvalidTopicException, ReassignmentInProgressException,
    TopicExistsException, UnknownTopicOrPartitionException, kafka_message,
)
from app.sim.admin.future import Results, each
from app.sim.admin.model import CreatedTopic, NewPartitions, NewTopic, TopicDescription, TopicListing, TopicPartitionInfo
from app.sim.config import resolve_topic
from app.sim.controller import place_replicas
from app.sim.reassignment import in_progress
from app.sim.topic import INTERNAL_TOPICS, collides, topic_name_problem

if TYPE_CHECKING:
    from app.sim.cluster import Cluster

#: KRaft's metadata log, a topic name no CreateTopics may take (``Topic.CLUSTER_METADATA_TOPIC_NAME``)
CLUSTER_METADATA_TOPIC = "__cluster_metadata"
#: ``Uuid.ZERO_UUID``: the topic id of a topic a validate-only request would create (none is made)
ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA"


def check_representable(name: Any) -> None:
    """The admin client refuses a null or empty name before sending anything."""
    if not (isinstance(name, str) and name):
        raise InvalidTopicException(f"The given topic name '{'' if name is None else name}' cannot be represented in a "
                                    "request.")


def _zk_place(cluster: "Cluster", partitions: int, rf: int) -> list[list[int]]:
    """A 2.8 controller places over the brokers with a live ZooKeeper session."""
    live = check.zk_live_brokers(cluster)
    return place_replicas(live, {b: cluster.brokers[b].rack for b in live}, partitions, rf, cluster.sim.rng.randrange(len(live)))


# -- CreateTopics ----------------------------------------------------------------------------
def create_topics(cluster: "Cluster", new_topics: list[NewTopic], validate_only: bool = False) -> Results[str, CreatedTopic]:
    return each(((nt.name, nt) for nt in new_topics), lambda _, nt: _create(cluster, nt, validate_only))


def _create(cluster: "Cluster", nt: NewTopic, validate_only: bool) -> CreatedTopic:
    c = cluster.controller
    zk = check.zookeeper(cluster)
    name = nt.name
    check_representable(name)
    if zk:
        placement, overrides = _zk_checks(cluster, nt, validate_only)
    else:
        if name == CLUSTER_METADATA_TOPIC:  # ControllerApis.createTopics
            raise InvalidRequestException(f"Creation of internal topic {CLUSTER_METADATA_TOPIC} is prohibited.")
        problem = topic_name_problem(name)
        if name in c.topics:
            raise TopicExistsException(f"Topic '{name}' already exists.")
        if problem:
            raise InvalidTopicException(problem)
        clash = sorted(t for t in c.topics if ("." in name or "_" in name) and collides(name, t))
        if clash:
            raise InvalidTopicException(f"Topic '{name}' collides with existing topic: {clash[0]}")
        nulls = [k for k, v in nt.configs.items() if v is None]
        if nulls:
            raise InvalidConfigurationException(f"Null value not supported for topic configs: {','.join(nulls)}")
        overrides = _topic_configs(cluster, nt.configs)
        placement = _kraft_placement(cluster, nt, validate_only)
    rf = len(placement[0]) if placement else (nt.replication_factor if nt.replication_factor > 0
                                                else cluster.broker_cfg["default.replication.factor"])
    partitions = len(placement) if placement else (nt.num_partitions if nt.num_partitions > 0
                                                   else cluster.broker_cfg["num.partitions"])
    if validate_only:
        return CreatedTopic(name, ZERO_UUID, partitions, rf, topic_config(cluster, overrides, _in_force(cluster, overrides)))
    configs = resolve_topic({}, cluster.kafka_version)
    topic = c.create_topic(name, partitions, rf, configs, placement, overrides)
    cluster.trace.emit(cluster.sim.now, "topic.created", topic=name, topic_id=topic.topic_id, partitions=partitions,
                       replication_factor=rf, replicas=[list(s.replicas) for s in topic.partitions])
    return CreatedTopic(name, topic.topic_id, partitions, rf, topic_config(cluster, topic.overrides, topic.configs))


def _in_force(cluster: "Cluster", overrides: dict[str, Any]) -> dict[str, Any]:
    from app.sim.log_config import topic_config_names, value_in_force

    return {n: value_in_force(cluster, n, overrides) for n in topic_config_names(cluster.kafka_version)} | overrides


def _topic_configs(cluster: "Cluster", configs: dict[str, Any]) -> dict[str, Any]:
    try:
        return parse_topic_configs(cluster, configs)
    except ConfigException as exc:
        raise InvalidConfigurationException(kafka_message(exc)) from None


def _kraft_placement(cluster: "Cluster", nt: NewTopic, validate_only: bool) -> list[list[int]] | None:
    """The replicas of each partition (None: to be placed when created; a validate-only request
    checks that they could be, without drawing from the run's random generator)."""
    if nt.replicas_assignments:
        if nt.replication_factor != -1:
            raise InvalidRequestException("A manual partition assignment was specified, but replication factor was "
                                          "not set to -1.")
        if nt.num_partitions != -1:
            raise InvalidRequestException("A manual partition assignment was specified, but numPartitions was not set "
                                          "to -1.")
        rf = None
        for p, replicas in nt.replicas_assignments.items():
            check.check_manual(cluster, list(replicas), rf)
            rf = len(replicas)
            check.active_replicas(cluster, list(replicas), p)
        if sorted(nt.replicas_assignments) != list(range(len(nt.replicas_assignments))):
            raise InvalidReplicaAssignmentException("partitions should be a consecutive 0-based integer sequence")
        return [list(nt.replicas_assignments[p]) for p in range(len(nt.replicas_assignments))]
    if nt.replication_factor < -1 or nt.replication_factor == 0:
        raise InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 to use the default value.")
    if nt.num_partitions < -1 or nt.num_partitions == 0:
        raise InvalidPartitionsException("Number of partitions was set to an invalid non-positive value.")
    partitions = nt.num_partitions if nt.num_partitions > 0 else cluster.broker_cfg["num.partitions"]
    rf = nt.replication_factor if nt.replication_factor > 0 else cluster.broker_cfg["default.replication.factor"]
    check.check_placeable(cluster, rf)
    if validate_only:
        return None
    placement = cluster.controller.place(partitions, rf)
    check.check_some_active(cluster, placement, rf)
    return placement


def _zk_checks(cluster: "Cluster", nt: NewTopic, validate_only: bool) -> tuple[list[list[int]] | None, dict[str, Any]]:
    """``ZkAdminManager.createTopics`` then ``AdminZkClient.validateTopicCreate``, in their order."""
    c = cluster.controller
    name = nt.name
    if name in c.topics:
        raise TopicExistsException(f"Topic '{name}' already exists.")
    nulls = [k for k, v in nt.configs.items() if v is None]
    if nulls:
        raise InvalidRequestException(f"Null value not supported for topic configs : {','.join(nulls)}")
    if nt.replicas_assignments and (nt.num_partitions != -1 or nt.replication_factor != -1):
        raise InvalidRequestException("Both numPartitions or replicationFactor and replicasAssignments were set. Both "
                                      "cannot be used at the same time.")
    placement = None
    if not nt.replicas_assignments:
        partitions = nt.num_partitions if nt.num_partitions != -1 else cluster.broker_cfg["num.partitions"]
        rf = nt.replication_factor if nt.replication_factor != -1 else cluster.broker_cfg["default.replication.factor"]
        check.zk_check_counts(cluster, partitions, rf)
    problem = topic_name_problem(name)
    if problem:
        raise InvalidTopicException(problem)
    clash = sorted(t for t in c.topics if ("." in name or "_" in name) and collides(name, t))
    if clash:
        raise InvalidTopicException(f"Topic '{name}' collides with existing topics: {', '.join(clash)}")
    if nt.replicas_assignments:
        check.zk_check_create_assignment({p: list(r) for p, r in nt.replicas_assignments.items()})
        for p in sorted(nt.replicas_assignments):  # a broker that is not there cannot hold a replica here
            check.check_manual(cluster, list(nt.replicas_assignments[p]), None)
        placement = [list(nt.replicas_assignments[p]) for p in range(len(nt.replicas_assignments))]
    overrides = _topic_configs(cluster, nt.configs)
    if placement is None and not validate_only:
        partitions = nt.num_partitions if nt.num_partitions != -1 else cluster.broker_cfg["num.partitions"]
        rf = nt.replication_factor if nt.replication_factor != -1 else cluster.broker_cfg["default.replication.factor"]
        placement = _zk_place(cluster, partitions, rf)
    return placement, overrides


# -- DeleteTopics ----------------------------------------------------------------------------
def delete_topics(cluster: "Cluster", names: list[str]) -> Results[str, None]:
    return each(((name, name) for name in names), lambda name, _: _delete(cluster, name))


def _delete(cluster: "Cluster", name: str) -> None:
    check_representable(name)
    if name not in cluster.controller.topics:
        raise UnknownTopicOrPartitionException()
    topic = cluster.controller.delete_topic(name)
    cluster.trace.emit(cluster.sim.now, "topic.deleted", topic=name, topic_id=topic.topic_id)


# -- CreatePartitions ------------------------------------------------------------------------
def create_partitions(cluster: "Cluster", new_partitions: dict[str, NewPartitions],
                      validate_only: bool = False) -> Results[str, None]:
    return each(new_partitions.items(), lambda name, np: _create_partitions(cluster, name, np, validate_only))


def _create_partitions(cluster: "Cluster", name: str, np: NewPartitions, validate_only: bool) -> None:
    c = cluster.controller
    zk = check.zookeeper(cluster)
    topic = c.topics.get(name)
    if topic is None:
        raise UnknownTopicOrPartitionException(f"The topic '{name}' does not exist." if zk else None)
    current = len(topic.partitions)
    rf = len(topic.partitions[0].replicas)  # during a reassignment, with the replicas coming and going, as Kafka counts
    additional = np.total_count - current
    if zk:
        if any(in_progress(s) for s in topic.partitions):
            raise ReassignmentInProgressException(f"A partition reassignment is in progress for the topic '{name}'.")
        if additional < 0:
            raise InvalidPartitionsException(f"Topic currently has {current} partitions, which is higher than the "
                                             f"requested {np.total_count}.")
        if additional == 0:
            raise InvalidPartitionsException(f"Topic already has {current} partitions.")
    elif additional == 0:
        raise InvalidPartitionsException(f"Topic already has {current} partition(s).")
    elif additional < 0:
        raise InvalidPartitionsException(f"The topic {name} currently has {current} partition(s); {np.total_count} would "
                                         "not be an increase.")
    if np.new_assignments is not None:
        placement = [list(r) for r in np.new_assignments]
        if zk:
            unknown = sorted({b for r in placement for b in r} - set(c.registered_brokers()))
            if unknown:
                raise InvalidReplicaAssignmentException(f"Unknown broker(s) in replica assignment: "
                                                        f"{', '.join(map(str, unknown))}.")
            if len(placement) != additional:
                raise InvalidReplicaAssignmentException(f"Increasing the number of partitions by {additional} but "
                                                        f"{len(placement)} assignments provided.")
            check.zk_check_new_partitions(cluster, {current + i: r for i, r in enumerate(placement)}, rf)
        else:
            if len(placement) != additional:
                raise InvalidReplicaAssignmentException(f"Attempted to add {additional} additional partition(s), but only "
                                                        f"{len(placement)} assignment(s) were specified.")
            for i, replicas in enumerate(placement):
                check.check_manual(cluster, replicas, rf)
                check.active_replicas(cluster, replicas, current + i)
    elif zk:
        check.zk_check_counts(cluster, additional, rf)
        if validate_only:
            return
        placement = _zk_place(cluster, additional, rf)
    else:
        check.check_placeable(cluster, rf, prefix=False)
        if validate_only:
            return
        placement = c.place(additional, rf)
        check.check_some_active(cluster, placement, rf)
    if validate_only:
        return
    states = c.create_partitions(name, placement)
    cluster.trace.emit(cluster.sim.now, "partitions.created", topic=name, count=np.total_count,
                       replicas=[list(s.replicas) for s in states])


# -- ListTopics and DescribeTopics -----------------------------------------------------------
def list_topics(cluster: "Cluster", list_internal: bool = False) -> dict[str, TopicListing]:
    """``ListTopicsResult.namesToListings()``: internal topics only when asked (``listInternal``)."""
    return {name: TopicListing(name, t.topic_id, t.internal) for name, t in sorted(cluster.controller.topics.items())
            if list_internal or name not in INTERNAL_TOPICS}


def describe_topics(cluster: "Cluster", names: list[str]) -> Results[str, TopicDescription]:
    return each(((name, name) for name in names), lambda name, _: _describe(cluster, name))


def _describe(cluster: "Cluster", name: str) -> TopicDescription:
    check_representable(name)
    topic = cluster.controller.topics.get(name)
    if topic is None:
        raise UnknownTopicOrPartitionException()
    parts = [TopicPartitionInfo(s.partition, s.leader if s.leader >= 0 else None, list(s.replicas), list(s.isr),
                                list(s.elr), list(s.last_known_elr)) for s in topic.partitions]
    return TopicDescription(name, topic.internal, parts, topic.topic_id)
