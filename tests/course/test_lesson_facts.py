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


#: Consumer-side KIPs and the release that shipped each, from apache/kafka's tags: max.poll.interval.ms and the
#: background heartbeat thread first in ConsumerConfig at 0.10.1.0 (KIP-62); group.instance.id at 2.3.0 (KIP-345);
#: CooperativeStickyAssignor and RackAwareReplicaSelector first at 2.4.0 (KIP-429, KIP-392); session.timeout.ms
#: 45000 and [RangeAssignor, CooperativeStickyAssignor] in ConsumerConfig at 3.0.0, 10000 and [RangeAssignor] at 2.8.0
#: (KIP-735, KIP-726); KIP-848 generally available in 4.0 (the 4.0 docs' "Consumer Rebalance Protocol").
CONSUMER_KIPS = {"KIP-62": "0.10.1", "KIP-345": "2.3", "KIP-429": "2.4", "KIP-392": "2.4", "KIP-735": "3.0",
                 "KIP-726": "3.0", "KIP-848": "4.0"}
_VERSION = re.compile(r"(?<![\d.])\d+\.\d+(?:\.\d+)?(?![\d.]\d)")


def _names_version(text: str, version: str) -> bool:
    return re.search(r"(?<![\d.])" + re.escape(version) + r"(?!\.?\d)", text) is not None


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?:;])\s+", text)


def dated_wrongly(texts: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(file, KIP, sentence) for each sentence that names a consumer KIP and a version, but not the KIP's release."""
    return [(name, kip, sentence[:120]) for name, text in texts for sentence in _sentences(text)
            for kip, version in CONSUMER_KIPS.items()
            if re.search(re.escape(kip) + r"(?!\d)", sentence) and _VERSION.search(sentence)
            and not _names_version(sentence, version)]


def test_consumer_kips_carry_the_release_that_shipped_them() -> None:
    assert dated_wrongly(paragraphs()) == []


def test_the_consumer_defaults_that_moved_in_3_0_agree_with_the_registry() -> None:
    # ConsumerConfig at 2.8.0: session.timeout.ms 10000, [RangeAssignor]; at 3.0.0: 45000, [RangeAssignor,
    # CooperativeStickyAssignor]. The registry must say so, dated 3.0 with the KIP.
    session = registry().get("consumer", "session.timeout.ms")
    assert (session.default_for("2.8"), session.default_for("3.x"), session.default_for("4.0")) == (10000, 45000, 45000)
    assert list(session.history) == ["3.0: default 10000 -> 45000 (KIP-735)"]
    strategy = registry().get("consumer", "partition.assignment.strategy")
    assert strategy.default_for("2.8") == ["range"]
    assert strategy.default_for("4.0") == ["range", "cooperative-sticky"]
    assert [line for line in strategy.history if "KIP-726" in line][0].startswith("3.0:")


def test_the_check_finds_a_kip_dated_to_the_wrong_release() -> None:
    wrong = [("x.md", "Since 3.0 (KIP-726) the list is longer. cooperative-sticky (KIP-429, Kafka 2.3) keeps partitions.")]
    assert dated_wrongly(wrong) == [("x.md", "KIP-429", "cooperative-sticky (KIP-429, Kafka 2.3) keeps partitions.")]
    assert dated_wrongly([("x.md", "The default moved in 3.0 (KIP-726); KIP-848 removes the stop.")]) == []
    assert _names_version("since 2.4 (KIP-392)", "2.4") and not _names_version("since 2.45", "2.4")
