"""Shared fixtures: the app over the real content/, and over a small sample course.

The sample course lets the web and browser tests exercise every feature while
content/ is still being written; the real-content tests cover every lesson there.
"""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import warnings

import pytest
from fastapi import FastAPI

# Starlette's TestClient warns that it prefers httpx2 to httpx; with warnings as
# errors that would stop every web test. Imported once here, before any test module.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent

# Starlette's TestClient sends Host: testserver, and the app answers only the names it allows (app/web/hosts.py).
# Every Settings the tests build (here, tests/live/conftest.py, the browser server) reads this; set, not defaulted,
# so a developer's own BROKERLAB_ALLOWED_HOSTS cannot change what the tests see.
os.environ["BROKERLAB_ALLOWED_HOSTS"] = '["testserver"]'

SAMPLE_LESSONS: dict[str, str] = {
    "kafka/kafka-acks.md": """\
        ---
        slug: kafka-acks
        title: "Producer acks"
        track: kafka
        module: "Producer"
        order: 1
        summary: "What acks=0, 1 and all promise, and what each costs."
        configs: [linger.ms]
        related: [aws-syllabus]
        self_check:
          - question: "Which acks setting waits for the in-sync replicas?"
            answer: "`acks=all`"
            explanation: "The leader answers only once every in-sync replica has the record."
          - question: "Can acks=0 lose data?"
            answer: "Yes."
            explanation: "The producer does not wait for any answer, so a lost request goes unnoticed."
        ---
        Intro before the first section.

        ## acks = 0

        No response is requested. See [the glossary](/configs#producer-linger.ms).

        ## acks = 1

        | acks | waits for |
        |------|-----------|
        | 1    | leader    |

        ## acks = all

        Leader and replicas. Back to [acks = 0](#acks-0).
        """,
    "kafka/kafka-retries.md": """\
        ---
        slug: kafka-retries
        title: "Producer retries"
        track: kafka
        module: "Producer"
        order: 2
        summary: "Retries hide transient failures, and what they do to ordering."
        self_check:
          - question: "What is a transient failure?"
            answer: "One that goes away by itself."
            explanation: "NotEnoughReplicas during a broker restart is the usual example."
          - question: "What bounds the retries in time?"
            answer: "`delivery.timeout.ms`"
            explanation: "Since KIP-91 the producer gives up when the delivery timeout expires."
        ---
        ## Retries

        Text.

        ## Ordering

        More text.
        """,
    "aws/aws-syllabus.md": """\
        ---
        slug: aws-syllabus
        title: "The AWS syllabus"
        track: aws
        module: "AWS Overview"
        order: 1
        summary: "The fourteen modules of the AWS course at a glance."
        related: [kafka-acks]
        self_check:
          - question: "Which module covers IAM?"
            answer: "Module 2."
            explanation: "Identity and Access Management comes right after the overview."
          - question: "Which module closes the course?"
            answer: "Module 14."
            explanation: "The wrap-up points to the next steps after the course."
        ---
        ## Modules

        | Module | Topic |
        |--------|-------|
        | 1 | AWS Overview |
        | 2 | AWS Identity and Access Management |
        """,
}


def write_sample_content(root: Path) -> Path:
    for name, text in SAMPLE_LESSONS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def sample_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_content(tmp_path_factory.mktemp("content"))


@pytest.fixture(scope="session")
def sample_app(sample_content: Path) -> FastAPI:
    return create_app(Settings(content_dir=sample_content))


@pytest.fixture(scope="session")
def sample_client(sample_app: FastAPI) -> TestClient:
    return TestClient(sample_app)


@pytest.fixture(scope="session")
def real_app() -> FastAPI:
    """The app over content/ as it is in the repository."""
    return create_app(Settings())


@pytest.fixture(scope="session")
def real_client(real_app: FastAPI) -> TestClient:
    return TestClient(real_app)
