"""DescribeCluster, UnregisterBroker, DescribeQuorum and the feature levels (DescribeFeatures, UpdateFeatures).

Models ``KafkaApis.handleDescribeCluster`` (KRaft: the controller id a broker reports is a random
alive broker, ``KRaftMetadataCache.getRandomAliveBrokerId``, since clients cannot reach KRaft
controllers through a broker; the simulator reports the lowest one, to stay deterministic),
``ReplicationControlManager.unregisterBroker`` (KIP-631: refused only for an id with no
registration; a broker holding replicas may be unregistered, its replicas stay where they are),
``FeatureControlManager.updateFeature`` for ``eligible.leader.replicas.version`` (KIP-966, 4.0
only), and a DescribeQuorum answer that says what is true of the simulator's one controller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sim import elr
from app.sim.admin.assignments import zookeeper
from app.sim.admin.errors import (
    BrokerIdNotRegisteredException, InvalidRequestException, InvalidUpdateVersionException, UnsupportedVersionException,
)
from app.sim.admin.future import Results, each
from app.sim.admin.model import ClusterDescription, FeatureMetadata, FeatureUpdate, QuorumInfo, ReplicaState, UpgradeType
from app.sim.admin.nodes import nodes

if TYPE_CHECKING:
    from app.sim.cluster import Cluster

#: The node id of the simulator's one KRaft controller: a dedicated controller, numbered as Kafka's
#: own test clusters number theirs (``TestKitNodes.CONTROLLER_ID_OFFSET``).
CONTROLLER_ID = 3000


def describe_cluster(cluster: "Cluster") -> ClusterDescription:
    listed = nodes(cluster)
    return ClusterDescription(cluster.controller.cluster_id, listed[0] if listed else None, listed)


def unregister_broker(cluster: "Cluster", broker: int) -> None:
    """Raises what Kafka's admin client raises; the broker's registration is gone otherwise."""
    if zookeeper(cluster):
        raise UnsupportedVersionException("The node does not support UNREGISTER_BROKER")
    if broker not in cluster.controller.registered_brokers():
        raise BrokerIdNotRegisteredException()  # ControllerApis answers with the code alone
    cluster.unregister_broker(broker)


def describe_metadata_quorum(cluster: "Cluster") -> QuorumInfo:
    """The simulator's controller quorum is one voter that never fails over, whose metadata reaches every
    broker the moment it changes: leader 3000 in epoch 1, no follower lag, every registered broker an
    observer that has caught up. It keeps no metadata log, so the offsets are 0: what
    ``kafka-metadata-quorum describe --status`` would show as HighWatermark is not modelled."""
    if zookeeper(cluster):
        raise UnsupportedVersionException("The node does not support DESCRIBE_QUORUM")
    observers = [ReplicaState(b, 0) for b in cluster.controller.registered_brokers()]
    return QuorumInfo(CONTROLLER_ID, 1, 0, [ReplicaState(CONTROLLER_ID, 0)], observers)


def describe_features(cluster: "Cluster") -> FeatureMetadata:
    supported = {elr.FEATURE: (0, 1)} if cluster.kafka_version in elr.VERSIONS else {}
    finalized = {k: v for k, v in cluster.features.items() if v > 0}
    return FeatureMetadata(finalized, supported)


def update_features(cluster: "Cluster", updates: dict[str, FeatureUpdate], validate_only: bool = False) -> Results[str, None]:
    return each(updates.items(), lambda name, update: _update(cluster, name, update, validate_only))


def _update(cluster: "Cluster", name: str, update: FeatureUpdate, validate_only: bool) -> None:
    level = update.max_version_level
    if zookeeper(cluster):
        raise InvalidRequestException("Could not apply finalized feature update because the provided feature is not "
                                      "supported.")
    if level < 0:
        raise InvalidUpdateVersionException(f"Invalid update version {level} for feature {name}. A feature version cannot "
                                            "be less than 0.")
    supported = describe_features(cluster).supported_features.get(name)
    if supported is None:
        raise InvalidUpdateVersionException(f"Invalid update version {level} for feature {name}. Local controller "
                                            f"{CONTROLLER_ID} does not support this feature.")
    if not supported[0] <= level <= supported[1]:
        raise InvalidUpdateVersionException(f"Invalid update version {level} for feature {name}. Local controller "
                                            f"{CONTROLLER_ID} only supports versions {supported[0]}-{supported[1]}")
    current = cluster.features.get(name, 0)
    if level < current and update.upgrade_type is UpgradeType.UPGRADE:
        raise InvalidUpdateVersionException(f"Invalid update version {level} for feature {name}. Can't downgrade the "
                                            "version of this feature without setting the upgrade type to either safe "
                                            "or unsafe downgrade.")
    if level > current and update.upgrade_type is not UpgradeType.UPGRADE:
        raise InvalidUpdateVersionException(f"Invalid update version {level} for feature {name}. Can't downgrade to a "
                                            "newer version.")
    if validate_only or level == current:
        return
    cluster.features[name] = level
    if name == elr.FEATURE and level == 0:
        cluster.controller.clear_elr()  # ELR off: the controller stops tracking it
    cluster.trace.emit(cluster.sim.now, "config.altered", resource="feature", name=name, changed=[name],
                       configs={name: str(level)})

