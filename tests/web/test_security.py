from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "path", ["/", "/lessons/kafka-acks", "/static/css/brokerlab.css", "/api/lessons", "/healthz", "/nowhere"]
)
def test_security_headers_on_every_response(sample_client: TestClient, path: str) -> None:
    headers = sample_client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_pages_load_nothing_from_elsewhere(sample_client: TestClient) -> None:
    for path in ["/", "/lessons/kafka-acks", "/configs"]:
        html = sample_client.get(path).text
        assert "http://" not in html and "https://" not in html, path


def test_api_docs_that_need_a_cdn_are_off(sample_client: TestClient) -> None:
    assert sample_client.get("/docs").status_code == 404
