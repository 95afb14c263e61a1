"""``crossdock mappings test|list``: mapping specs and their golden tests."""

import json
import sys
from dataclasses import replace

from click.exceptions import Exit

from hub.cli.commands import Group
from hub.cli.options import json_option
from hub.cli.report import out

__all__ = ["mappings_group"]

mappings_group = Group("mappings", help="Mapping specs and their golden tests.")


@mappings_group.command("test")
def mappings_test() -> None:
    """Run every spec's golden tests and print a table; exit 1 on any difference.

    The shipped specs and those installed packages ship (entry points crossdock.mappings).
    Per format it counts the documents run, the events they gave and the errors or refusals
    they ended with, and the corpus cases skipped because the corpus is not here (each named).
    """
    # imported here: rich is loaded by the commands that print with it, not by their parsing
    from rich.table import Table

    from hub.golden import run_golden_tests
    from mappings.spec_packages import BUNDLED, spec_folders

    table = Table("spec", "case", "result")
    failures = 0
    per_format: dict[str, dict[str, int]] = {}
    specs: set[tuple[str, str]] = set()
    skipped: list[str] = []
    results = (
        # a package's spec is named with its package
        replace(ran, spec=f"{folder.name}: {ran.spec}") if folder.name != BUNDLED else ran
        for folder in spec_folders()
        for ran in run_golden_tests(folder.path)
    )
    for result in results:
        ok = not result.differences
        failures += not ok
        counts = per_format.setdefault(result.format, dict.fromkeys(_MAPPINGS_TEST_COUNTS, 0))
        counts["specs"] += result.has_spec and (result.format, result.spec) not in specs
        specs.add((result.format, result.spec))
        if result.skipped:
            counts["skipped"] += 1
            skipped.append(f"{result.spec} {result.case}: {result.skipped}")
            table.add_row(result.spec, result.case, "[yellow]skipped[/] " + result.skipped)
            continue
        counts["documents"] += 1
        counts["passed"] += ok
        counts["failed"] += not ok
        counts["events"] += result.events
        counts["refusals"] += result.refusals
        table.add_row(
            result.spec,
            result.case,
            "[green]pass[/]" if ok else "[red]FAIL[/] " + "; ".join(result.differences[:3]),
        )
    out.print(table)
    summary = Table("format", *_MAPPINGS_TEST_COUNTS)
    for name, counts in sorted(per_format.items()):
        summary.add_row(name, *(str(counts[column]) for column in _MAPPINGS_TEST_COUNTS))
    out.print(summary)
    for line in skipped:
        out.print(f"skipped: {line}", highlight=False, soft_wrap=True)
    raise Exit(1 if failures else 0)


_MAPPINGS_TEST_COUNTS = (
    "specs", "documents", "passed", "failed", "events", "refusals", "skipped",
)  # fmt: skip


@mappings_group.command("list")
@json_option()
def mappings_list(as_json: bool) -> None:
    """List the mapping specs: the shipped ones and those of installed packages ("from")."""
    from mappings import SpecRegistry
    from mappings.spec_packages import spec_folders

    rows = [
        {
            "id": m.id,
            "version": m.version,
            "source": f"{m.source_format}/{m.source_message or '-'}",
            "target": f"{m.target_type}@{m.target_version}",
            "from": folder.name,
        }
        for folder in spec_folders()
        for m in SpecRegistry.from_directory(folder.path)
    ]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    from rich.table import Table  # imported here: see mappings_test

    table = Table("id", "version", "source", "target", "from")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    out.print(table)
