"""docs/web.md names every route and every setting: a new one without documentation fails."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.settings import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")


def test_every_route_is_documented(sample_app: FastAPI) -> None:
    paths = {route.path for route in sample_app.routes if isinstance(route, APIRoute)} - {"/api/openapi.json"}
    missing = sorted(p for p in paths if f"`{p}" not in DOC)
    assert not missing, f"docs/web.md does not mention: {missing}"


def test_every_setting_is_documented() -> None:
    missing = [
        name for name in Settings.model_fields if f"`{name}`" not in DOC or f"BROKERLAB_{name.upper()}" not in DOC
    ]
    assert not missing, f"docs/web.md does not document the settings: {missing}"
