"""The classic consumer group protocol's client-side partition assignors (see docs/assignors.md)."""

from app.sim.consumer.assignors import (
    STRATEGIES, assign_partitions, cooperative_first_round, cooperative_sticky_assign, partitions_to_revoke,
    partitions_transferring_ownership,
)

__all__ = [
    "STRATEGIES", "assign_partitions", "cooperative_first_round", "cooperative_sticky_assign",
    "partitions_to_revoke", "partitions_transferring_ownership",
]
