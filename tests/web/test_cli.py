from __future__ import annotations

from typing import Any

import pytest

from app import cli
from app.settings import Settings
from app.live.protocol import MAX_MESSAGE_BYTES


def test_serve_defaults_to_loopback_port_8000() -> None:
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "http"], "invalid port 'http': expected a whole number in [1,...,65535]"),
        (["serve", "--port", "70000"], "invalid port 70000: expected a number in [1,...,65535]"),
        (["serve", "--host", ""], "invalid host ''"),
        (["serve", "--colour"], "unrecognized arguments: --colour"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_are_explained(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, sample_content) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a recorder: the command runs without binding a port."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setenv("BROKERLAB_CONTENT_DIR", str(sample_content))
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    for name in ("BROKERLAB_HOST", "BROKERLAB_PORT", "BROKERLAB_WORKERS"):  # set for the workers: restored after
        monkeypatch.delenv(name, raising=False)
    return calls


def test_serve_prints_the_address_and_runs_uvicorn(served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--port", "8123", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:8123/ with 1 worker " in out
    assert err == ""
    assert served[0]["host"] == "127.0.0.1" and served[0]["port"] == 8123
    assert served[0]["app"].state.settings.port == 8123


def test_serve_runs_a_worker_per_core_by_default_each_building_its_app_from_the_environment(
        served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    cli.main(["serve", "--port", "8124"])
    [call] = served
    assert (call["app"], call["factory"], call["workers"]) == ("app.main:create_app", True, 2)
    assert cli.os.environ["BROKERLAB_PORT"] == "8124" and "with 2 workers" in capsys.readouterr().out
    # Each worker's app divides the labs' memory by the workers: half the sessions each.
    assert cli.os.environ["BROKERLAB_WORKERS"] == "2"
    assert Settings(lab_memory_mb=1000, lab_session_memory_mb=100).max_sessions() == 5


@pytest.mark.parametrize("text", ["0", "many", "65"])
def test_a_bad_worker_count_is_refused_with_the_range(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--workers", text])
    assert "invalid worker count" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_non_loopback_host_warns(host: str, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["serve", "--host", host])
    err = capsys.readouterr().err
    assert f"warning: --host {host} is not a loopback address" in err


def test_websocket_messages_are_capped_near_the_protocol_limit(served: list[dict[str, Any]]) -> None:
    # uvicorn's default (16 MiB) would take a 15 MB message into memory before the session refuses it.
    cli.main(["serve"])
    assert MAX_MESSAGE_BYTES < served[0]["ws_max_size"] <= 2 * MAX_MESSAGE_BYTES


def test_sharing_on_a_network_names_the_allowed_hosts_setting(served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["serve", "--host", "0.0.0.0"])
    assert "BROKERLAB_ALLOWED_HOSTS" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_do_not_warn(host: str, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["serve", "--host", host])
    assert capsys.readouterr().err == ""


def test_ipv6_address_is_bracketed() -> None:
    assert cli.url_for("::1", 8000) == "http://[::1]:8000/"
