"""Facts several lessons state, checked to agree with each other and with Kafka's history.

Each check reads every lesson paragraph (a paragraph, list item, table row or
heading, and each self-check text) and the config glossary's history lines, and
asks that a claim carries its date. The sources are named beside each check.
"""

from __future__ import annotations

import re

from app.configs import registry
from app.course.frontmatter import split_front_matter
from app.course.markdown import parse_blocks
from app.paths import CONTENT_DIR


def blocks(body: str) -> list[str]:
    """Each paragraph, list item paragraph and heading of ``body``, and each table row as one text."""
    texts: list[str] = []
    row: list[str] | None = None
    for token in parse_blocks(body):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            texts.append(" | ".join(row))
            row = None
        elif token.type == "inline":
            (row if row is not None else texts).append(token.content)
    return texts


def paragraphs() -> list[tuple[str, str]]:
    """(lesson file, text) for every paragraph, table row and self-check text of the lessons, whitespace folded."""
    out = []
    for path in sorted(CONTENT_DIR.glob("*/*.md")):
        meta, body = split_front_matter(path)
        texts = blocks(body) + [meta.summary]
        texts += [text for item in meta.self_check for text in (item.question, f"{item.answer} {item.explanation}")]
        out += [(path.name, " ".join(text.split())) for text in texts]
    return out


def history() -> list[tuple[str, str]]:
    return [(config.key, line) for config in registry() for line in config.history]


def test_idempotence_by_default_is_dated_from_the_releases_that_did_it() -> None:
    # KIP-679 made enable.idempotence=true the default in 3.0, but ProducerConfig.idempotenceEnabled() in
    # 3.0.0 and 3.1.0 still required it to be set explicitly; 3.0.1, 3.1.1 and 3.2.0 fixed that (KAFKA-13598).
    undated = [(name, text[:120]) for name, text in paragraphs()
               if re.search(r"idempoten", text, re.IGNORECASE) and re.search(r"(?<![\d.])3\.0(?!\.?\d)", text)
               and not re.search(r"3\.0\.1|KAFKA-13598", text)]
    assert undated == []


def test_zookeepers_removal_is_kip_833_not_kip_500() -> None:
    # KIP-500 designed KRaft; KIP-833 set the timeline: ZooKeeper mode deprecated in 3.5, removed in 4.0.
    wrong = [(name, text[:120]) for name, text in paragraphs() + history()
             if "KIP-500" in text and re.search(r"remov", text) and "KIP-833" not in text]
    assert wrong == []
    removals = [(name, text) for name, text in paragraphs() if re.search(r"ZooKeeper (was|is) removed|removed ZooKeeper", text)]
    assert all("4.0" in text for _, text in removals), removals


def test_standard_authorizer_is_dated_3_2() -> None:
    # StandardAuthorizer first ships in 3.2.0 (metadata/.../authorizer/StandardAuthorizer.java, KIP-801);
    # AclAuthorizer is deleted for 4.0 (KAFKA-17614).
    dated = [text for _, text in paragraphs() + history() if "StandardAuthorizer" in text and "KIP-801" in text]
    assert dated and all(re.search(r"(?<![\d.])3\.2(?!\.?\d)", text) for text in dated)
    (line,) = [line for line in registry().get("broker", "authorizer.class.name").history if "AclAuthorizer removed" in line]
    assert line.startswith("4.0:")
