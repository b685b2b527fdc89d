from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.paths import CONTENT_DIR

# Lesson files are being added all the time: collect them by name, so every one
# that exists is rendered (a broken one then fails with its own name).
REAL_SLUGS = sorted(p.stem for p in CONTENT_DIR.glob("*/*.md"))


@pytest.mark.parametrize("slug", REAL_SLUGS)
def test_every_lesson_renders(real_client: TestClient, slug: str) -> None:
    response = real_client.get(f"/lessons/{slug}")
    assert response.status_code == 200
    assert "data-slide" in response.text
    assert "data-self-check" in response.text
    ids = re.findall(r'\sid="([^"]+)"', response.text)
    assert len(ids) == len(set(ids)), f"ids used twice: {sorted({i for i in ids if ids.count(i) > 1})}"


@pytest.mark.parametrize("path", ["/", "/configs", "/search?q=producer"])
def test_every_page_renders(real_client: TestClient, path: str) -> None:
    response = real_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_course_map_lists_both_tracks_by_module(sample_client: TestClient) -> None:
    html = sample_client.get("/").text
    assert 'data-track="kafka"' in html and 'data-track="aws"' in html
    assert "<h3>Producer</h3>" in html
    assert 'href="/lessons/kafka-acks" data-lesson-link="kafka-acks">Producer acks</a>' in html
    assert "What acks=0, 1 and all promise" in html
    assert 'href="/lessons/aws-syllabus"' in html and 'href="/configs"' in html


def test_lesson_page_has_position_slides_key_settings_and_self_check(sample_client: TestClient) -> None:
    html = sample_client.get("/lessons/kafka-acks").text
    assert "Lesson 1 of 2" in html
    assert html.count("<section data-slide=") == 4  # the introduction and three `##` sections
    assert '<a href="/configs#producer-linger.ms"><code>linger.<wbr>ms</code></a>' in html  # may wrap after the dot
    assert "Kafka 3.x: <code>0</code>" in html  # an older default that differs is shown
    assert html.count("<details data-answer>") == 2
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert 'data-related="aws-syllabus"' in html


def test_lesson_without_configs_has_no_key_settings_table(sample_client: TestClient) -> None:
    html = sample_client.get("/lessons/kafka-retries").text
    assert "data-key-settings" not in html
    assert "Lesson 2 of 2" in html and 'rel="prev"' in html


def test_glossary_lists_every_config_with_its_anchor_and_lessons(sample_client: TestClient, sample_app) -> None:
    html = sample_client.get("/configs").text
    for config in sample_app.state.registry:
        assert f'id="{config.anchor}"' in html
    assert 'data-config-filter' in html
    assert '<a href="/lessons/kafka-acks">Producer acks</a>' in html


@pytest.mark.parametrize("path", ["/lessons/no-such-lesson", "/no/such/page", "/lessons/"])
def test_unknown_paths_are_a_404_page(sample_client: TestClient, path: str) -> None:
    response = sample_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in response.text
    assert '<main id="main"' in response.text


def test_unknown_api_path_is_a_json_404(sample_client: TestClient) -> None:
    response = sample_client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_bad_search_parameter_is_explained(sample_client: TestClient) -> None:
    response = sample_client.get("/search", params={"q": "x" * 201})
    assert response.status_code == 422
    assert "at most 200 characters" in response.text


def test_search_page_and_its_htmx_fragment(sample_client: TestClient) -> None:
    page = sample_client.get("/search", params={"q": "retries"})
    assert page.status_code == 200 and "<html" in page.text
    assert '<a href="/lessons/kafka-retries">Producer retries</a>' in page.text
    fragment = sample_client.get("/search", params={"q": "retries"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "for <q>retries</q>" in fragment.text
    assert '<a href="/lessons/kafka-retries">Producer retries</a>' in fragment.text
