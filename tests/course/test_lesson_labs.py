"""Each lesson with a live lab says what its lab changes from a real cluster, beside Kafka's default.

A lab shortens timeouts and stretches latencies so that a failure plays out in
seconds on screen; a learner must not take the lab's numbers for Kafka's. A lesson
names its lab in its front matter (``lab: acks``) and the page shows the lab right
after the lesson's last section. That section holds a table

    | Setting | In the lab | On a real cluster |

and this test reads each lab's ``base_spec`` (``app.live.labs.LABS``) and checks
that every cluster, network, topic and producer setting it sets that differs from
Kafka's default (the config registry, for the lab's Kafka version) has a row there
with the lab's value, and, for a Kafka config, Kafka's default beside it. Latency
and bandwidth are not Kafka configs: the simulator's defaults (1 ms, 1000 Mbit/s)
stand for a real network, and a lab that departs from them says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.configs import registry
from app.course.frontmatter import split_front_matter
from app.course.lessons import Course, Lesson, load_course
from app.course.markdown import parse_blocks
from app.live.labs import LABS, Lab
from app.paths import CONTENT_DIR
from app.sim import parse_spec

HEADER = ("Setting", "In the lab", "On a real cluster")
#: Spec keys that are not settings with a default: the broker count (ids 0..n-1) and the topic's name.
NOT_SETTINGS = {("cluster", "brokers"), ("cluster", "racks"), ("topic", "name")}
#: Where each spec section's Kafka configs live in the registry.
SCOPES = {"cluster": "broker", "topic": "topic", "producer": "producer"}
#: A spec's list sections (docs/sim.md, "Topics, clients and groups"): the registry scope of each item's Kafka
#: configs, and the item's keys that are not Kafka configs.
#: client.id names a client, as group.id names a group: no default it shortens.
LISTS = {"topics": ("topic", {"name"}),
         "producers": ("producer", {"topic", "workload", "partitioner", "host", "rack", "client.id"}),
         "consumer_groups": ("consumer", {"group.id", "topics", "members", "process_ms", "commit", "static", "racks", "host",
                                          "principal", "client.id"})}


@dataclass(frozen=True)
class Row:
    """One row the lesson's table must have: what its first cell names, and the values beside it."""

    what: str  # for the failure message
    names: tuple[str, ...]  # words the first cell contains (a config key as a code span)
    in_lab: str
    default: str | None  # Kafka's default, for a Kafka config


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def expected_rows(lab: Lab) -> list[Row]:
    """Every setting of the lab's base spec that differs from a real cluster's."""
    spec = lab.base_spec
    version = spec.get("kafka_version", "4.0")
    network = parse_spec({})["cluster"]  # the simulator's defaults: latency_ms, bandwidth_mbps
    rows = []
    for section, scope in SCOPES.items():
        for key, value in spec.get(section, {}).items():
            if (section, key) in NOT_SETTINGS:
                continue
            if section == "cluster" and key == "latency_ms":
                if value != network["latency_ms"]:
                    rows.append(Row(key, ("latency",), f"{_text(value)} ms", None))
                continue
            if section == "cluster" and key == "bandwidth_mbps":
                if value != network["bandwidth_mbps"]:
                    rows.append(Row(key, ("bandwidth",), f"{_text(value)} Mbit/s", None))
                continue
            rows += _differs(section, scope, key, value, version)
    # The list sections as the run has them (a lab may place settings in its build_spec: the consumers lab's
    # session.timeout.ms); a setting the learner moves on the page is the lab's choice, not a shortening.
    built = lab.build_spec(lab.preset)
    moved = {s.name for s in lab.settings}
    for section, (scope, not_configs) in LISTS.items():
        for item in built.get(section, []):
            for key, value in item.items():
                if key not in not_configs and key not in moved:
                    rows += _differs(section, scope, key, value, version)
    for link in spec.get("network", {}).get("links", []):
        ends = "producer" if "producer" in (link["from"], link["to"]) else "between brokers"
        rows.append(Row(f"network link {link['from']}->{link['to']}", ("latency", ends), f"{_text(link['latency_ms'])} ms",
                        None))
    return list(dict.fromkeys(rows))  # one row per distinct setting: the links of a lab repeat


def _differs(section: str, scope: str, key: str, value: Any, version: str) -> list[Row]:
    """The row a Kafka config of the lab needs when its value is not Kafka's default in ``version``."""
    default = registry().get(scope, key).default_for(version)
    return [Row(f"{section}.{key}", (f"`{key}`",), _text(value), _text(default))] if value != default else []


def lab_table(lesson: Lesson) -> list[tuple[str, ...]]:
    """The rows (cells as Markdown) of the settings table in the lesson's last section, or []."""
    _, body = split_front_matter(lesson.path)
    tokens = parse_blocks(body)
    last_section = max(i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2")
    tables: list[list[tuple[str, ...]]] = []
    row: list[str] = []
    for token in tokens[last_section:]:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and tables and token.level > 0:
            row.append(token.content)
        elif token.type == "tr_close":
            tables[-1].append(tuple(row))
    matching = [t for t in tables if t and t[0] == HEADER]
    return matching[0][1:] if matching else []


def _has(cell: str, value: str) -> bool:
    """``value`` stands in ``cell`` as a whole number or word (1500 is not found in 15000)."""
    return re.search(r"(?<![\w.])" + re.escape(value) + r"(?![\w]|\.\d)", cell) is not None


def missing_rows(lab: Lab, table: list[tuple[str, ...]]) -> list[str]:
    problems = []
    for want in expected_rows(lab):
        named = [r for r in table if all(n in r[0] for n in want.names)]
        if not any(_has(r[1], want.in_lab) for r in named):
            problems.append(f"{want.what}: no row naming {' and '.join(want.names)} with {want.in_lab!r} in the lab")
        elif want.default is not None and not any(_has(r[2], want.default) for r in named if _has(r[1], want.in_lab)):
            problems.append(f"{want.what}: the row does not give Kafka's default, {want.default}")
    return problems


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(CONTENT_DIR)


def test_every_lab_is_shown_by_exactly_one_lesson(course: Course) -> None:
    shown = [lesson.meta.lab for lesson in course if lesson.meta.lab]
    assert sorted(shown) == sorted(LABS)


@pytest.mark.parametrize("name", sorted(LABS))
def test_the_lesson_states_what_its_lab_changes_beside_kafkas_default(course: Course, name: str) -> None:
    (lesson,) = [lesson for lesson in course if lesson.meta.lab == name]
    table = lab_table(lesson)
    assert table, f"{lesson.path.name}: its last section has no table | {' | '.join(HEADER)} |"
    assert not missing_rows(LABS[name], table), f"{lesson.path.name}: {missing_rows(LABS[name], table)}"


def test_the_check_finds_a_setting_left_out() -> None:
    acks = LABS["acks"]
    table = [("`broker.session.timeout.ms`", "1000 ms", "9000 ms (default)")]
    problems = missing_rows(acks, table)
    assert not any(p.startswith("cluster.broker.session.timeout.ms") for p in problems)
    assert any(p.startswith("cluster.replica.lag.time.max.ms") for p in problems)
    assert any("between brokers" in p and "'150 ms'" in p for p in problems)
    wrong_default = [("`broker.session.timeout.ms`", "1000 ms", "18000 ms")]
    assert "cluster.broker.session.timeout.ms: the row does not give Kafka's default, 9000" in missing_rows(acks, wrong_default)
    assert not _has("15000 ms", "1500") and _has("1500 ms (1.5 s)", "1500")


def test_the_check_reads_a_spec_s_lists_and_what_the_lab_builds_from_them() -> None:
    """The consumers lab writes its group's session.timeout.ms in build_spec, and its topics and groups are lists."""
    problems = missing_rows(LABS["consumers"], [("`auto.offset.reset`", "earliest", "latest (default)")])
    assert "consumer_groups.session.timeout.ms: no row naming `session.timeout.ms` with '10000' in the lab" in problems
    assert any(p.startswith("topics.partitions") for p in problems)
    assert not any(p.startswith("consumer_groups.auto.offset.reset") for p in problems)
    # A setting the learner moves on the page (partition.assignment.strategy) needs no row.
    assert not any("partition.assignment.strategy" in p for p in problems)


# Broker ids: the labs number brokers 0..n-1 (app.sim.spec), and so do the lessons and diagrams.

_BROKER_IDS = re.compile(r"\b[Bb]rokers? (\d+(?:(?:, | and | or | to )\d+)*)")
DIAGRAMS = sorted((CONTENT_DIR.parent / "static" / "diagrams").glob("*.svg"))


def broker_ids(text: str) -> set[int]:
    """Every id in "broker 2", "brokers 0, 1 and 2", "Broker 4" of ``text``."""
    return {int(n) for match in _BROKER_IDS.finditer(" ".join(text.split())) for n in re.findall(r"\d+", match.group(1))}


def test_broker_ids_are_read_from_text() -> None:
    assert broker_ids("replicas on brokers 0 (leader), 1 and 2; broker\n3 and Broker 4") == {0, 3, 4}
    assert broker_ids("brokers 0, 1 and 2, then brokers 4 to 5") == {0, 1, 2, 4, 5}


@pytest.mark.parametrize("name", sorted(LABS))
def test_a_lab_lessons_broker_ids_are_its_labs(course: Course, name: str) -> None:
    (lesson,) = [lesson for lesson in course if lesson.meta.lab == name]
    text = lesson.path.read_text(encoding="utf-8")
    assert broker_ids(text) <= set(range(LABS[name].broker_count)), lesson.path.name


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_diagrams_number_brokers_from_zero(path: Path) -> None:
    ids = broker_ids(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    assert not ids or ids == set(range(max(ids) + 1)), f"{path.name} numbers its brokers {sorted(ids)}"
