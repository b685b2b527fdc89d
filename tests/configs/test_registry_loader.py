"""The registry file itself: every entry loads, and every default passes its own validation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.configs import KAFKA_VERSIONS, ConfigDef, registry
from app.configs.registry import _load

REGISTRY = registry()
ENTRIES = list(REGISTRY)
YAML_PATH = Path(__file__).parents[2] / "app" / "configs" / "kafka_configs.yaml"


def test_every_entry_parses_and_keys_are_unique() -> None:
    raw = yaml.safe_load(YAML_PATH.read_text(encoding="utf-8"))
    keys = Counter((e["scope"], e["name"]) for e in raw)
    assert [k for k, n in keys.items() if n > 1] == []
    assert len(REGISTRY) == len(raw)


def test_every_scope_has_entries() -> None:
    scopes = Counter(d.scope for d in ENTRIES)
    assert scopes["producer"] >= 30
    assert scopes["broker"] >= 30
    assert scopes["topic"] >= 13


@pytest.mark.parametrize("version", KAFKA_VERSIONS)
@pytest.mark.parametrize("config", ENTRIES, ids=lambda d: d.key)
def test_default_passes_its_own_validation(config: ConfigDef, version: str) -> None:
    default = config.default_for(version)
    assert config.parse(default) == default


@pytest.mark.parametrize("config", ENTRIES, ids=lambda d: d.key)
def test_entry_is_complete(config: ConfigDef) -> None:
    assert config.doc.strip(), "doc is required"
    assert len(config.doc) < 400, "doc is one or two sentences"
    assert config.importance in ("high", "medium", "low")
    if config.min is not None and config.max is not None:
        assert config.min <= config.max
    for line in config.history:
        version, _, change = line.partition(": ")
        assert version.replace(".", "").isdigit() and change, f"history line {line!r} reads 'version: change'"
    assert not config.creation_only or config.scope == "topic"
    # An older default is recorded only where it differs from the newest one.
    for version, value in config.default_by_version.items():
        assert value != config.default, f"{config.key}: default_by_version[{version}] repeats the 4.0 default"


def test_lists_and_values_are_kafkas() -> None:
    assert REGISTRY.get("producer", "acks").values == ("all", "-1", "0", "1")
    assert REGISTRY.get("producer", "compression.type").values == ("none", "gzip", "snappy", "lz4", "zstd")
    assert set(REGISTRY.get("topic", "compression.type").values) == {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}
    assert REGISTRY.get("topic", "cleanup.policy").default == ["delete"]


def test_loader_refuses_unknown_fields(tmp_path: Path) -> None:
    bad = tmp_path / "kafka_configs.yaml"
    bad.write_text("- {name: x.ms, scope: producer, type: long, default: 0, doc: d, colour: red}\n")
    with pytest.raises(ValueError, match="colour"):
        _load(bad)


def test_loader_refuses_a_default_that_fails_validation(tmp_path: Path) -> None:
    bad = tmp_path / "kafka_configs.yaml"
    bad.write_text("- {name: x.ms, scope: producer, type: long, default: -5, min: 0, doc: d}\n")
    with pytest.raises(ValueError, match="default fails its own validation"):
        _load(bad)


def test_loader_refuses_unknown_versions(tmp_path: Path) -> None:
    bad = tmp_path / "kafka_configs.yaml"
    bad.write_text('- {name: x.ms, scope: producer, type: long, default: 0, doc: d, versions: ["1.0"]}\n')
    with pytest.raises(ValueError, match="versions"):
        _load(bad)


def test_default_lists_are_copies() -> None:
    policy = REGISTRY.get("topic", "cleanup.policy")
    policy.default_for().append("compact")
    assert policy.default_for() == ["delete"]
