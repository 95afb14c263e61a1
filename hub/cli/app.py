"""The ``crossdock`` command line: its root group, ``--version``, and the entry point.

Each command lives in a module of its own (``hub.cli.run``, ``hub.cli.dlq`` …), imported when
the command line, its help or shell completion names it (:class:`hub.cli.commands.Group`):
``crossdock dlq list`` loads the dead-letter commands and nothing of the others, and
``crossdock --help`` loads click and the commands' definitions, none of the hub's runtime.
"""

import sys
from pathlib import Path
from typing import Any

import click

from hub.cli.commands import Group

__all__ = ["COMMANDS", "app", "main"]

#: each command of ``crossdock``, in the order help lists them, and where it is defined
COMMANDS = {
    "reconcile": "hub.cli.reconcile:reconcile",
    "run": "hub.cli.run:run",
    "translate": "hub.cli.translate:translate",
    "serve": "hub.cli.serve:serve",
    "dlq": "hub.cli.dlq:dlq_group",
    "schemas": "hub.cli.schemas:schemas_group",
    "mappings": "hub.cli.mapping_specs:mappings_group",
    "token": "hub.cli.tokens:token_group",
    # the first home of the token commands, hidden, kept as an alias for a release
    "registry": "hub.cli.tokens:registry_group",
    "routing": "hub.cli.routing:routing_group",
    "connector": "hub.cli.connector:connector_group",
    "db": "hub.cli.db:db_group",
    "completion": "hub.cli.completion:completion",
}


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    # imported here: only --version reads the installed distribution's metadata
    from importlib.metadata import version

    click.echo(f"crossdock {version('crossdock')}")
    ctx.exit()


app = Group(
    "crossdock",
    help="Crossdock: a retail integration hub. Files and messages in, canonical events out.\n\n"
    "Exit codes: 0 ok; 1 a record failed or a runtime error; 2 usage or configuration; "
    "130 interrupted.",
    lazy=COMMANDS,
    context_settings={
        # -h as well as --help, on every command (contexts inherit it)
        "help_option_names": ["-h", "--help"],
        # every option's default in its help, as `crossdock run --help` has always shown them
        "show_default": True,
    },
    params=[
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit.",
        )
    ],
)


def main() -> None:
    """Console-script entry point; exit codes as :mod:`hub.cli.exit_codes` tables them.

    A failure of the infrastructure or the configuration that a command did not report
    itself is said here in one line (:mod:`hub.cli.failures`) instead of a traceback; a
    database behind the code (``dlq list`` after installing a newer hub) names the command
    that migrates it.
    """
    try:
        app.main()
    except Exception as exc:
        # imported only on failure: they import the database and broker drivers (SQLAlchemy,
        # kombu) and rich, which `crossdock --help` and the commands that use neither never need
        from hub.cli.failures import failure_line
        from hub.cli.report import err
        from hub.cli.schema_check import behind_line
        from hub.migrations import SchemaBehind

        said = failure_line(exc)
        if said is None:
            raise
        line, code = said
        if isinstance(exc, SchemaBehind):
            line = behind_line(exc, _where_argv())
        err.error(line)
        sys.exit(code)


def _where_argv() -> dict[str, Any]:
    """The location options of this command line (``--config``/``-c``, ``--data-dir``,
    ``--database-url``), for a hint printed outside the command's own code."""
    names = {"--config": "config", "-c": "config", "--data-dir": "data_dir"}
    where: dict[str, Any] = {}
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if not eq:
            value = args[i + 1] if i + 1 < len(args) else ""
        if name in names and value:
            where[names[name]] = Path(value)
        elif name == "--database-url" and value:
            where["database_url"] = value
    return where
