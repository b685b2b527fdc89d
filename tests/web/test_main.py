from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.course.frontmatter import FrontMatterError
from app.main import create_app
from app.settings import Settings


def test_a_broken_lesson_stops_start_up_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "kafka" / "kafka-broken.md"
    bad.parent.mkdir()
    bad.write_text("---\nslug: kafka-broken\ntitle: Broken\n---\n## Body\n", encoding="utf-8")
    with pytest.raises(FrontMatterError, match="kafka-broken.md"):
        create_app(Settings(content_dir=tmp_path))


def test_an_empty_course_still_serves_the_map(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(content_dir=tmp_path)))
    assert client.get("/").status_code == 200
    assert client.get("/api/lessons").json() == []


def test_pages_have_landmarks_skip_link_and_no_inline_script(sample_client: TestClient) -> None:
    for path in ["/", "/lessons/kafka-acks", "/configs", "/search", "/nowhere"]:
        html = sample_client.get(path).text
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in html, (path, landmark)
        assert '<a class="skip-link" href="#main">' in html
        scripts = re.findall(r"<script([^>]*)>", html)
        assert scripts and all("src=" in attrs for attrs in scripts), path
        assert "style=" not in html, path  # the CSP refuses inline styles
