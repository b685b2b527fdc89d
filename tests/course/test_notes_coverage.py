"""Every topic of the course notes has a lesson.

The notes' headings are copied into ``notes_topics.txt`` beside this file (the
notes themselves are not part of the repository). Each row of COVERAGE maps a
heading, as the notes spell it, to the slug of the lesson that teaches it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.paths import CONTENT_DIR

TOPICS_FILE = Path(__file__).with_name("notes_topics.txt")

COVERAGE: dict[str, str] = {
    # Kafka, in the notes' (reverse-chronological) order
    "Why should I care about topic config?": "kafka-topic-configuration",
    "Kafka Multi Cluster + Replication": "kafka-multi-cluster-replication",
    "State of the art of Kafka Security": "kafka-security-together",
    "Putting it all together": "kafka-security-together",
    "Authentication in Kafka": "kafka-security-authentication",
    "ACL(Access Control Lists)": "kafka-security-authorisation",
    "Encryption in Kafka": "kafka-security-encryption",
    "The need for encryption, authentication & nauthorization in Kafka": "kafka-security-why",
    "Kafka Monitoring and Operations": "kafka-monitoring-operations",
    "Kafka Cluster Setup Gotchas": "kafka-cluster-setup-gotchas",
    "Kafka Cluster Setup High Level Architecture": "kafka-cluster-architecture",
    "Kafka Connect and Streams Architecture Design": "kafka-connect-streams",
    "Why Kafka Connect and Streams": "kafka-connect-streams",
    "Kafka Connect API A brief history": "kafka-connect-streams",
    "Kafka Connect Introduction": "kafka-connect-streams",
    "Max.block.ms & buffer.memory": "kafka-buffer-memory",
    "Producer Default Partitioner and how keys are hashed": "kafka-partitioner",
    "High Throughput Producer Demo": "kafka-high-throughput-producer",
    "Linger.ms & batch.size": "kafka-batching",
    "Message compression Recommendations": "kafka-compression",
    "Message Compression": "kafka-compression",
    "Safe producer Summary & Demo": "kafka-safe-producer",
    "Idempotent Producer": "kafka-idempotent-producer",
    "Producer retries": "kafka-retries",
    "Producers Acks Deep Dive acks = all (replicas acks)": "kafka-acks",
    "Producers Acks Deep Dive acks = 1 (leader acks)": "kafka-acks",
    "Producers Acks Deep Dive acks = 0 (no acks)": "kafka-acks",
    # AWS: Lesson 1's sections, Lesson 2, and the modules of the whole course
    "1.1 What is AWS?": "aws-what-is-aws",
    "1.2 The Shared Responsibility Model": "aws-shared-responsibility",
    "1.3 The AWS Account": "aws-account",
    "1.4 Demo: Introduction to the AWS Console": "aws-console-tour",
    "1.5 AWS Service Categories": "aws-service-categories",
    "1.6 AWS Icons and Diagrams": "aws-icons-diagrams",
    "Lesson 2: AWS Global Infrastructure": "aws-global-infrastructure",
    "Module 1: AWS Overview": "aws-syllabus",
    "Module 2: AWS Identity and Access Management": "aws-syllabus",
    "Module 3: AWS Network Services": "aws-syllabus",
    "Module 4: AWS Compute Services": "aws-syllabus",
    "Module 5: AWS Storage Services": "aws-syllabus",
    "Module 6: AWS Database Services": "aws-syllabus",
    "Module 7: AWS High Availability Services": "aws-syllabus",
    "Module 8: AWS Analytics Services": "aws-syllabus",
    "Module 9: AWS Management Tools": "aws-syllabus",
    "Module 10: AWS Monitoring and Automation Services": "aws-syllabus",
    "Module 11: AWS Security Services": "aws-syllabus",
    "Module 12: AWS Developer Services": "aws-syllabus",
    "Module 13: AWS Biling and Cost Management": "aws-syllabus",
    "Module 14: Course Wrap-Up And Next Steps": "aws-syllabus",
}


def _topics() -> list[str]:
    lines = TOPICS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_the_table_covers_every_topic_of_the_notes_and_nothing_else() -> None:
    topics = _topics()
    assert len(topics) == len(set(topics)), "a topic is listed twice in notes_topics.txt"
    uncovered = [t for t in topics if t not in COVERAGE]
    unknown = [t for t in COVERAGE if t not in topics]
    assert not uncovered, f"notes topics with no lesson in COVERAGE: {uncovered}"
    assert not unknown, f"COVERAGE rows that are not headings of the notes (fix their spelling): {unknown}"


@pytest.mark.parametrize(("topic", "slug"), sorted(COVERAGE.items()))
def test_every_notes_topic_has_a_lesson(topic: str, slug: str) -> None:
    lessons = {path.stem for path in CONTENT_DIR.glob("*/*.md")}
    assert slug in lessons, f"notes topic {topic!r} should be taught by content/*/{slug}.md, which does not exist"
