from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from app.course.frontmatter import FrontMatterError, split_front_matter

GOOD = """\
    ---
    slug: kafka-acks
    title: "Producer acks"
    track: kafka
    module: "Producer"
    order: 1
    summary: "What acks=0, 1 and all promise."
    configs: [linger.ms]
    self_check:
      - question: "Which acks waits longest?"
        answer: "all"
        explanation: "It waits for every in-sync replica."
      - question: "Which acks can lose data silently?"
        answer: "0"
        explanation: "The producer does not wait for an answer."
    ---
    ## Body
    """


def _write(tmp_path: Path, text: str, name: str = "kafka-acks.md") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_good_front_matter_and_body(tmp_path: Path) -> None:
    meta, body = split_front_matter(_write(tmp_path, GOOD))
    assert (meta.slug, meta.track, meta.order, meta.configs) == ("kafka-acks", "kafka", 1, ["linger.ms"])
    assert body == "## Body\n"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("track: kafka", "track: kafak"), "track"),
        (("order: 1", "order: 0"), "order"),
        (("configs: [linger.ms]", "configs: [linger.sm]"), "not in the config registry: linger.sm"),
        (("slug: kafka-acks", "slug: Kafka_Acks"), "slug"),
        (("module: \"Producer\"\n", "module: \"Producer\"\n    author: me\n"), "author"),
        (("title: \"Producer acks\"", "title: [unclosed"), "bad front matter"),
    ],
)
def test_bad_front_matter_names_the_file(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(FrontMatterError) as error:
        split_front_matter(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = _write(tmp_path, "---\nslug: x\n")
    with pytest.raises(FrontMatterError, match="not closed"):
        split_front_matter(path)


def test_file_name_must_be_the_slug(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, name="acks.md")
    with pytest.raises(FrontMatterError, match=r"acks\.md: the file name must be the slug \(kafka-acks\.md\)"):
        split_front_matter(path)
