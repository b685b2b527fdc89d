"""Brokerlab's simulator: a deterministic, Kafka-exact model of a producer and a replicated cluster.

No web layer, no asyncio, no wall clock: virtual time only. See docs/sim.md.
"""

from app.sim.consumer import assign_partitions
from app.sim.errors import (
    BufferExhaustedException, ConfigException, Errors, RecordTooLargeException, SpecError, TimeoutException,
)
from app.sim.events import Simulation
from app.sim.murmur2 import murmur2, partition_for_key, to_positive
from app.sim.records import decode_batch, encode_batch
from app.sim.scenario import Scenario, ScenarioResult, run_scenario
from app.sim.security import AclBinding, Authorizer
from app.sim.spec import parse_spec
from app.sim.trace import KINDS as TRACE_KINDS
from app.sim.trace import Trace

__all__ = [
    "AclBinding", "Authorizer", "BufferExhaustedException", "ConfigException", "Errors", "RecordTooLargeException",
    "Scenario", "ScenarioResult",
    "Simulation", "SpecError", "TimeoutException", "TRACE_KINDS", "Trace", "decode_batch", "encode_batch", "murmur2",
    "parse_spec", "partition_for_key", "run_scenario", "to_positive",
    "assign_partitions",
]
