"""The protocol errors security produces, with Kafka's codes, messages and client exceptions.

From ``org.apache.kafka.common.protocol.Errors`` (code, default message, exception class);
the client-side messages of the authorisation exceptions follow
TopicAuthorizationException and GroupAuthorizationException.forGroupId. The
simulator's own ``app.sim.errors.Errors`` holds the producer path's errors; these are
the ones only the security layers need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SecurityError", "SECURITY_ERRORS", "topic_authorization_message", "group_authorization_message"]


@dataclass(frozen=True, slots=True)
class SecurityError:
    """One entry of Kafka's Errors enum."""

    name: str
    code: int
    message: str
    exception: str


SECURITY_ERRORS: dict[str, SecurityError] = {e.name: e for e in (
    SecurityError("NONE", 0, "", ""),
    SecurityError("TOPIC_AUTHORIZATION_FAILED", 29, "Topic authorization failed.", "TopicAuthorizationException"),
    SecurityError("GROUP_AUTHORIZATION_FAILED", 30, "Group authorization failed.", "GroupAuthorizationException"),
    SecurityError("CLUSTER_AUTHORIZATION_FAILED", 31, "Cluster authorization failed.",
                  "ClusterAuthorizationException"),
    SecurityError("UNSUPPORTED_SASL_MECHANISM", 33, "The broker does not support the requested SASL mechanism.",
                  "UnsupportedSaslMechanismException"),
    SecurityError("ILLEGAL_SASL_STATE", 34, "Request is not valid given the current SASL state.",
                  "IllegalSaslStateException"),
    SecurityError("TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 53, "Transactional Id authorization failed.",
                  "TransactionalIdAuthorizationException"),
    SecurityError("SECURITY_DISABLED", 54, "Security features are disabled.", "SecurityDisabledException"),
    SecurityError("SASL_AUTHENTICATION_FAILED", 58, "SASL Authentication failed.", "SaslAuthenticationException"),
    SecurityError("UNKNOWN_TOPIC_OR_PARTITION", 3, "This server does not host this topic-partition.",
                  "UnknownTopicOrPartitionException"),
)}


def _java_set(items: Iterable[str]) -> str:
    # Java's AbstractCollection.toString: "[a, b]"; the order is the set's, ours is sorted.
    return "[" + ", ".join(sorted(items)) + "]"


def topic_authorization_message(topics: Iterable[str]) -> str:
    """TopicAuthorizationException(Set<String>): ``Not authorized to access topics: [finance]``."""
    return "Not authorized to access topics: " + _java_set(topics)


def group_authorization_message(group_id: str) -> str:
    """GroupAuthorizationException.forGroupId: ``Not authorized to access group: payments``."""
    return "Not authorized to access group: " + group_id
