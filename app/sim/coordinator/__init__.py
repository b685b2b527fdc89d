"""The KIP-848 group coordinator's server-side assignors (see docs/assignors.md)."""

from app.sim.coordinator.assignors import GroupAssignment, range_assign, uniform_assign
from app.sim.coordinator.topic_ids import uuid_to_string

__all__ = ["GroupAssignment", "range_assign", "uniform_assign", "uuid_to_string"]
