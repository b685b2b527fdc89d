"""The config registry: Kafka's producer, broker and topic configs as data.

`kafka_configs.yaml` beside this file is the one source of truth. The glossary
page renders it, lessons name entries from it, and the simulator validates its
input against it. Which lessons use a config is not stored here: it is derived
from the lessons' front matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

#: The Kafka versions whose defaults the simulator and the lessons can switch between.
KAFKA_VERSIONS: tuple[str, ...] = ("2.8", "3.x", "4.0")
LATEST = KAFKA_VERSIONS[-1]

Scope = Literal["producer", "consumer", "broker", "topic"]
ConfigType = Literal["int", "long", "double", "boolean", "string", "list", "class", "password"]
_SCOPES = ("producer", "consumer", "broker", "topic")
_TYPES = ("int", "long", "double", "boolean", "string", "list", "class", "password")
_INT_BOUNDS = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


class ConfigException(ValueError):
    """A config value Kafka would refuse; the message reads like Kafka's ConfigException."""

    def __init__(self, name: str, value: object, reason: str) -> None:
        self.name = name
        self.value = value
        self.reason = reason
        super().__init__(f"Invalid value {_kafka_str(value)} for configuration {name}: {reason}")


@dataclass(frozen=True)
class ConfigDef:
    """One Kafka config, as Kafka's ConfigDef describes it, plus its history."""

    name: str
    scope: Scope
    type: ConfigType
    default: Any  # the default in the newest version (KAFKA_VERSIONS[-1])
    doc: str
    importance: Literal["high", "medium", "low"] = "medium"
    min: float | None = None
    max: float | None = None
    values: tuple[Any, ...] = ()  # the allowed values, for enumerated configs
    default_by_version: dict[str, Any] = field(default_factory=dict)  # where an older default differs
    history: tuple[str, ...] = ()  # "2.1: default 0 -> 2147483647 (KIP-91)"
    creation_only: bool = False  # set when a topic is created (--partitions), not a config proper
    versions: tuple[str, ...] = ()  # the KAFKA_VERSIONS that have this config; empty means all of them

    @property
    def key(self) -> str:
        """Unique within the registry: the same name exists in several scopes."""
        return f"{self.scope}:{self.name}"

    @property
    def anchor(self) -> str:
        return f"{self.scope}-{self.name}"

    def default_for(self, version: str = LATEST) -> Any:
        if version not in KAFKA_VERSIONS:
            raise ValueError(f"Unknown Kafka version {version!r}; expected one of {', '.join(KAFKA_VERSIONS)}")
        value = self.default_by_version.get(version, self.default)
        return list(value) if isinstance(value, list) else value  # a caller may not change the registry's list

    def exists_in(self, version: str = LATEST) -> bool:
        """False for a config added after `version` or removed before it (zookeeper.connect in 4.0)."""
        return not self.versions or version in self.versions

    @property
    def nullable(self) -> bool:
        """A null default (no value set: transactional.id) makes null a valid value, as in Kafka's ConfigDef."""
        return self.default is None or None in self.default_by_version.values()

    def valid_range(self) -> str:
        """The valid values in words, as Kafka's validators print them."""
        if self.values:
            return "[" + ", ".join(str(v) for v in self.values) + "]"
        if self.min is not None and self.max is not None:
            return f"[{_num(self.min)},...,{_num(self.max)}]"
        if self.min is not None:
            return f"[{_num(self.min)},...]"
        if self.max is not None:
            return f"[...,{_num(self.max)}]"
        return "any " + self.type

    def parse(self, value: Any) -> Any:
        """The value converted to this config's type and checked; ConfigException if Kafka would refuse it."""
        if value is None:
            if self.nullable:
                return None
            raise ConfigException(self.name, value, f"Value must be non-null (valid values: {self.valid_range()})")
        parsed = self._convert(value)
        if self.values:
            # A list config (cleanup.policy) checks each element, as Kafka's ValidList does.
            bad = [v for v in parsed if v not in self.values] if self.type == "list" else ([] if parsed in self.values else [parsed])
            if bad:
                what = "String" if self.type in ("string", "list") else "Value"
                raise ConfigException(self.name, value, f"{what} must be one of: {', '.join(map(str, self.values))}")
        if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            if self.min is not None and parsed < self.min:
                raise ConfigException(self.name, value, f"Value must be at least {_num(self.min)}")
            if self.max is not None and parsed > self.max:
                raise ConfigException(self.name, value, f"Value must be no more than {_num(self.max)}")
        return parsed

    def _convert(self, value: Any) -> Any:
        try:
            return self._convert_type(value)
        except ConfigException as exc:
            if not (self.values or self.min is not None or self.max is not None):
                raise
            # Kafka's type errors stop at the type; the range helps a learner fix the value.
            raise ConfigException(self.name, value, f"{exc.reason} (valid values: {self.valid_range()})") from None

    def _convert_type(self, value: Any) -> Any:
        kind = self.type
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            raise ConfigException(self.name, value, "Expected value to be either true or false")
        if kind in ("int", "long"):
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ConfigException(self.name, value, f"Expected value to be a {32 if kind == 'int' else 64}-bit integer, but it was a {type(value).__name__}")
            try:
                number = int(value.strip()) if isinstance(value, str) else value
            except ValueError:
                raise ConfigException(self.name, value, f"Not a number of type {kind.upper()}") from None
            low, high = _INT_BOUNDS[kind]
            if not low <= number <= high:
                raise ConfigException(self.name, value, f"Not a number of type {kind.upper()}")
            return number
        if kind == "double":
            if isinstance(value, bool):
                raise ConfigException(self.name, value, "Expected value to be a double")
            try:
                return float(value)
            except (TypeError, ValueError):
                raise ConfigException(self.name, value, "Expected value to be a double") from None
        if kind == "list":
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return list(value)
            raise ConfigException(self.name, value, "Expected a comma separated list")
        if not isinstance(value, str):
            raise ConfigException(self.name, value, "Expected value to be a string")
        return value.strip() if kind != "password" else value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _kafka_str(value: object) -> str:
    """A value as Java prints it in a ConfigException: no quotes, null, true/false, [a, b]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_kafka_str(v) for v in value) + "]"
    return str(value)


class Registry:
    """All ConfigDefs, looked up by scope and name."""

    def __init__(self, defs: list[ConfigDef]) -> None:
        self._by_key: dict[str, ConfigDef] = {}
        for d in defs:
            if d.key in self._by_key:
                raise ValueError(f"config {d.key} is defined twice in the registry")
            self._by_key[d.key] = d

    def __iter__(self):
        return iter(sorted(self._by_key.values(), key=lambda d: (d.name, d.scope)))

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, scope: str, name: str) -> ConfigDef:
        try:
            return self._by_key[f"{scope}:{name}"]
        except KeyError:
            raise KeyError(f"{name} is not a known {scope} config") from None

    def find(self, name: str) -> list[ConfigDef]:
        """Every scope's definition of a name (compression.type is a producer and a topic config)."""
        return [d for d in self if d.name == name]

    def in_scope(self, scope: str) -> list[ConfigDef]:
        return [d for d in self if d.scope == scope]

    def validate(self, scope: str, values: dict[str, Any], version: str = LATEST) -> dict[str, Any]:
        """Every default of `scope` for `version`, overlaid with `values` parsed and checked.

        An unknown key is refused with the list of known ones, so a typo is not silently ignored;
        so is a config that `version` does not have (zookeeper.connect in 4.0).
        """
        if version not in KAFKA_VERSIONS:
            raise ValueError(f"Unknown Kafka version {version!r}; expected one of {', '.join(KAFKA_VERSIONS)}")
        known = {d.name: d for d in self.in_scope(scope) if d.exists_in(version)}
        unknown = sorted(set(values) - set(known))
        other = [d for name in unknown for d in self.in_scope(scope) if d.name == name]
        if other:
            d = other[0]
            raise ConfigException(d.name, values[d.name], f"Not a {scope} config in Kafka {version}; it exists in {', '.join(d.versions)}")
        if unknown:
            raise ConfigException(unknown[0], values[unknown[0]], f"Unknown {scope} config; known {scope} configs are: {', '.join(sorted(known))}")
        resolved = {name: d.default_for(version) for name, d in known.items()}
        for name, value in values.items():
            resolved[name] = known[name].parse(value)
        return resolved


def _load(path: Path) -> Registry:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of configs")
    defs = []
    for i, entry in enumerate(raw):
        where = f"{path.name} entry {i} ({entry.get('name', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping")
        if entry.get("scope") not in _SCOPES:
            raise ValueError(f"{where}: scope must be one of {_SCOPES}")
        if entry.get("type") not in _TYPES:
            raise ValueError(f"{where}: type must be one of {_TYPES}")
        by_version = entry.get("default_by_version") or {}
        if set(by_version) - set(KAFKA_VERSIONS):
            raise ValueError(f"{where}: default_by_version keys must be among {KAFKA_VERSIONS}")
        versions = entry.get("versions") or ()
        if set(versions) - set(KAFKA_VERSIONS):
            raise ValueError(f"{where}: versions must be among {KAFKA_VERSIONS}")
        try:
            d = ConfigDef(
                **{k: v for k, v in entry.items() if k not in ("values", "history", "default_by_version", "versions")},
                values=tuple(entry.get("values") or ()),
                history=tuple(entry.get("history") or ()),
                default_by_version=dict(by_version),
                versions=tuple(versions),
            )
        except TypeError as exc:
            raise ValueError(f"{where}: {exc}") from None
        # Kafka's ConfigDef refuses a default its own validator would refuse; so do we, for every version.
        for version in KAFKA_VERSIONS:
            default = d.default_for(version)
            try:
                ok = d.parse(default) == default
            except ConfigException as exc:
                raise ValueError(f"{where}: the {version} default fails its own validation: {exc}") from None
            if not ok:
                raise ValueError(f"{where}: the {version} default {default!r} is not of type {d.type}")
        defs.append(d)
    return Registry(defs)


@cache
def registry() -> Registry:
    """The registry, loaded once from kafka_configs.yaml."""
    return _load(Path(__file__).with_name("kafka_configs.yaml"))
