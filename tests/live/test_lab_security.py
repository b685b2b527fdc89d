"""The security lab on the server: the layers a switch turns on, the threats they block, the captures and their bytes."""

from __future__ import annotations

import base64
import json
from typing import Any

from app.live import LabSession
from app.live.labs import LABS
from app.live.labs.security_bytes import byte_view

LAB = LABS["security"]


def msg(type_: str, **fields: Any) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def played(wall: float, session: LabSession | None = None, start: float = 0, **settings: str) -> LabSession:
    """The lab with ``settings`` (its four switches), run for ``wall`` ms at its own speed."""
    s = session or LabSession(LAB, wall_ms=0)
    if settings:
        assert s.receive(msg("load", settings=settings), start) == []
    t = start
    while t < wall:
        t += 250
        s.tick(t)
    return s


def view(s: LabSession, wall: float) -> dict[str, Any]:
    frame = s.next_frame(wall)
    assert frame is not None
    return frame["lab"]


def by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {i[key]: i for i in items}


def test_the_open_cluster_lets_every_threat_through() -> None:
    s = played(100_000)  # 10 s of virtual time at the lab's 1/10 of real time
    lab = view(s, 100_000)
    assert lab["layers"] == {"protocol": "PLAINTEXT", "tls": None, "authentication": "none", "acls": False, "reauth_ms": 10000}
    cards = by(lab["cards"], "name")
    assert {c["principal"] for c in cards.values()} == {"User:ANONYMOUS"}  # nobody is anybody
    assert cards["alice"]["records"] > 0 and cards["mallory"]["records"] == cards["alice"]["records"]
    threats = by(lab["threats"], "id")
    assert threats["eavesdrop"]["status"] == threats["impersonation"]["status"] == "shown"
    assert threats["deletion"]["status"] == "waiting"
    produce = [c for c in lab["captures"] if c["type"] == "produce"]
    assert produce and not produce[-1]["encrypted"] and lab["seen"]["records read"] > 0


def test_all_together_blocks_the_three_threats_with_kafkas_words() -> None:
    s = played(160_000, **{"all together": "on"})
    assert s.receive(msg("fault", action="delete_topics", target="fleet-0"), 160_000) == []
    s = played(200_000, s, 160_000)
    lab = view(s, 200_000)
    assert lab["layers"]["protocol"] == "SASL_SSL" and lab["layers"]["tls"] == "TLSv1.3" and lab["layers"]["acls"]
    cards = by(lab["cards"], "name")
    assert (cards["alice"]["principal"], cards["alice"]["state"]) == ("User:alice", "connected") and cards["alice"]["records"] > 0
    assert cards["admin"]["principal"] == "User:admin" and cards["admin"]["records"] > 0
    assert cards["bob"]["text"] == "TopicAuthorizationException: Not authorized to access topics: [trucks]"
    assert cards["mallory"]["state"] == "stopped" and "SaslAuthenticationException" in cards["mallory"]["text"]
    assert cards["anonymous"]["state"] == "refused" and cards["anonymous"]["failure"]["retriable"]
    threats = by(lab["threats"], "id")
    assert [threats[t]["status"] for t in ("eavesdrop", "impersonation", "deletion")] == ["blocked"] * 3
    assert threats["deletion"]["text"].startswith("TopicAuthorizationException: Topic authorization failed.")
    logged = [d for d in lab["denials"] if d["api"] == "DeleteTopics"]
    assert logged and logged[0]["log"].startswith("Principal = User:bob is Denied operation = DELETE")
    assert "based on rule DefaultDeny" in logged[0]["log"]
    assert all(c["encrypted"] for c in lab["captures"] if c["type"] in ("produce", "fetch.response"))
    assert "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" in lab["server_properties"]


def test_each_switch_changes_what_the_run_does() -> None:
    encrypted = by(view(played(100_000, encryption="TLSv1.2"), 100_000)["threats"], "id")
    assert encrypted["eavesdrop"]["status"] == "blocked" and encrypted["impersonation"]["status"] == "shown"
    plain = view(played(100_000, authentication="PLAIN"), 100_000)
    assert plain["seen"].get("passwords read", 0) > 0  # PLAIN without TLS: the eavesdropper has the passwords
    assert by(plain["threats"], "id")["impersonation"]["status"] == "blocked"
    locked = view(played(100_000, authorisation="ACLs"), 100_000)
    cards = by(locked["cards"], "name")
    # An authorizer without authentication: every connection is User:ANONYMOUS and no ACL names it.
    assert cards["alice"]["text"] == "TopicAuthorizationException: Not authorized to access topics: [finance]"
    assert cards["admin"]["state"] == "failed" and "ClusterAuthorizationException" in cards["admin"]["text"]
    oauth = by(view(played(100_000, authentication="OAUTHBEARER unsecured"), 100_000)["cards"], "name")
    assert oauth["mallory"]["principal"] == "User:alice"  # an unsigned token is believed
    mtls = by(view(played(100_000, encryption="TLSv1.3", authentication="mTLS"), 100_000)["cards"], "name")
    assert mtls["alice"]["principal"] == "User:alice" and mtls["mallory"]["text"] == "SslAuthenticationException: SSL handshake failed"


def test_mtls_without_encryption_is_refused_and_the_run_goes_on() -> None:
    s = played(1000)
    [error] = s.receive(msg("set_config", name="authentication", value="mTLS"), 1000)
    assert error["code"] == "bad_value" and "needs encryption on" in error["message"]
    assert s.values["authentication"] == "none"


def test_a_switch_restarts_the_cluster_and_says_why() -> None:
    s = played(2000)
    assert s.receive(msg("set_config", name="encryption", value="TLSv1.3"), 2000) == []
    notice = s.next_frame(2000)["notices"]
    assert "encryption=TLSv1.3" in notice[0]["text"] and "server.properties" in notice[0]["text"]


def test_sessions_re_authenticate_on_the_timeline() -> None:
    s = played(300_000, authentication="SCRAM-SHA-512")  # 30 s of virtual time; sessions last 10 s
    lab = view(s, 300_000)
    assert lab["reauths"] > 0 and any(c["reauths"] for c in lab["cards"])
    assert all(link["principal"] == "User:alice" for link in lab["links"] if link["client"] == "alice")


def test_seek_back_and_forward_gives_the_same_view() -> None:
    s = played(100_000, **{"all together": "on"})
    s.receive(msg("fault", action="delete_topics", target="fleet-0"), 100_000)
    s = played(160_000, s, 100_000)
    straight = view(s, 160_000)
    s.receive(msg("seek", t=1000), 160_000)
    s.receive(msg("seek", t=s.horizon), 160_000)
    assert view(s, 160_000) == straight


def test_a_frame_stays_small() -> None:
    frame = played(200_000, **{"all together": "on"}).next_frame(200_000)
    assert len(json.dumps(frame["lab"])) < 40_000


def captured(lab: dict[str, Any], kind: str) -> dict[str, Any]:
    return json.loads(json.dumps([c for c in lab["captures"] if c["type"] == kind][-1]))


def test_the_byte_view_reads_plaintext_and_shows_real_ciphertext_under_tls() -> None:
    plain = byte_view(captured(view(played(100_000), 100_000), "produce"))
    assert plain["tls"] is None and len(plain["layers"]) == 1 and plain["layers"][0]["readable"]
    values = [r["text"] for r in plain["readable"] if r["field"] == "value"]
    assert values and "order_id" in values[0]
    ascii_column = "".join(row["ascii"] for row in plain["layers"][0]["rows"])
    assert "order_id" in ascii_column  # readable straight off the bytes
    capture = captured(view(played(100_000, encryption="TLSv1.3"), 100_000), "produce")
    secret = byte_view(capture)
    outer, inner = secret["layers"]
    assert not outer["readable"] and secret["tls"] == "TLSv1.3" and secret["readable"] == []
    batch = base64.b64decode(capture["recipe"]["batch"])
    wire = bytes(int(h, 16) for row in outer["rows"] for h in row["hex"])
    assert batch[-40:] not in wire and b"order_id" not in wire  # ciphertext
    assert secret["decrypted_matches"] and secret["keylog_decrypts"]
    assert bytes(int(h, 16) for row in inner["rows"] for h in row["hex"]).find(batch) > 0  # the frame inside carries it
    assert secret["costs"]["wire_bytes"] == secret["costs"]["plaintext_bytes"] + 22


def test_the_byte_view_of_plain_sasl_shows_the_password() -> None:
    lab = view(played(100_000, authentication="PLAIN"), 100_000)
    auth = [c for c in lab["captures"] if c["type"] == "sasl_authenticate" and isinstance(c["src"], str)][-1]
    shown = byte_view(json.loads(json.dumps(auth)))
    text = " ".join(r["text"] for r in shown["readable"] if r["field"] == "auth_bytes")
    assert "-secret" in text  # the user's password, in clear


def test_the_route_answers_and_refuses_bad_input(lab_client) -> None:
    client = lab_client()
    capture = captured(view(played(60_000), 60_000), "produce")
    answer = client.post("/api/labs/security/bytes", json=capture)
    assert answer.status_code == 200 and answer.json()["layers"][0]["readable"]
    bad = client.post("/api/labs/security/bytes", json={**capture, "type": "heartbeat"})
    assert bad.status_code == 422 and "capture.type must be one of" in bad.json()["detail"]
    broken = {**capture, "recipe": {**capture["recipe"], "batch": base64.b64encode(b"\0" * 70).decode()}}
    assert "recipe.batch is not a record batch" in client.post("/api/labs/security/bytes", json=broken).json()["detail"]
    too_big = client.post("/api/labs/security/bytes", content=b"[" + b"1," * 60000 + b"1]",
                          headers={"content-type": "application/json"})
    assert too_big.status_code == 413
