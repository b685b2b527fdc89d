"""Config resources, entries and operations with the Java admin client's names.

Models ``ConfigResource``, ``ConfigEntry`` (with ``ConfigSource`` and ``ConfigSynonym``),
``Config``, ``AlterConfigOp`` and ``AlterConfigOp.OpType``. Values are strings, as Kafka sends
them (``ConfigDef.convertToString``: a list is "a,b", a boolean "true"); a sensitive value and a
config that has no value are None (printed ``null``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class ConfigResourceType(Enum):
    """``ConfigResource.Type`` with its wire ids."""

    TOPIC = 2
    BROKER = 4


class ConfigResource(NamedTuple):
    """A topic by name, or a broker by id as a string ("1"); the broker named "" is the cluster-wide default."""

    type: ConfigResourceType
    name: str

    @property
    def is_default(self) -> bool:
        return self.name == ""

    @classmethod
    def topic(cls, name: str) -> "ConfigResource":
        return cls(ConfigResourceType.TOPIC, name)

    @classmethod
    def broker(cls, broker: int | str = "") -> "ConfigResource":
        return cls(ConfigResourceType.BROKER, str(broker))


class ConfigSource(Enum):
    """``ConfigEntry.ConfigSource``: where a value comes from, highest precedence first."""

    DYNAMIC_TOPIC_CONFIG = "DYNAMIC_TOPIC_CONFIG"
    DYNAMIC_BROKER_LOGGER_CONFIG = "DYNAMIC_BROKER_LOGGER_CONFIG"
    DYNAMIC_BROKER_CONFIG = "DYNAMIC_BROKER_CONFIG"
    DYNAMIC_DEFAULT_BROKER_CONFIG = "DYNAMIC_DEFAULT_BROKER_CONFIG"
    STATIC_BROKER_CONFIG = "STATIC_BROKER_CONFIG"
    DEFAULT_CONFIG = "DEFAULT_CONFIG"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class ConfigSynonym:
    """One place the value could come from (``kafka-configs`` prints ``SOURCE:name=value``)."""

    name: str
    value: str | None
    source: ConfigSource


@dataclass(frozen=True)
class ConfigEntry:
    name: str
    value: str | None
    source: ConfigSource = ConfigSource.UNKNOWN
    is_sensitive: bool = False
    is_read_only: bool = False
    synonyms: list[ConfigSynonym] = field(default_factory=list)
    #: ``ConfigEntry.ConfigType``: BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD, UNKNOWN
    type: str = "UNKNOWN"
    documentation: str | None = None

    @property
    def is_default(self) -> bool:
        """``ConfigEntry.isDefault``: the value is Kafka's default (``kafka-topics --describe`` lists the others)."""
        return self.source is ConfigSource.DEFAULT_CONFIG


@dataclass(frozen=True)
class Config:
    """The entries of one resource, by name order."""

    entries: list[ConfigEntry]

    def get(self, name: str) -> ConfigEntry | None:
        return next((e for e in self.entries if e.name == name), None)


class OpType(Enum):
    SET = 0
    DELETE = 1
    APPEND = 2
    SUBTRACT = 3


@dataclass(frozen=True)
class AlterConfigOp:
    """One change to one config: SET a value, DELETE it (back to the next source), or APPEND to /
    SUBTRACT from a list config."""

    name: str
    value: str | None = None
    op_type: OpType = OpType.SET
