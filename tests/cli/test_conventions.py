"""The command line's conventions: -h and --version, clean help on every command, values checked
against their choices, completion, --json where a command prints a list or a summary, one
command for the dead-letter list, renamed options kept as hidden aliases."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from connectors.sdk.deadletter import DeadLetterStatus
from hub.auth import Role
from hub.cli.app import app
from hub.cli.choices import LetterStatus, TaskStateChoice, TokenRole
from hub.routing.taxonomy import TaskState

runner = CliRunner()
CROSSDOCK = Path(sys.executable).parent / "crossdock"


def _command_paths() -> Iterator[list[str]]:
    def walk(command: click.Command, path: list[str]) -> Iterator[list[str]]:
        yield path
        if not isinstance(command, click.Group):
            return
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            if not sub.hidden:
                yield from walk(sub, [*path, name])

    yield from walk(app, [])


COMMANDS = list(_command_paths())


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "crossdock")
def test_help_is_clean_and_minus_h_gives_it(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage: crossdock" in result.output
    # raw renderings (typer's `<bool>`, click's `{a|b}` choice of an argument) and the
    # docstrings' reStructuredText stay out of the help
    leftovers = re.findall(r"<bool>|``|:class:|:mod:|:func:|\{[a-z_|]+\}", result.output)
    assert leftovers == []


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"crossdock {version('crossdock')}"


def test_an_unknown_status_is_exit_2_naming_the_choices(tmp_path: Path) -> None:
    wide = {"COLUMNS": "200"}
    result = runner.invoke(
        app, ["dlq", "list", "--status", "bogus", "--data-dir", str(tmp_path)], env=wide
    )
    assert result.exit_code == 2
    for choice in ("open", "replayed", "discarded", "all"):
        assert f"'{choice}'" in result.output
    result = runner.invoke(
        app, ["token", "create", "--role", "root", "--data-dir", str(tmp_path)], env=wide
    )
    assert result.exit_code == 2
    assert "'viewer', 'operator', 'admin'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_cli_choices_are_the_hub_enums() -> None:
    assert [s.value for s in LetterStatus] == [*(s.value for s in DeadLetterStatus), "all"]
    assert [r.value for r in TokenRole] == [r.value for r in Role]
    assert [s.value for s in TaskStateChoice] == [s.value for s in TaskState]


def _complete(words: str) -> list[str]:
    """What bash completion offers after ``words``: click's protocol, as the script printed
    by `crossdock completion bash` asks for it (``type,value`` lines)."""
    env = {
        **os.environ,
        "_CROSSDOCK_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    done = subprocess.run(
        [str(CROSSDOCK)], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return [line.partition(",")[2] for line in done.stdout.split()]


def test_shell_completion_offers_commands_and_choices() -> None:
    assert _complete("crossdock dl") == ["dlq"]
    assert _complete("crossdock dlq list --status ") == ["open", "replayed", "discarded", "all"]
    assert _complete("crossdock completion ") == ["bash", "zsh", "fish"]
    for shell in ("bash", "zsh", "fish"):
        shown = subprocess.run(
            [str(CROSSDOCK), "completion", shell],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert "_CROSSDOCK_COMPLETE" in shown.stdout, shell
    bad = runner.invoke(app, ["completion", "tcsh"])
    assert bad.exit_code == 2
    assert "'bash', 'zsh', 'fish'" in bad.output


def test_lists_and_summaries_print_json_when_asked(tmp_path: Path) -> None:
    specs = runner.invoke(app, ["mappings", "list", "--json"])
    assert specs.exit_code == 0
    rows = [json.loads(line) for line in specs.stdout.splitlines()]
    assert {"id": "csv.stock-count", "version": 1}.items() <= rows[0].items()
    connectors = runner.invoke(app, ["connector", "list", "--json"])
    names = {json.loads(line)["name"] for line in connectors.stdout.splitlines()}
    assert {"rest", "sftp", "shopify"} <= names
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "count.csv").write_text(
        "store_id,sku,gtin,counted_qty,system_qty,counted_at,counter\n"
        "0142,SKU-1,,12,12,2026-11-20T06:05:00Z,m.lopez\n"
        "0142,SKU-2,,twelve,12,2026-11-20T06:05:00Z,m.lopez\n",
        encoding="utf-8",
    )
    run = runner.invoke(
        app,
        ["run", "--once", "--json", "--inbox", str(tmp_path / "inbox"),
         "--data-dir", str(tmp_path)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    summary = json.loads(run.stdout)
    assert summary == {
        "files": 1,
        "records": 2,
        "published": 1,
        "dead_letters": 1,
        "failed_reads": 0,
        "failed_files": 0,
        "retries": 0,
        "open_routing_tasks": summary["open_routing_tasks"],
        "routed_events": 1,
        "unroutable_messages": 0,
        "routing_queue_waiting": None,  # no routing queue was ever declared here
        "interrupted": False,
        "in_progress": None,
        # routed in process: no routing queue is bound, and no other subscriber's either
        "unrouted_events": 1,
        "unrouted_queue": "crossdock.events.unrouted",
        "unrouted_dropped_messages": 0,  # nothing kept before: the retention dropped nothing
    }
    letters = runner.invoke(app, ["dlq", "list", "--json", "--data-dir", str(tmp_path)])
    assert [json.loads(line)["status"] for line in letters.stdout.splitlines()] == ["open"]
    # the search of the console and the list were two commands; search is the list now
    searched = runner.invoke(app, ["dlq", "search", "--json", "--data-dir", str(tmp_path)])
    assert searched.stdout == letters.stdout
    shown = runner.invoke(app, ["dlq", "-h"], env={"COLUMNS": "200"}).output
    assert re.search(r"^\W*search ", shown, flags=re.MULTILINE) is None  # not a command of its own


def _tokens(common: list[str]) -> list[dict[str, object]]:
    listed = runner.invoke(app, ["token", "list", "--json", *common])
    assert listed.exit_code == 0, listed.output
    return [json.loads(line) for line in listed.stdout.splitlines()]


def test_tokens_are_created_listed_with_last_use_and_revoked(tmp_path: Path) -> None:
    from hub.auth import authenticate
    from hub.database import connect

    common = ["--data-dir", str(tmp_path)]
    made = runner.invoke(app, ["token", "create", "--role", "operator", "--name", "ana", *common])
    assert made.exit_code == 0
    token = made.stdout.strip()
    # the first home of the command still works, hidden
    old = runner.invoke(app, ["registry", "token", "create", "--name", "ci", *common])
    assert old.exit_code == 0
    listed = _tokens(common)
    assert [(t["name"], t["role"], t["last_used_at"]) for t in listed] == [
        ("ana", "operator", None),
        ("ci", "admin", None),
    ]
    engine = connect(f"sqlite:///{tmp_path / 'crossdock.db'}", create=False)
    assert authenticate(engine, token) is not None
    listed = _tokens(common)
    assert listed[0]["last_used_at"] is not None
    revoked = runner.invoke(app, ["token", "revoke", "ana", *common])
    assert revoked.exit_code == 0, revoked.output
    assert authenticate(engine, token) is None
    assert [t["name"] for t in _tokens(common)] == ["ci"]
    again = runner.invoke(app, ["token", "revoke", "ana", *common])
    assert again.exit_code == 1
    assert "no live token with name 'ana'" in again.stderr


def test_a_renamed_option_keeps_its_old_spelling_hidden(tmp_path: Path) -> None:
    bad = tmp_path / "rest.yaml"
    bad.write_text("base_url: 3\n", encoding="utf-8")
    for option in ("--connector-config", "--config-file"):
        result = runner.invoke(app, ["connector", "check", "rest", option, str(bad)])
        assert result.exit_code == 2, result.output
        assert "base_url" in result.stderr
    shown = runner.invoke(app, ["connector", "check", "-h"], env={"COLUMNS": "200"}).output
    assert "--connector-config" in shown
    assert "--config-file" not in shown


def test_connector_check_s_hint_names_the_option_as_its_help_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An instance missing from crossdock.yaml: the hint names --connector-config, the
    option's one name, not the hidden alias it replaced."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["connector", "check", "acme"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "no connector instance 'acme'" in said
    assert "--connector-config FILE" in said
    assert "--config-file" not in said


def test_ctrl_c_in_any_command_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    """click's own answer to Ctrl-C is "Aborted!" and 1; the hub's is 130 (hub.cli.exit_codes)."""
    import canonical

    def interrupted(_root: Path) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(canonical, "check_schemas", interrupted)
    result = runner.invoke(app, ["schemas", "check"])
    assert result.exit_code == 130
    assert "Aborted" not in result.output


def test_an_unknown_command_names_the_one_meant() -> None:
    for args, meant in (
        (["dlqq"], "'dlq'"),
        (["dlq", "lst"], "'list'"),
        (["dlq", "redrive", "statu"], "'status'"),
        (["completon"], "'completion'"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "Did you mean" in result.output, result.output
        assert meant in result.output.split("Did you mean", 1)[1]
