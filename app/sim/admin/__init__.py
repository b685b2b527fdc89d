"""The cluster's admin API: Kafka's Admin client on a running scenario (docs/sim.md, "Admin").

    admin = AdminClient(scenario)
    admin.create_topics([NewTopic("audit", 3, 3, configs={"min.insync.replicas": "2"})]).all()
    admin.describe_topics(["audit"]).values["audit"].get().partitions[0].leader

One module per concept: topics, configs (describe, alter, what is dynamic), reassignments,
elections, brokers and features; their data (model, config_model) and errors (errors).
"""

from app.sim.admin.client import AdminClient
from app.sim.admin.config_model import (
    AlterConfigOp, Config, ConfigEntry, ConfigResource, ConfigResourceType, ConfigSource, ConfigSynonym, OpType,
)
from app.sim.admin.errors import KafkaAdminError
from app.sim.admin.future import KafkaFuture, Results
from app.sim.admin.model import (
    ClusterDescription, CreatedTopic, ElectionType, FeatureMetadata, FeatureUpdate, NewPartitions, NewTopic, Node,
    PartitionReassignment, QuorumInfo, ReplicaState, TopicDescription, TopicListing, TopicPartitionInfo, UpgradeType,
)
from app.sim.partition import TopicPartition

__all__ = [
    "AdminClient", "AlterConfigOp", "ClusterDescription", "Config", "ConfigEntry", "ConfigResource", "ConfigResourceType",
    "ConfigSource", "ConfigSynonym", "CreatedTopic", "ElectionType", "FeatureMetadata", "FeatureUpdate", "KafkaAdminError",
    "KafkaFuture", "NewPartitions", "NewTopic", "Node", "OpType", "PartitionReassignment", "QuorumInfo", "ReplicaState",
    "Results", "TopicDescription", "TopicListing", "TopicPartition", "TopicPartitionInfo", "UpgradeType",
]
