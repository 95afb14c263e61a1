"""``crossdock translate``: files to events (JSON lines), a summary table, or how each is read."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.exceptions import Exit

from hub.cli.options import config_option, json_option
from hub.cli.report import err, out
from hub.cli.settings import load_cli_settings

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.translate import EventLines
    from hub.worker_pool import WorkerPool

__all__ = ["translate"]


@click.command()
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="documents to translate; folders are read recursively",
)
@click.option("--mapping", help="mapping spec id (default: detect)")
@click.option("--connector", default="stock-count", help="connector whose CSV settings apply")
@click.option("--summary", is_flag=True, help="one table row per file instead of the events")
@click.option("--explain", is_flag=True, help="which format, specs and partner profile, and why")
@json_option("with --summary or --explain: JSON lines")
@config_option
def translate(
    paths: tuple[Path, ...],
    mapping: str | None,
    connector: str,
    summary: bool,
    explain: bool,
    as_json: bool,
    config: Path | None,
) -> None:
    """Translate files: events as JSON lines on stdout, errors on stderr; exit 1 on any.

    --summary runs every file (folders recursively) and prints a table: file, format, messages,
    events, errors, refusals, ignored technical messages, first error. --explain prints how each
    file is read. Either exits 1 when any file ended with an error.
    """
    if as_json and not (summary or explain):
        err.error("--json goes with --summary or --explain")
        raise Exit(2)
    settings = load_cli_settings(config)
    files = _translation_files(list(paths))
    # imported here, as every command's runtime: `crossdock --help` stays fast
    if explain:
        raise Exit(_explain_files(files, settings, connector, mapping, as_json=as_json))
    if summary:
        raise Exit(_summarise_files(files, settings, connector, mapping, as_json=as_json))
    from rich.markup import escape

    from hub.translate import (
        EventLines,
        TranslationError,
        TranslationNote,
        start_workers,
        translate_file,
    )
    from mappings import SpecRegistry

    # a big CSV file's workers start before the specs load: they import meanwhile
    pool = start_workers(files)
    try:
        registry = SpecRegistry.from_directory()  # once for every file
        failures = 0
        for file in files:
            lines = translate_file(
                file,
                settings,
                connector=connector,
                mapping_id=mapping,
                registry=registry,
                pool=pool,
            )
            for line in lines:
                if isinstance(line, TranslationError):
                    failures += 1
                    err.error(line)
                elif isinstance(line, TranslationNote):
                    err.print(escape(line), highlight=False, soft_wrap=True)
                elif isinstance(line, EventLines):
                    _write_events(line)
                else:
                    sys.stdout.write(line + "\n")
    finally:
        if pool is not None:
            pool.close()
    raise Exit(1 if failures else 0)


def _write_events(lines: "EventLines") -> None:
    """A chunk's JSON lines to stdout as the worker wrote them (UTF-8), after what was written
    as text before; one write for thousands of events."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream standing in for stdout
        sys.stdout.write(lines.data.decode())
        return
    sys.stdout.flush()
    # stdout unbuffered (python -u, PYTHONUNBUFFERED) is the raw file, whose write may take
    # part of the bytes only
    data = memoryview(lines.data)
    while data:
        data = data[buffer.write(data) or 0 :]


def _translation_files(paths: list[Path]) -> dict[Path, str]:
    """The files named, folders expanded recursively (hidden files and folders left out),
    each with the name to show: a folder's files relative to the folder's parent."""
    files: dict[Path, str] = {}
    for path in paths:
        if not path.is_dir():
            files[path] = str(path)
            continue
        for found in sorted(path.rglob("*")):
            inside = found.relative_to(path).parts
            if found.is_file() and not any(part.startswith(".") for part in inside):
                files[found] = (
                    str(found.relative_to(path.parent)) if path.parent != path else str(found)
                )
    return files


def _summarise_files(
    files: dict[Path, str],
    settings: "Settings",
    connector: str,
    mapping: str | None,
    *,
    as_json: bool,
) -> int:
    from hub.translate import start_workers

    pool = start_workers(files)  # before the specs load, as translate's
    try:
        return _summary_table(files, settings, connector, mapping, as_json=as_json, pool=pool)
    finally:
        if pool is not None:
            pool.close()


def _summary_table(
    files: dict[Path, str],
    settings: "Settings",
    connector: str,
    mapping: str | None,
    *,
    as_json: bool,
    pool: "WorkerPool | None",
) -> int:
    # imported here: rich is loaded by the commands that print with it, not by their parsing
    from rich.markup import escape
    from rich.table import Table

    from hub.translate import TranslationReport, translate_file
    from mappings import SpecRegistry

    registry = SpecRegistry.from_directory()  # once for every file
    table = Table("file", "format", "message(s)", "events", "errors", "refusals", "ignored")
    table.add_column("first error", ratio=1, overflow="fold")
    failed = 0
    for file, shown in files.items():
        report = TranslationReport(file)
        for _ in translate_file(
            file,
            settings,
            connector=connector,
            mapping_id=mapping,
            report=report,
            registry=registry,
            pool=pool,
        ):
            pass  # counted in the report
        failed += report.failed
        messages = ", ".join(
            f"{kind}×{count}" if count > 1 else kind for kind, count in report.messages.items()
        )
        if as_json:
            row = {
                "file": str(file),
                "format": report.format,
                "messages": dict(report.messages),
                "events": report.events,
                "errors": report.errors,
                "refusals": report.refusals,
                "ignored": report.ignored,
                "first_error": report.first_error,
                "ok": not report.failed,
            }
            sys.stdout.write(json.dumps(row) + "\n")
            continue
        first = report.first_error.removeprefix(str(file)).lstrip(":, ")
        # escaped: the first error quotes the file's value, as it is
        table.add_row(
            escape(shown),
            report.format or "-",
            messages or "-",
            str(report.events),
            f"[red]{report.errors}[/]" if report.errors else "0",
            str(report.refusals),
            str(report.ignored),
            escape(first[:160]) + ("…" if len(first) > 160 else ""),
        )
    if not as_json:
        out.print(table, min_width=240)  # its errors are up to 160 characters
        out.print(f"{len(files)} file(s): {len(files) - failed} ok, {failed} failed")
    return 1 if failed else 0


def _explain_files(
    files: dict[Path, str],
    settings: "Settings",
    connector: str,
    mapping: str | None,
    *,
    as_json: bool,
) -> int:
    from hub.explain import explain_file
    from mappings import SpecRegistry

    registry = SpecRegistry.from_directory()  # once for every file
    failed = 0
    for file in files:
        explained = explain_file(
            file, settings, connector=connector, mapping_id=mapping, registry=registry
        )
        report = explained.report
        failed += report.failed
        if as_json:
            sys.stdout.write(json.dumps(explained.as_dict()) + "\n")
            continue
        lines = [f"file:     {file}", f"format:   {report.format or '-'}: {report.how or '-'}"]
        for kind in explained.messages:
            lines.append(f"message:  {kind.label} ×{kind.count}: {kind.handling}")
            lines += [f"          spec {spec}" for spec in kind.specs]
            lines += [f"          {kind.why}"] if kind.why else []
        for partner in explained.partners:
            lines.append(f"partner:  {partner.partner or '(none)'}: {partner.why}")
            lines += [
                f"          profile {key}: "
                + (", ".join(value) if isinstance(value, list | tuple) else str(value))
                for key, value in partner.profile.items()
            ]
        if explained.partners_note:
            lines.append(f"partner:  {explained.partners_note}")
        lines.append(
            f"result:   {report.events} event(s), {report.errors} error(s) "
            f"({report.refusals} refusal(s)), {report.ignored} ignored"
        )
        if report.first_error:
            lines.append(f"first error: {report.first_error}")
        for line in lines:
            out.print(line, highlight=False, soft_wrap=True, markup=False)
    return 1 if failed else 0
