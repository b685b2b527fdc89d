"""DNS rebinding: the server answers only the Host names it allows, pages and lab sockets alike (app/web/hosts.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

from app.main import create_app
from app.settings import Settings
from app.web.hosts import host_name
from app.web.live import origin_allowed


def client_for(content: Path, base_url: str, **settings: object) -> TestClient:
    # allowed_hosts=[] unless given: the defaults alone, not the "testserver" tests/conftest.py adds.
    settings.setdefault("allowed_hosts", [])
    return TestClient(create_app(Settings(content_dir=content, **settings)), base_url=base_url)


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://localhost:5000", "http://[::1]:8000", "http://LOCALHOST"])
def test_loopback_names_are_answered_on_any_port(sample_content: Path, base_url: str) -> None:
    assert client_for(sample_content, base_url).get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/lessons", "/static/css/brokerlab.css"])
def test_a_rebound_name_is_refused_and_told_how_to_allow_it(sample_content: Path, path: str) -> None:
    response = client_for(sample_content, "http://attacker.example:8000").get(path)
    assert response.status_code == 400
    assert "Host 'attacker.example:8000' is not a name this server answers to" in response.text
    assert "BROKERLAB_ALLOWED_HOSTS" in response.text
    assert response.headers["x-frame-options"] == "DENY"  # the refusal carries the security headers too


def test_the_bound_address_and_the_setting_add_names(sample_content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client_for(sample_content, "http://192.168.1.20:8000", host="192.168.1.20").get("/healthz").status_code == 200
    monkeypatch.setenv("BROKERLAB_ALLOWED_HOSTS", '["kafka-class.local"]')
    app = create_app(Settings(content_dir=sample_content))
    assert TestClient(app, base_url="http://kafka-class.local:8000").get("/healthz").status_code == 200
    assert TestClient(app, base_url="http://other.local:8000").get("/healthz").status_code == 400


def test_a_lab_socket_under_a_rebound_name_is_refused(sample_content: Path) -> None:
    client = client_for(sample_content, "http://attacker.example:8000")
    # Origin and Host agree, as they do for a rebound page: only the Host check stops it.
    headers = {"host": "attacker.example:8000", "origin": "http://attacker.example:8000"}
    with pytest.raises(WebSocketDenialResponse) as refused:
        with client.websocket_connect("/ws/labs/acks", headers=headers) as ws:
            ws.receive_json()
    assert refused.value.status_code == 400 and "BROKERLAB_ALLOWED_HOSTS" in refused.value.text
    with client.websocket_connect("/ws/labs/acks", headers={"host": "localhost:8000", "origin": "http://localhost:8000"}) as ws:
        assert ws.receive_json()["type"] == "hello"


@pytest.mark.parametrize(
    ("host", "origin", "allowed"),
    [
        ("localhost:8000", "http://localhost:8000", True),
        ("[::1]:8000", "http://[::1]:8000", True),
        ("attacker.example:8000", "http://attacker.example:8000", False),  # same origin, but not a name we answer to
        ("localhost:8000", "http://localhost:3000", False),  # another local server's page
    ],
)
def test_the_origin_must_be_the_page_on_an_allowed_host(host: str, origin: str, allowed: bool) -> None:
    ws = SimpleNamespace(headers={"host": host, "origin": origin})
    assert origin_allowed(ws, Settings(allowed_hosts=[])) is allowed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "name"),
    [("localhost:8000", "localhost"), ("[::1]:8000", "::1"), ("[::1]", "::1"), ("Example.COM", "example.com"),
     ("evil.example@127.0.0.1", None), ("127.0.0.1:80/x", None), ("", None), (None, None)],
)
def test_host_names_are_read_strictly(header: str | None, name: str | None) -> None:
    assert host_name(header) == name
