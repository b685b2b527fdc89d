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


def test_every_fault_a_lab_offers_is_documented_and_every_fault_is_in_the_simulator_docs() -> None:
    from app.live import LABS
    from app.sim.faults import FAULTS

    offered = sorted({f for lab in LABS.values() for f in lab.faults})
    assert not [f for f in offered if f"`{f}`" not in DOC], "docs/protocol.md does not document a fault a lab offers"
    from app.sim.faults import markdown_table

    sim_doc = (ROOT / "docs" / "sim.md").read_text(encoding="utf-8")
    assert markdown_table() in sim_doc, "docs/sim.md's fault table differs from app/sim/faults.py: paste markdown_table()"
    assert all(f"| `{f}` |" in markdown_table() for f in FAULTS)
