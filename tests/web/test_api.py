from __future__ import annotations

from fastapi.testclient import TestClient

from app import __version__


def test_lessons_api_lists_every_lesson(sample_client: TestClient) -> None:
    lessons = sample_client.get("/api/lessons").json()
    assert lessons[0] == {
        "slug": "kafka-acks",
        "title": "Producer acks",
        "track": "kafka",
        "summary": "What acks=0, 1 and all promise, and what each costs.",
        "url": "/lessons/kafka-acks",
    }
    assert [l["slug"] for l in lessons] == ["kafka-acks", "kafka-retries", "aws-syllabus"]


def test_lessons_api_over_real_content(real_client: TestClient) -> None:
    lessons = real_client.get("/api/lessons").json()
    for lesson in lessons:
        assert set(lesson) == {"slug", "title", "track", "summary", "url"}
        assert lesson["url"] == f"/lessons/{lesson['slug']}"


def test_search_index_holds_lessons_and_configs(sample_client: TestClient) -> None:
    index = sample_client.get("/api/search-index").json()
    kinds = {(e["kind"], e["url"]) for e in index}
    assert ("lesson", "/lessons/kafka-acks") in kinds
    assert ("config", "/configs#producer-linger.ms") in kinds
    acks = next(e for e in index if e["url"] == "/lessons/kafka-acks")
    assert "acks = all" in acks["text"]  # section headings are searchable
    assert acks["label"] == "Apache Kafka lesson 1"


def test_healthz_reports_the_version(sample_client: TestClient) -> None:
    response = sample_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "lessons": 3}
