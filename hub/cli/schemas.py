"""``crossdock schemas export|check``: JSON Schemas generated from the canonical models."""

import shlex
from pathlib import Path

import click
from click.exceptions import Exit

from hub.cli.commands import Group
from hub.cli.options import PATH
from hub.cli.report import err, out

__all__ = ["schemas_group"]

# no help without a command: "Missing command", exit 2
schemas_group = Group(
    "schemas", help="JSON Schemas generated from the canonical models.", no_args_is_help=False
)
DEFAULT_DIR = Path("schemas")
schemas_dir_option = click.option(
    "--dir", "root", type=PATH, default=DEFAULT_DIR, help="schemas folder"
)


@schemas_group.command("export")
@schemas_dir_option
def schemas_export(root: Path) -> None:
    """Write schemas/<type>/v<N>.schema.json from the canonical models."""
    from canonical import export_schemas

    for path in export_schemas(root):
        out.print(f"wrote {path}")


@schemas_group.command("check")
@schemas_dir_option
def schemas_check(root: Path) -> None:
    """Fail when a schema file drifted from its model (run `crossdock schemas export`)."""
    from canonical import check_schemas
    from hub.command_hints import command_hint

    problems = check_schemas(root)
    for p in problems:
        err.print(f"[red]drift:[/] {p}")
    if problems:
        # the folder checked, so the copied command writes where the check looked
        export = "schemas export"
        if root != DEFAULT_DIR:
            export += f" --dir {shlex.quote(str(root))}"
        err.print(
            f"run `{command_hint(export)}` and commit the result",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise Exit(1)
    out.print(f"schemas in {root} match the canonical models")
