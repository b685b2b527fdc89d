"""The topic-configuration lab: a topic config changed in its terminal acts on the next batches."""

from __future__ import annotations

from app.live import LABS, LabSession
from tests.live.test_session import drain, msg

ALTER = ("kafka-configs --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name orders "
         "--add-config compression.type=gzip")


def test_compression_type_gzip_makes_the_leaders_recompress_the_next_batches() -> None:
    s = LabSession(LABS["topic-config"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(3000)
    before = drain(s)
    assert before["totals"].get("produce.appended", 0) > 0
    assert before["totals"].get("batch.recompressed", 0) == 0  # compression.type=producer: stored as sent
    s.receive(msg("command", line=ALTER), 3000)
    s.tick(8000)
    f = drain(s)
    assert "Completed updating config for topic orders." in "".join(chunk for _, chunk in f["terminal"]["output"])
    rebuilt = [e for e in f["events"] if e["kind"] == "batch.recompressed"]
    appended = [e for e in f["events"] if e["kind"] == "produce.appended" and e["t"] > 3000]
    assert rebuilt and len(rebuilt) == len(appended)
    # the lab's producer sends uncompressed one-record batches: gzip's framing makes each one bigger
    assert all((e["topic"], e["source"], e["target"], e["level"]) == ("orders", "none", "gzip", -1) for e in rebuilt)
    assert all(e["bytes_after"] > e["bytes_before"] for e in rebuilt)
    assert [e["bytes_after"] for e in rebuilt] == [e["bytes"] for e in appended]
    orders = next(t for t in f["lab"]["topics"] if t["name"] == "orders")
    assert orders["overrides"]["compression.type"] == "gzip"
