"""Every registry entry renders on the glossary page, null and list defaults included."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.configs import registry


def test_every_entry_has_a_glossary_anchor(sample_client: TestClient) -> None:
    page = sample_client.get("/configs")
    assert page.status_code == 200
    missing = [d.key for d in registry() if f'id="{d.anchor}"' not in page.text]
    assert missing == []
