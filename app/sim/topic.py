"""A topic as the controller records it: name, topic id, partitions, and its configs.

Models the KRaft ``TopicRegistration`` plus the topic's entry in ``ConfigurationControlManager``
(the configs set on the topic itself). Topic ids are Kafka ``Uuid``s, printed as Kafka prints
them (URL-safe base64 of the 16 bytes, no padding: 22 characters), drawn from a generator of
their own so that creating a topic leaves every other random choice of the run as it was.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from typing import Any

from app.sim.partition import PartitionState

#: Kafka's internal topics (``Topic.isInternal``): the group coordinator's offsets and the
#: transaction coordinator's state. Users cannot produce to them.
CONSUMER_OFFSETS = "__consumer_offsets"
INTERNAL_TOPICS = frozenset({CONSUMER_OFFSETS, "__transaction_state", "__share_group_state"})
#: ``Topic.MAX_NAME_LENGTH`` and the legal characters (``Topic.validate``).
MAX_NAME_LENGTH = 249
_LEGAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def topic_name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a topic, in ``Topic.validate``'s words, or None."""
    if not isinstance(name, str) or not name:
        reason = "the empty string is not allowed"
    elif name in (".", ".."):
        reason = f"'{name}' is not allowed"
    elif len(name) > MAX_NAME_LENGTH:
        reason = f"the length of '{name}' is longer than the max allowed length {MAX_NAME_LENGTH}"
    elif not set(name) <= _LEGAL:
        reason = f"'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
    else:
        return None
    return f"Topic name is invalid: {reason}"


def collides(a: str, b: str) -> bool:
    """``Topic.hasCollision``: '.' and '_' are the same in metric names, so "a.b" and "a_b" collide."""
    return a.replace(".", "_") == b.replace(".", "_")


class TopicIds:
    """Kafka ``Uuid.randomUuid()`` from a generator of its own (deterministic per run)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed * 7_919 + 101)

    def next(self) -> str:
        # Uuid.randomUuid never hands out Uuid.ZERO_UUID or METADATA_TOPIC_ID; at 2**-128 a draw, never here either.
        raw = self._rng.getrandbits(128).to_bytes(16, "big")
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(eq=False)
class Topic:
    """``configs``: every topic config in force (defaults filled in); ``overrides``: those set on the topic."""

    name: str
    topic_id: str
    partitions: list[PartitionState]
    configs: dict[str, Any]
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def internal(self) -> bool:
        return self.name in INTERNAL_TOPICS

    @property
    def replication_factor(self) -> int:
        return len(self.partitions[0].replicas) if self.partitions else 0
