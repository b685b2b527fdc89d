"""``brokerlab shell`` driven through standard input, as a script drives it: a real subprocess."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """\
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 2 --replication-factor 3
kafka-topics.sh --bootstrap-server localhost:9092 --list
kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=:
a:1
a:2
^D
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --from-beginning --max-messages 2 --property print.key=true
kafka-topics.sh --bootstrap-server localhost:2181 --list
kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic nope
"""


def shell(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "shell", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_script_through_stdin_prints_what_the_browser_terminal_prints() -> None:
    done = shell("--brokers", "3", stdin=SCRIPT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("$ kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 2 "
                          "--replication-factor 3\nCreated topic orders.\n$ kafka-topics.sh --bootstrap-server "
                          "localhost:9092 --list\norders\n$ kafka-console-producer.sh")
    assert ">a:1\n>a:2\n" in out
    assert "\na:1\na:2\nProcessed a total of 2 messages\n" in out.replace("a\t1", "a:1").replace("a\t2", "a:2")
    # the 2181 call runs to its timeout before the script goes on, as a shell waits for its command
    assert "Timed out waiting for a node assignment. Call: listTopics\n" in out
    assert out.index("Call: listTopics") < out.index("--describe --topic nope")
    assert out.endswith("Error while executing topic command : Topic 'Optional[nope]' does not exist as expected\n"
                        + out.split("does not exist as expected\n", 1)[1])
    # the same script gives the same text: the run is deterministic
    assert shell("--brokers", "3", stdin=SCRIPT).stdout == out


def test_versions_and_the_end_of_input_interrupts_a_running_consumer() -> None:
    done = shell("--kafka-version", "2.8", "--brokers", "1", stdin=(
        "kafka-topics --zookeeper localhost:2181 --create --topic t --partitions 1 --replication-factor 1\n"
        "kafka-console-consumer --bootstrap-server localhost:9092 --topic t\n"))
    assert done.returncode == 0, done.stderr
    assert "Created topic t.\n" in done.stdout
    assert done.stdout.endswith("^C\nProcessed a total of 0 messages\n")


def test_bad_arguments_are_argparse_errors() -> None:
    done = shell("--brokers", "0", stdin="")
    assert done.returncode == 2 and "invalid broker count 0" in done.stderr
