from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from .crawl import crawl


def test_sample_site_has_no_broken_links(sample_client: TestClient) -> None:
    report = crawl(sample_client)
    assert not report.broken, "broken links:\n" + "\n".join(report.broken)
    # The crawl reached every kind of page and asset, so the checker really checks them.
    assert {
        "/",
        "/configs",
        "/lessons/kafka-acks",
        "/lessons/aws-syllabus",
        "/static/css/brokerlab.css",
        "/static/js/projector.js",
        "/static/vendor/htmx-2.0.11.min.js",
        "/api/search-index",
    } <= set(report.pages)


def test_checker_reports_missing_pages_and_anchors() -> None:
    site = FastAPI()

    @site.get("/", response_class=HTMLResponse)
    def home() -> str:
        return '<a href="/b#here">ok</a> <a href="/b#gone">bad anchor</a> <img src="/nothing.png" alt="">'

    @site.get("/b", response_class=HTMLResponse)
    def b() -> str:
        return '<h2 id="here">Here</h2>'

    report = crawl(TestClient(site))
    assert sorted(report.broken) == [
        "/b#gone -> no element with that id (linked from /)",
        "/nothing.png -> 404 (linked from /)",
    ]


def test_site_has_no_broken_links(real_client: TestClient) -> None:
    report = crawl(real_client)
    assert not report.broken, "broken links:\n" + "\n".join(report.broken)
    lessons = {p for p in report.pages if p.startswith("/lessons/")}
    assert len(lessons) == len(real_client.get("/api/lessons").json()), "every lesson is reachable from the course map"
