"""docs/protocol.md names every message type and every error code the server uses."""

from __future__ import annotations

import re
from pathlib import Path

from app.live.protocol import FIELDS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")


def test_every_message_type_is_documented() -> None:
    missing = [t for t in FIELDS if f"`{t}`" not in DOC]
    assert not missing, f"docs/protocol.md does not document: {missing}"


def test_every_error_code_is_documented() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in [*(ROOT / "app" / "live").rglob("*.py"), ROOT / "app" / "web" / "live.py"])
    codes = set(re.findall(r'ProtocolError\(\s*"([a-z_]+)"', source))
    assert codes >= {"bad_json", "bad_version", "unknown_type", "bad_value", "idle", "too_many_sessions"}
    missing = sorted(c for c in codes if f"`{c}`" not in DOC)
    assert not missing, f"docs/protocol.md does not document the error codes: {missing}"
