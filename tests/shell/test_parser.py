"""jopt-simple as Kafka's tools use it: parsing, its exception messages, and the help table it prints."""

from __future__ import annotations

import pytest

from app.shell.parser import (
    MultipleArgumentsForOptionException, OptionArgumentConversionException, OptionMissingRequiredArgumentException,
    OptionParser, UnrecognizedOptionException, flag, optional, required,
)


def parser() -> OptionParser:
    return OptionParser([
        required("bootstrap-server", "REQUIRED: The Kafka server to connect to.", "server to connect to"),
        required("partitions", "The number of partitions", "# of partitions", "Integer"),
        required("config", "A config", "name=value"),
        required("delete-config", "config keys to remove 'k1,k2'", separator=","),
        optional("state", "A state"),
        flag("list", "List all available topics."),
    ])


def test_long_options_with_separate_or_inline_values_and_single_hyphen_names() -> None:
    opts = parser().parse(["--bootstrap-server", "localhost:9092", "--partitions=3", "-list", "--config", "a=1",
                           "--config", "b=2"])
    assert opts.value_of("bootstrap-server") == "localhost:9092"
    assert opts.value_of("partitions") == 3
    assert opts.has("list")
    assert opts.values_of("config") == ["a=1", "b=2"]
    assert opts.specs() == ["bootstrap-server", "partitions", "list", "config", "config"]


def test_a_required_argument_is_taken_whatever_it_looks_like() -> None:
    """RequiredArgumentOptionSpec takes the next word, even ``--list``."""
    opts = parser().parse(["--config", "--list"])
    assert opts.value_of("config") == "--list" and not opts.has("list")


def test_an_optional_argument_is_left_when_an_option_follows() -> None:
    opts = parser().parse(["--state", "--list"])
    assert opts.has("state") and opts.value_of("state") is None and opts.has("list")
    assert parser().parse(["--state", "stable,empty"]).value_of("state") == "stable,empty"


def test_values_separated_by_commas() -> None:
    assert parser().parse(["--delete-config", "a,b", "--delete-config", "c"]).values_of("delete-config") == ["a", "b", "c"]


def test_jopt_simples_messages() -> None:
    with pytest.raises(UnrecognizedOptionException, match="^zookeeper is not a recognized option$"):
        parser().parse(["--zookeeper", "localhost:2181"])
    with pytest.raises(UnrecognizedOptionException, match="^z is not a recognized option$"):
        parser().parse(["-zookeeper"])
    with pytest.raises(OptionMissingRequiredArgumentException, match="^Option partitions requires an argument$"):
        parser().parse(["--partitions"])
    opts = parser().parse(["--partitions", "x", "--bootstrap-server", "a:1", "--bootstrap-server", "b:2"])
    with pytest.raises(OptionArgumentConversionException, match="^Cannot parse argument 'x' of option partitions$"):
        opts.value_of("partitions")  # converted when the tool asks, as jopt-simple does
    with pytest.raises(MultipleArgumentsForOptionException,
                       match="^Found multiple arguments for option bootstrap-server, but you asked for only one$"):
        opts.value_of("bootstrap-server")


def test_integers_are_javas() -> None:
    assert OptionParser([required("n", "", type="Integer")]).parse(["--n", "+5"]).value_of("n") == 5
    for bad in ("2147483648", "1.0", " 1"):
        with pytest.raises(OptionArgumentConversionException):
            OptionParser([required("n", "", type="Integer")]).parse(["--n", bad]).value_of("n")


def test_the_help_table_is_jopt_simples() -> None:
    """BuiltinHelpFormatter: sorted options, 80 columns, the option column at most 39 wide, breaks after spaces and
    after hyphens, continuation lines indented by two, every row padded to the table's width. kafka-topics --help
    prints these rows so."""
    help_text = OptionParser([
        required("bootstrap-server", "REQUIRED: The Kafka server to connect to.", "server to connect to"),
        flag("alter", "Alter the number of partitions and replica assignment. Update the configuration of an existing "
             "topic via --alter is no longer supported here (the kafka-configs CLI supports altering topic configs "
             "with a --bootstrap-server option)."),
        required("partitions", "The number of partitions for the topic being created or altered.", "# of partitions",
                 "Integer"),
        required("replication-factor", "The replication factor for each partition in the topic being created.",
                 "replication factor", "Integer"),
    ]).help()
    assert help_text.split("\n") == [
        "Option                                   Description                            ",
        "------                                   -----------                            ",
        "--alter                                  Alter the number of partitions and     ",
        "                                           replica assignment. Update the       ",
        "                                           configuration of an existing topic   ",
        "                                           via --alter is no longer supported   ",
        "                                           here (the kafka-configs CLI supports ",
        "                                           altering topic configs with a --     ",
        "                                           bootstrap-server option).            ",
        "--bootstrap-server <String: server to    REQUIRED: The Kafka server to connect  ",
        "  connect to>                              to.                                  ",
        "--help                                   Print usage information.               ",
        "--partitions <Integer: # of partitions>  The number of partitions for the topic ",
        "                                           being created or altered.            ",
        "--replication-factor <Integer:           The replication factor for each        ",
        "  replication factor>                      partition in the topic being created.",
        "--version                                Display Kafka version.                 ",
        "",
    ]


def test_defaults_show_in_the_help_and_are_the_values_when_absent() -> None:
    p = OptionParser([required("timeout", "The time.", "timeout_ms", "Long", 1000)], defaults=False)
    assert p.parse([]).value_of("timeout") == 1000
    assert "The time. (default: 1000)" in p.help()
