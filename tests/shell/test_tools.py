"""kafka-reassign-partitions, kafka-leader-election, kafka-metadata-quorum, kafka-broker-api-versions, kafka-acls,
and the terminal's own words (files, unknown commands, pipes)."""

from __future__ import annotations

import json

from app.shell.broker_api_versions import api_versions
from app.sim.security.authorizer import Authorizer
from tests.shell.conftest import Term, cluster

REASSIGN = "kafka-reassign-partitions --bootstrap-server localhost:9092"


def test_reassignment_execute_verify_list(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --replica-assignment 0:1")
    term.run("echo '{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[2,0]}]}' > move.json")
    assert term.run(f"{REASSIGN} --execute --reassignment-json-file move.json") == (
        "Current partition replica assignment\n\n"
        '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[0,1],"log_dirs":["any","any"]}]}\n\n'
        "Save this to use as the --reassignment-json-file option during rollback\n"
        "Successfully started partition reassignment for t-0\n")
    assert term.run(f"{REASSIGN} --list") == "Current partition reassignments:\nt-0: replicas: 2,0,1. adding: 2. removing: 1.\n"
    assert term.run(f"{REASSIGN} --execute --reassignment-json-file move.json").startswith(
        "Cannot execute because there is an existing partition assignment.")
    assert term.run(f"{REASSIGN} --verify --reassignment-json-file move.json").startswith(
        "Status of partition reassignment:\nReassignment of partition t-0 is still in progress.\n")
    term.wait(5000)
    assert term.run(f"{REASSIGN} --verify --reassignment-json-file move.json").startswith(
        "Status of partition reassignment:\nReassignment of partition t-0 is completed.\n")
    assert term.run(f"{REASSIGN} --list") == "No partition reassignments found.\n"


def test_reassignment_refusals(term: Term) -> None:
    assert term.streams(REASSIGN)["err"].startswith(
        "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list\n")
    assert term.streams(f"{REASSIGN} --execute")["err"].startswith('Missing required argument "[reassignment-json-file]"')
    assert term.streams(f"{REASSIGN} --list --broker-list 1")["err"].startswith(
        'Option "[broker-list]" can\'t be used with action "[list]"')
    assert term.run(f"{REASSIGN} --execute --reassignment-json-file none.json").startswith(
        "Error: none.json\njava.nio.file.NoSuchFileException: none.json\n")


def test_generate_proposes_a_placement(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --partitions 2 --replication-factor 2")
    term.run("echo '{\"topics\":[{\"topic\":\"t\"}],\"version\":1}' > topics.json")
    out = term.run(f"{REASSIGN} --generate --topics-to-move-json-file topics.json --broker-list 1,2").split("\n")
    assert out[0] == "Current partition replica assignment" and out[3] == "Proposed partition reassignment configuration"
    proposed = json.loads(out[4])
    assert [sorted(p["replicas"]) for p in proposed["partitions"]] == [[1, 2], [1, 2]]


def test_leader_election(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --replica-assignment 0:1")
    base = "kafka-leader-election --bootstrap-server localhost:9092"
    assert term.run(f"{base} --election-type preferred --topic t --partition 0") == \
        "Valid replica already elected for partitions t-0\n"
    term.sc.cluster.kill_broker(0)
    term.wait(30_000)
    term.sc.cluster.restart_broker(0)
    term.wait(30_000)
    assert term.sc.cluster.controller.topics["t"].partitions[0].leader == 1
    assert term.run(f"{base} --election-type PREFERRED --all-topic-partitions") == \
        "Successfully completed leader election (PREFERRED) for partitions t-0\n"
    out = term.streams(f"{base} --election-type preferred")
    assert out["err"].startswith("One and only one of the following options is required: topic, all-topic-partitions, "
                                 "path-to-json-file\norg.apache.kafka.server.common.AdminCommandFailedException: ")
    assert term.streams(f"{base} --topic t --partition 0")["err"].startswith(
        "Missing required option(s): election-type\n")


def test_metadata_quorum_status() -> None:
    term = Term(cluster(brokers=2))
    out = term.run("kafka-metadata-quorum --bootstrap-server localhost:9092 describe --status")
    assert out == (f"ClusterId:              {term.sc.cluster.controller.cluster_id}\n"
                   "LeaderId:               3000\nLeaderEpoch:            1\nHighWatermark:          0\n"
                   "MaxFollowerLag:         0\nMaxFollowerLagTimeMs:   0\n"
                   'CurrentVoters:          [{"id": 3000, "directoryId": null}]\n'
                   'CurrentObservers:       [{"id": 0, "directoryId": null}, {"id": 1, "directoryId": null}]\n')
    assert term.run("kafka-metadata-quorum --bootstrap-server localhost:9092 describe --replication").split("\n")[0] == \
        "NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t"
    assert term.streams("kafka-metadata-quorum describe --status")["err"] == (
        "usage: kafka-metadata-quorum [-h] --bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller "
        "BOOTSTRAP_CONTROLLER [--command-config COMMAND_CONFIG] {describe,add-controller,remove-controller} ...\n"
        "kafka-metadata-quorum: error: one of the arguments --bootstrap-server --bootstrap-controller is required\n")
    assert Term(cluster(version="2.8")).streams("kafka-metadata-quorum --bootstrap-server localhost:9092 describe "
                                                "--status")["err"] == "bash: kafka-metadata-quorum: command not found\n"


def test_broker_api_versions_lists_every_api_of_the_version(term: Term) -> None:
    text = api_versions("3.x")
    assert text.startswith("(\n\tProduce(0): 0 to 11 [usable: 11],\n\tFetch(1): 0 to 17 [usable: 17],\n")
    assert text.endswith("\n)")
    assert "\tDescribeTopicPartitions(75): 0 [usable: 0]" in text
    assert "Produce(0): 0 to 9 [usable: 9]" in api_versions("2.8")  # Kafka 2.8's ProduceRequest.json
    out = term.run("kafka-broker-api-versions --bootstrap-server localhost:9092")
    assert out.startswith("localhost:9092 (id: 0 rack: null) -> (\n\tProduce(0): ")
    assert out.count(" -> (") == 3


def test_acls_refused_as_by_a_cluster_without_an_authorizer(term: Term) -> None:
    out = term.streams("kafka-acls --bootstrap-server localhost:9092 --list")
    assert out["out"] == ("Error while executing ACL command: org.apache.kafka.common.errors.SecurityDisabledException: "
                          "No Authorizer is configured on the broker\n"
                          "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors."
                          "SecurityDisabledException: No Authorizer is configured on the broker\n"
                          "Caused by: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is "
                          "configured on the broker\n")
    assert "runs without an authorizer (authorizer.class.name is not set" in out["note"]


def test_acls_on_a_cluster_with_an_authorizer_are_enforced() -> None:
    """authorizer.class.name set: kafka-acls adds, lists and removes, and the brokers check what it added."""
    term = Term(cluster(**{"authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer"}))
    assert isinstance(term.sc.cluster.authorizer, Authorizer)
    out = term.run("kafka-acls --bootstrap-server localhost:9092 --add --allow-principal User:alice --consumer "
                   "--topic t --group g")
    assert out.startswith(
        "Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`: \n"
        " \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n"
        "\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n")
    assert len(term.sc.cluster.authorizer) == 3
    assert "Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=g, patternType=LITERAL)`: \n" \
           " \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) \n" in \
           term.run("kafka-acls --bootstrap-server localhost:9092 --list --group g")
    assert term.run("kafka-acls --bootstrap-server localhost:9092 --remove --topic t").startswith(
        "Are you sure you want to delete all ACLs for resource filter `ResourcePattern(resourceType=TOPIC, name=t, "
        "patternType=LITERAL)`? (y/n)\n")
    term.run("y")
    assert len(term.sc.cluster.authorizer) == 1


def test_files_unknown_commands_and_pipes(term: Term) -> None:
    assert term.run("cat > a.txt") == ""
    term.run("one")
    term.session.signal("eof")
    assert term.run("cat a.txt") == "one\n" and term.run("ls") == "a.txt\n"
    assert term.run("cat b.txt") == "cat: b.txt: No such file or directory\n"
    assert term.run("kafka-topic --list").startswith("bash: kafka-topic: command not found\n[brokerlab] The Kafka tools")
    assert term.run(r".\bin\windows\kafka-topic.bat --list").startswith(
        "'.\\bin\\windows\\kafka-topic.bat' is not recognized as an internal or external command,\n"
        "operable program or batch file.\n")
    assert term.run("kafka-topics --bootstrap-server localhost:9092 --list | grep x") == (
        "[brokerlab] pipes and redirections (|) are not part of this terminal: run one tool a line\n")
    assert term.run("echo 'unclosed") == "bash: unexpected EOF while looking for matching `''\n"
    assert term.run("# a comment") == "" and term.run("") == ""


def test_bad_input_never_ends_the_session(term: Term) -> None:
    for line in ("kafka-topics --bootstrap-server", "kafka-configs --add-config", "kafka-console-consumer --offset",
                 "kafka-consumer-groups --reset-offsets --shift-by x", "\x00\x01", "kafka-acls --operation"):
        term.run(line)
    assert term.session.job is None
    assert term.kafka("kafka-topics", "--create --topic still-here") == "Created topic still-here.\n"
