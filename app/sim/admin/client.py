"""The admin client: Kafka's ``Admin`` interface on a running scenario, with its names in Python spelling.

Models ``org.apache.kafka.clients.admin.Admin`` (``KafkaAdminClient``) for topics, partitions,
configs, reassignments, elections, brokers, the metadata quorum and features. Every call is
applied at the scenario's current virtual time (``scenario.now``), in one step: the controller's
metadata reaches every broker at once in the simulator, so each future a call returns is already
completed (app/sim/admin/future.py), and what the call changed is in force for the next event
(a new topic's partitions take writes, a config applies to the next batch, a reassignment's new
replica starts fetching). The request's own network trip is left out. Errors are Kafka's
exception classes with Kafka's messages (app/sim/admin/errors.py), per item where Kafka reports
them per item. Consumer-group calls are app/sim/admin/groups.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Protocol

from app.sim.admin import alter_configs, cluster_ops, elections, groups, reassignments, topics
from app.sim.admin.config_model import AlterConfigOp, Config, ConfigResource, ConfigResourceType
from app.sim.admin.describe_configs import broker_config, default_broker_config, topic_config
from app.sim.admin.errors import InvalidTopicException, KafkaAdminError, UnknownTopicOrPartitionException
from app.sim.admin.future import KafkaFuture, Results, completed, each, failed
from app.sim.admin.model import (
    ClusterDescription, CreatedTopic, ElectionType, FeatureMetadata, FeatureUpdate, NewPartitions, NewTopic,
    PartitionReassignment, QuorumInfo, TopicDescription, TopicListing,
)
from app.sim.admin.nodes import node_for
from app.sim.partition import TopicPartition
from app.sim.topic import topic_name_problem

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


class Runtime(Protocol):
    """What the admin client works on: a Scenario, or any runtime with a cluster."""

    cluster: "Cluster"


class AdminClient:
    """``Admin.create(props)`` connected to the scenario's cluster. Cheap: it holds no state of its own,
    so several may act on one scenario (each gets its own ``client.id``, ``adminclient-1``, ...)."""

    def __init__(self, runtime: Runtime) -> None:
        self.cluster = runtime.cluster
        self.client_id = self.cluster.next_client_id("adminclient")

    # -- topics ------------------------------------------------------------------------------
    def create_topics(self, new_topics: Iterable[NewTopic], validate_only: bool = False) -> Results[str, CreatedTopic]:
        return topics.create_topics(self.cluster, list(new_topics), validate_only)

    def delete_topics(self, names: Iterable[str]) -> Results[str, None]:
        return topics.delete_topics(self.cluster, list(names))

    def create_partitions(self, new_partitions: dict[str, NewPartitions], validate_only: bool = False) -> Results[str, None]:
        return topics.create_partitions(self.cluster, new_partitions, validate_only)

    def list_topics(self, list_internal: bool = False) -> dict[str, TopicListing]:
        return topics.list_topics(self.cluster, list_internal)

    def describe_topics(self, names: Iterable[str]) -> Results[str, TopicDescription]:
        return topics.describe_topics(self.cluster, list(names))

    # -- configs -----------------------------------------------------------------------------
    def describe_configs(self, resources: Iterable[ConfigResource], include_synonyms: bool = False) -> Results[ConfigResource, Config]:
        """``include_synonyms`` is off by default, as in ``DescribeConfigsOptions``; kafka-configs turns it on."""
        return each(((r, r) for r in resources), lambda r, _: self._describe_config(r, include_synonyms))

    def _describe_config(self, resource: ConfigResource, include_synonyms: bool) -> Config:
        c = self.cluster
        if resource.type is ConfigResourceType.TOPIC:
            problem = topic_name_problem(resource.name)
            if problem:
                raise InvalidTopicException(problem)
            topic = c.controller.topics.get(resource.name)
            if topic is None:
                raise UnknownTopicOrPartitionException()
            return topic_config(c, topic.overrides, topic.configs, include_synonyms)
        if resource.is_default:
            return default_broker_config(c, include_synonyms)
        return broker_config(c, node_for(c, resource.name, "describeConfigs"), include_synonyms)

    def incremental_alter_configs(self, changes: dict[ConfigResource, list[AlterConfigOp]],
                                  validate_only: bool = False) -> Results[ConfigResource, None]:
        return alter_configs.incremental_alter_configs(self.cluster, changes, validate_only)

    # -- replicas and leaders ----------------------------------------------------------------
    def alter_partition_reassignments(self, reassignments_: dict[Any, list[int] | None]) -> Results[TopicPartition, None]:
        """Keys are TopicPartitions (or (topic, partition) pairs); a value of None cancels."""
        return reassignments.alter_partition_reassignments(self.cluster, reassignments_)

    def list_partition_reassignments(self, partitions: Iterable[Any] | None = None) -> dict[TopicPartition, PartitionReassignment]:
        return reassignments.list_partition_reassignments(self.cluster, None if partitions is None else list(partitions))

    def elect_leaders(self, election_type: ElectionType, partitions: Iterable[Any] | None = None) -> Results[TopicPartition, None]:
        """None: every partition (those whose election is not needed are left out of the answer)."""
        return elections.elect_leaders(self.cluster, election_type, None if partitions is None else list(partitions))

    # -- brokers, quorum, features -----------------------------------------------------------
    def describe_cluster(self) -> ClusterDescription:
        return cluster_ops.describe_cluster(self.cluster)

    def unregister_broker(self, broker_id: int) -> KafkaFuture[None]:
        try:
            cluster_ops.unregister_broker(self.cluster, broker_id)
            return completed(None)
        except KafkaAdminError as exc:
            return failed(exc)

    def describe_metadata_quorum(self) -> QuorumInfo:
        return cluster_ops.describe_metadata_quorum(self.cluster)

    def describe_features(self) -> FeatureMetadata:
        return cluster_ops.describe_features(self.cluster)

    def update_features(self, updates: dict[str, FeatureUpdate], validate_only: bool = False) -> Results[str, None]:
        return cluster_ops.update_features(self.cluster, updates, validate_only)

    # -- consumer groups (app/sim/admin/groups.py) ------------------------------------------------------
    def list_consumer_groups(self) -> list[groups.ConsumerGroupListing]:
        return groups.list_consumer_groups(self.cluster)

    def describe_consumer_groups(self, group_ids: Iterable[str]) -> Results[str, groups.ConsumerGroupDescription]:
        return groups.describe_consumer_groups(self.cluster, group_ids)

    def list_consumer_group_offsets(self, group_id: str,
                                    partitions: Iterable[TopicPartition] | None = None) -> dict[TopicPartition, int]:
        return groups.list_consumer_group_offsets(self.cluster, group_id, partitions)

    def alter_consumer_group_offsets(self, group_id: str, offsets: dict[TopicPartition, int]) -> None:
        groups.alter_consumer_group_offsets(self.cluster, group_id, offsets)

    def delete_consumer_groups(self, group_ids: Iterable[str]) -> Results[str, None]:
        return groups.delete_consumer_groups(self.cluster, group_ids)

    def list_offsets(self, specs: dict[TopicPartition, groups.OffsetSpec]) -> Results[TopicPartition, groups.ListOffsetsResultInfo]:
        return groups.list_offsets(self.cluster, specs)
