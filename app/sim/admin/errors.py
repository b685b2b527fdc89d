"""The admin API's errors: Kafka's exception classes, each with its protocol error and Kafka's words.

Models ``org.apache.kafka.common.errors.*`` as the Java admin client raises them: the class a
response's error code maps to (``Errors.forCode(...).exception(message)``), with the server's
message when it sent one and the error's default message otherwise. ``.error`` is the protocol
error (app/sim/errors.py), ``.retriable`` whether Kafka's class extends RetriableException.
"""

from __future__ import annotations

import re

from app.configs import ConfigException
from app.sim.errors import Errors


def kafka_message(exc: ConfigException) -> str:
    """A ConfigException's message as Kafka's ``ConfigDef`` words it: the registry adds the valid range to a
    type error for the course's own forms ("... Not a number of type INT (valid values: [1,...])"); Kafka stops
    at the type."""
    return re.sub(r" \(valid values: [^()]*\)$", "", str(exc))


class KafkaAdminError(Exception):
    """An admin call (or one item of it) failed as Kafka's admin client reports it."""

    error: Errors = Errors.UNKNOWN_SERVER_ERROR
    #: ``Errors``' default message: what the client says when the server sent none
    default_message = "The server experienced an unexpected error when processing the request."

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    @property
    def name(self) -> str:
        """Kafka's class name, as ``kafka-topics`` prints it (``org.apache.kafka.common.errors.<name>``)."""
        return type(self).__name__

    @property
    def retriable(self) -> bool:
        return self.error.retriable

    def __repr__(self) -> str:
        return f"{self.name}({self.message!r})"


class UnknownServerException(KafkaAdminError):
    pass


class InvalidTopicException(KafkaAdminError):
    error = Errors.INVALID_TOPIC_EXCEPTION
    default_message = "The request attempted to perform an operation on an invalid topic."


class UnknownTopicOrPartitionException(KafkaAdminError):
    error = Errors.UNKNOWN_TOPIC_OR_PARTITION
    default_message = "This server does not host this topic-partition."


class BrokerNotAvailableException(KafkaAdminError):
    error = Errors.BROKER_NOT_AVAILABLE
    default_message = "The broker is not available."


class TopicExistsException(KafkaAdminError):
    error = Errors.TOPIC_ALREADY_EXISTS
    default_message = "Topic with this name already exists."


class InvalidPartitionsException(KafkaAdminError):
    error = Errors.INVALID_PARTITIONS
    default_message = "Number of partitions is below 1."


class InvalidReplicationFactorException(KafkaAdminError):
    error = Errors.INVALID_REPLICATION_FACTOR
    default_message = "Replication factor is below 1 or larger than the number of available brokers."


class InvalidReplicaAssignmentException(KafkaAdminError):
    error = Errors.INVALID_REPLICA_ASSIGNMENT
    default_message = "Replica assignment is invalid."


class InvalidConfigurationException(KafkaAdminError):
    error = Errors.INVALID_CONFIG
    default_message = "Configuration is invalid."


class InvalidRequestException(KafkaAdminError):
    error = Errors.INVALID_REQUEST
    default_message = ("This most likely occurs because of a request being malformed by the client library or the "
                       "message was sent to an incompatible broker. See the broker logs for more details.")


class UnsupportedVersionException(KafkaAdminError):
    error = Errors.UNSUPPORTED_VERSION
    default_message = "The version of API is not supported."


class ReassignmentInProgressException(KafkaAdminError):
    error = Errors.REASSIGNMENT_IN_PROGRESS
    default_message = "A partition reassignment is in progress."


class NoReassignmentInProgressException(KafkaAdminError):
    error = Errors.NO_REASSIGNMENT_IN_PROGRESS
    default_message = "No partition reassignment is in progress."


class PreferredLeaderNotAvailableException(KafkaAdminError):
    error = Errors.PREFERRED_LEADER_NOT_AVAILABLE
    default_message = "The preferred leader was not available."


class EligibleLeadersNotAvailableException(KafkaAdminError):
    error = Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE
    default_message = "Eligible topic partition leaders are not available."


class ElectionNotNeededException(KafkaAdminError):
    error = Errors.ELECTION_NOT_NEEDED
    default_message = "Leader election not needed for topic partition."


class InvalidUpdateVersionException(KafkaAdminError):
    error = Errors.INVALID_UPDATE_VERSION
    default_message = "The given update version was invalid."


class BrokerIdNotRegisteredException(KafkaAdminError):
    error = Errors.BROKER_ID_NOT_REGISTERED
    default_message = "The given broker ID was not registered."


class TimeoutException(KafkaAdminError):
    """The client gave up: the call's node never became available (default.api.timeout.ms)."""

    error = Errors.REQUEST_TIMED_OUT
    default_message = "The request timed out."
