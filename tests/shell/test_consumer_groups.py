"""kafka-consumer-groups: ConsumerGroupCommand's tables, state messages and offset resets."""

from __future__ import annotations

from app.sim.partition import TopicPartition
from tests.shell.conftest import Term

GROUPS = "kafka-consumer-groups --bootstrap-server localhost:9092"


def setup(term: Term, records: int = 3) -> None:
    term.kafka("kafka-topics", "--create --topic t --partitions 1")
    term.run("kafka-console-producer --bootstrap-server localhost:9092 --topic t")
    for i in range(records):
        term.run(f"r{i}")
    term.session.signal("eof")
    term.wait(3000)


def consume(term: Term, n: int) -> None:
    term.run(f"kafka-console-consumer --bootstrap-server localhost:9092 --topic t --group g --from-beginning "
             f"--max-messages {n}", then_ms=6000)


def test_describe_an_empty_group_offsets_table(term: Term) -> None:
    setup(term)
    consume(term, 2)
    out = term.streams(f"{GROUPS} --describe --group g")
    assert out["err"] == "\nConsumer group 'g' has no active members.\n"
    assert out["out"] == (
        "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     "
        "HOST            CLIENT-ID\n"
        "g               t               0          2               3               1               -               -  "
        "             -\n")


def test_describe_a_stable_group_names_its_member(term: Term) -> None:
    setup(term)
    assert term.run("kafka-console-consumer --bootstrap-server localhost:9092 --topic t --group g --from-beginning &",
                    then_ms=6000) == "[1]\nr0\nr1\nr2\n"
    member = term.session.background[0].consumer.membership.member_id
    rows = term.run(f"{GROUPS} --describe --group g").split("\n")
    width = max(15, len(member))
    assert rows[1].startswith("GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             "
                              f"{'CONSUMER-ID'.ljust(width)} HOST            CLIENT-ID")
    # with --group the console consumer keeps auto-commit on: within 5 s it committed what it printed
    assert rows[2].split() == ["g", "t", "0", "3", "3", "0", member, "/127.0.0.1", "console-consumer"]
    members = term.run(f"{GROUPS} --describe --group g --members --verbose").split("\n")
    assert members[2].split() == ["g", member, "/127.0.0.1", "console-consumer", "1", "(0)"]
    state = term.run(f"{GROUPS} --describe --group g --state").split("\n")
    assert state[1].split() == ["GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"]
    assert state[2].split()[3:] == ["range", "Stable", "1"]


def test_4_0_verbose_adds_leader_epoch(term: Term) -> None:
    """KIP-1099 (4.0): --describe --verbose adds LEADER-EPOCH after PARTITION (the header order of Kafka's test)."""
    setup(term)
    consume(term, 3)
    header = term.streams(f"{GROUPS} --describe --group g --verbose")["out"].split("\n")[1]
    assert header.split() == ["GROUP", "TOPIC", "PARTITION", "LEADER-EPOCH", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                              "CONSUMER-ID", "HOST", "CLIENT-ID"]


def test_reset_offsets_dry_run_execute_and_the_inactive_group_rule(term: Term) -> None:
    setup(term)
    consume(term, 3)
    out = term.streams(f"{GROUPS} --group g --reset-offsets --to-earliest --topic t")
    assert out["err"].startswith("WARN: No action will be performed as the --execute option is missing.")
    assert out["out"] == ("\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n"
                          "g                              t                              0          0              \n")
    committed = lambda: __import__("app.sim.admin", fromlist=["AdminClient"]).AdminClient(term.sc)\
        .list_consumer_group_offsets("g")  # noqa: E731
    assert committed() == {TopicPartition("t", 0): 3}  # a dry run changes nothing
    term.run(f"{GROUPS} --group g --reset-offsets --shift-by -2 --topic t --execute")
    assert committed() == {TopicPartition("t", 0): 1}
    term.run(f"{GROUPS} --group g --reset-offsets --to-latest --all-topics --execute")
    assert committed() == {TopicPartition("t", 0): 3}
    # a running member (in the background, as a second terminal would run it): refused
    term.run("kafka-console-consumer --bootstrap-server localhost:9092 --topic t --group g &", then_ms=6000)
    out = term.run(f"{GROUPS} --group g --reset-offsets --to-earliest --topic t --execute")
    assert out == ("\nError: Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.\n"
                   "\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n")


def test_offsets_out_of_range_are_clamped_with_a_warning(term: Term) -> None:
    setup(term)
    consume(term, 1)
    out = term.streams(f"{GROUPS} --group g --reset-offsets --to-offset 10 --topic t --execute")
    assert out["err"].endswith("] WARN New offset (10) is higher than latest offset for topic partition t-0. Value will be "
                               "set to 3 (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)\n")


def test_list_and_delete(term: Term) -> None:
    setup(term)
    consume(term, 1)
    assert term.run(f"{GROUPS} --list") == "g\n"
    assert term.run(f"{GROUPS} --list --state") == ("GROUP                     STATE               \n"
                                                    "g                         Empty               \n")
    assert term.run(f"{GROUPS} --delete --group g") == "Deletion of requested consumer groups ('g') was successful.\n"
    assert term.run(f"{GROUPS} --list") == ""


def test_a_group_that_does_not_exist(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    assert term.run(f"{GROUPS} --describe --group nope") == "\nError: Consumer group 'nope' does not exist.\n"


def test_group_usage_errors(term: Term) -> None:
    assert term.streams(f"{GROUPS} --describe")["err"].startswith(
        "Option [describe] takes one of these options: [group], [all-groups]\n")
    assert term.streams(f"{GROUPS} --describe --group g --members --state")["err"].startswith(
        "Option [describe] takes at most one of these options: [members], [offsets], [state]\n")
    assert term.streams(f"{GROUPS} --list --members")["err"].startswith(
        "Option(s) [members] are unavailable given other options on the command line\n")
    assert term.streams(f"{GROUPS} --group g --reset-offsets --to-earliest --to-latest --topic t")["err"].startswith(
        "WARN: No action will be performed as the --execute option is missing.")
    assert term.streams(f"{GROUPS} --group g --reset-offsets --to-earliest --to-latest --topic t --execute")["err"] \
        .startswith("Option \"[to-earliest]\" can't be used with option \"[to-latest]\"\nOption ")


def test_background_jobs_and_kill(term: Term) -> None:
    setup(term)
    assert term.run("kafka-console-consumer --bootstrap-server localhost:9092 --topic t --group g &") == "[1]\n"
    assert term.session.job is None and term.run("jobs") == "[1]+  Running\n"
    assert term.run("kill %1") == "Processed a total of 0 messages\n[1]+  Done\n"
    assert term.run("kill %1") == "bash: kill: %1: no such job\n"
