"""The lab terminal in a LabSession: lines are controls, logged at their virtual time, replayed by seek and links."""

from __future__ import annotations

import json

from app.live import LABS, LabSession
from tests.live.test_session import drain as frame, msg

DESCRIBE = "kafka-topics --bootstrap-server localhost:9092 --describe --topic orders"
CREATE = "kafka-topics --bootstrap-server localhost:9092 --create --topic audit --partitions 2 --replication-factor 3"


def text(f: dict) -> str:
    return "".join(chunk for _, chunk in f["terminal"]["output"])


def session() -> LabSession:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    return s


def test_a_command_runs_at_the_runs_time_and_is_logged() -> None:
    s = session()
    s.tick(2000)
    assert s.receive(msg("command", line=CREATE), 2000) == []
    f = frame(s)
    assert text(f) == f"$ {CREATE}\nCreated topic audit.\n"
    assert f["terminal"]["prompt"] == "$ " and f["terminal"]["job"] is None and "audit" in f["terminal"]["topics"]
    assert f["link"]["log"] == [[2000.0, "command", CREATE, None]]
    assert "audit" in s.sc.cluster.controller.topics


def test_seek_back_and_forward_replays_the_commands_and_the_console_consumer() -> None:
    s = session()
    s.tick(1000)
    s.receive(msg("command", line=CREATE), 1000)
    s.receive(msg("command", line="kafka-console-producer --bootstrap-server localhost:9092 --topic audit"), 1000)
    s.tick(1500)
    s.receive(msg("command", line="hello"), 1500)
    s.receive(msg("signal", name="eof"), 1500)
    s.tick(6000)
    straight = (json.dumps(s.run.snapshot(), sort_keys=True), len(s.sc.ledger.state), s.sc.ledger.state[-1])
    s.receive(msg("seek", t=500), 6000)
    assert "audit" not in s.sc.cluster.controller.topics
    s.receive(msg("seek", t=6000), 6000)
    assert (json.dumps(s.run.snapshot(), sort_keys=True), len(s.sc.ledger.state), s.sc.ledger.state[-1]) == straight
    assert s.run.terminal.job is None


def test_a_link_replays_the_lines() -> None:
    s = session()
    s.tick(1000)
    s.receive(msg("command", line=CREATE), 1000)
    log = frame(s)["link"]["log"]
    other = LabSession(LABS["acks"], wall_ms=0)
    other.receive(msg("load", log=log), 0)
    other.receive(msg("speed", value=1), 0)
    other.tick(1500)
    assert "audit" in other.sc.cluster.controller.topics
    assert other.sc.cluster.controller.topics["audit"].topic_id == s.sc.cluster.controller.topics["audit"].topic_id
    # the link's page sees each line typed as its run reaches it
    assert text(frame(other)) == f"$ {CREATE}\nCreated topic audit.\n"
    # a seek back replays to that point silently: what it ran was printed before
    other.receive(msg("seek", t=1200), 1500)
    assert text(frame(other)) == ""


def test_signals_and_lines_are_checked() -> None:
    s = session()
    assert s.receive(msg("signal", name="hup"), 0)[0]["code"] == "bad_value"
    assert s.receive(msg("command", line="x" * 5000), 0)[0]["message"].startswith("a terminal line is one line of at most")
    assert s.receive(msg("command", line="a\nb"), 0)[0]["code"] == "bad_value"
    assert s.receive(msg("command"), 0)[0]["code"] == "bad_field"
    bad = [[10, "command", 5, None]]
    assert s.receive(msg("load", log=bad), 0)[0]["code"] == "bad_value"
    assert s.log == []


def test_a_bad_line_is_kafkas_error_not_the_sessions(term_line: str = "kafka-topics --list") -> None:
    s = session()
    s.tick(100)
    assert s.receive(msg("command", line=term_line), 100) == []
    assert text(frame(s)).startswith(f"$ {term_line}\n--bootstrap-server must be specified\n")


def test_the_hello_carries_the_terminals_words() -> None:
    hello = session().hello()
    assert "--bootstrap-server" in hello["terminal"]["tools"]["kafka-topics"]
    assert "kafka-console-consumer" in hello["terminal"]["tools"]
