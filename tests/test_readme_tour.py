"""The README's five-minute tour, run as printed in a fresh folder, and the commands it prints.

The fresh folder holds what a clone holds for the tour (Makefile, pyproject.toml, demo/) and a
``.venv`` whose ``bin`` is this checkout's, so ``make run`` finds it installed. ``PATH`` gets
``.venv/bin`` as the tour's first paragraph says. Every command must exit 0, except those the
README says exit 1 (named below with why) and the watch that runs until Ctrl-C (exit 130).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest
import yaml

from connectors.sdk.entry_points import load_connector

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# what the README says about these commands' exit codes
EXPECTED_EXIT = {
    # "the exit code is 1 when any record failed (this file has a bad date in line 5)"
    "crossdock translate demo/inbox/store-0377-count-2026-11-20.csv": 1,
    # "with exit 1 when any file failed": the demo inbox has bad rows
    "crossdock translate --summary demo/inbox/": 1,
}


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _commands(block_lang: str, section: str) -> list[str]:
    commands: list[str] = []
    for block in re.findall(rf"```{block_lang}\n(.*?)```", section, flags=re.DOTALL):
        commands += [line for line in block.splitlines() if line.strip()]
    return commands


def tour_commands() -> list[str]:
    """``make run`` (the tour's first step), then every ``sh`` line of the tour, in order."""
    text = README.read_text(encoding="utf-8")
    make_run = [
        line for line in _commands("sh", _section(text, "Two commands")) if "make run" in line
    ]
    return make_run + _commands("sh", _section(text, "A five-minute tour"))


@pytest.fixture
def fresh_folder(tmp_path: Path) -> Path:
    """A folder with the clone's files the tour uses, nothing made by earlier runs."""
    venv_bin = ROOT / ".venv" / "bin"
    if not (venv_bin / "crossdock").exists():
        pytest.skip("no .venv in the project folder: run `make run` once first")
    folder = tmp_path / "crossdock"
    folder.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt", "README.md"):
        shutil.copy2(ROOT / name, folder / name)
    shutil.copytree(ROOT / "demo", folder / "demo")
    (folder / ".venv").mkdir()
    (folder / ".venv" / "bin").symlink_to(venv_bin)
    (folder / ".venv" / ".installed").touch()  # newer than pyproject.toml: make installs nothing
    return folder


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.pop("VIRTUAL_ENV", None)
    # the tour's "export PATH="$PWD/.venv/bin:$PATH""
    env["PATH"] = f"{folder / '.venv' / 'bin'}:{env.get('PATH', '')}"
    if "CROSSDOCK_CORPUS" in os.environ:  # mappings test finds the corpus from here too
        env["CROSSDOCK_CORPUS"] = os.environ["CROSSDOCK_CORPUS"]
    return env


def _run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=_env(folder),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _watch_until_ctrl_c(command: str, folder: Path) -> tuple[int, str]:
    """Start a command that runs until Ctrl-C, wait until it watches, then press Ctrl-C."""
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=folder,
        env=_env(folder),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout or ():
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        # the hub names the inbox it watches once it is up
        while not any("crossdock: inbox" in line for line in lines):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        time.sleep(2.0)  # a poll of the inbox or two
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
    return proc.returncode, "".join(lines)


def _lines_without_timings(text: str) -> list[str]:
    """Report lines with their timing parts removed: ``N record(s) in 0.06s (19/s)``."""
    return [re.sub(r" in [0-9.]+s \([0-9,]+/s\)", "", line) for line in text.splitlines()]


def test_every_tour_command_works_as_printed_in_a_fresh_folder(fresh_folder: Path) -> None:
    commands = tour_commands()
    assert commands[0].startswith("make run")
    assert len(commands) >= 10, commands  # the tour was found, not an empty section
    failures: list[str] = []
    outputs: dict[str, str] = {}
    for line in commands:
        command = line.split("  #", 1)[0].strip()
        if "until Ctrl-C" in line:
            code, output = _watch_until_ctrl_c(command, fresh_folder)
            expected = 130
            if "interrupted:" not in output:
                failures.append(f"{command!r}: Ctrl-C did not say what was kept\n{output}")
        else:
            result = _run(command, fresh_folder)
            code, output = result.returncode, result.stdout + result.stderr
            expected = EXPECTED_EXIT.get(command, 0)
        outputs[command] = output
        if code != expected:
            failures.append(f"{command!r}: exit {code}, expected {expected}\n{output[-2000:]}")
    assert not failures, "\n\n".join(failures)
    # what the tour says happened did happen
    listed = outputs["crossdock dlq list --data-dir var/demo"]
    assert "6 shown; 6 total" in listed
    replay = outputs["crossdock dlq replay 4 --payload fixed.csv --actor you --data-dir var/demo"]
    assert "dead letter 4: replayed as event" in replay
    # nothing was written outside the fresh folder's own var/ (and the files the tour writes)
    made = {p.name for p in fresh_folder.iterdir()}
    assert made <= {
        "Makefile", "pyproject.toml", "constraints.txt", "README.md", "demo", ".venv",
        "var", "fixed.csv", "schemas",
    }, made  # fmt: skip
    assert not (fresh_folder / "inbox").exists()


def test_make_run_prints_what_the_readme_shows_and_its_hints_work(fresh_folder: Path) -> None:
    result = _run("make run", fresh_folder)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = _lines_without_timings(result.stdout + result.stderr)
    shown = _section(README.read_text(encoding="utf-8"), "A five-minute tour")
    block = re.search(r"```text\n(.*?)```", shown, flags=re.DOTALL)
    assert block is not None
    for line in _lines_without_timings(block.group(1)):
        if line.strip() in {"...", ""}:
            continue
        # the README shows the hints as typed without .venv/bin on PATH; make run has it not
        assert line.replace(".venv/bin/crossdock", "crossdock") in [
            p.replace(".venv/bin/crossdock", "crossdock") for p in printed
        ], f"README line not printed by make run: {line!r}"
    hints = re.findall(r"see `([^`]+)`", result.stdout + result.stderr)
    assert len(hints) == 2, hints  # routing tasks, dlq list
    for hint in hints:
        ran = _run(hint, fresh_folder)
        assert ran.returncode == 0, f"{hint}: {ran.stderr}"
    listed = _run(hints[-1], fresh_folder)
    assert "6 shown; 6 total" in listed.stdout


def test_every_connector_instance_the_readme_shows_is_a_valid_configuration() -> None:
    """A ``connectors:`` entry copied from any ``yaml`` block builds its connector: the hub
    refuses an invalid one at start (exit 2), so an example must not be one."""
    checked: list[str] = []
    failures: list[str] = []
    for block in re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL):
        if "transport:" not in block:
            continue
        document = yaml.safe_load(textwrap.dedent(block))
        # a whole crossdock.yaml, or entries shown as they go under `connectors:`
        entries = document["connectors"] if isinstance(document, dict) else document
        for entry in entries:
            if entry.get("transport", "file") == "file":
                continue
            checked.append(entry["name"])
            try:
                with load_connector(entry["transport"]).from_config(entry["config"]):
                    pass
            except Exception as exc:  # the connector's own words, whatever the class
                failures.append(f"{entry['name']} ({entry['transport']}): {exc}")
    assert len(checked) >= 4, checked  # the blocks were found
    assert not failures, failures
