"""Kafka's configs that the course and the simulator use: one registry, kept as data."""

from app.configs.registry import (
    KAFKA_VERSIONS,
    ConfigDef,
    ConfigException,
    Registry,
    registry,
)

__all__ = ["KAFKA_VERSIONS", "ConfigDef", "ConfigException", "Registry", "registry"]
