"""``crossdock token create|list|revoke``: the API tokens of the hub (stored hashed).

``crossdock registry token create``, their first home, stays as a hidden alias for a release.
"""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.exceptions import Exit

from hub.cli.choices import TokenRole
from hub.cli.commands import Group, hidden_alias
from hub.cli.options import (
    ValueChoice,
    config_option,
    data_dir_option,
    database_url_option,
    json_option,
)
from hub.cli.report import Reporter
from hub.cli.settings import existing_database, load_cli_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["registry_group", "token_group"]

token_group = Group("token", help="API tokens: create (shown once, stored hashed), list, revoke.")

out = Reporter(stderr=False)
err = Reporter(stderr=True, soft_wrap=True)


def _engine(
    config: Path | None, data_dir: Path | None, database_url: str | None, *, create: bool
) -> "Engine":
    """The hub database (an empty one migrated); ``create`` makes an embedded one where none
    is yet."""
    from hub.database import connect

    settings = load_cli_settings(config, data_dir=data_dir, database_url=database_url)
    if create:
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url
    else:
        url = existing_database(settings)
    return connect(url)


@token_group.command("create")
@click.option(
    "--role", type=ValueChoice(TokenRole), default=TokenRole.ADMIN.value, help="what it may do"
)
@click.option("--name", help="who holds it (audit trail)")
@config_option
@data_dir_option
@database_url_option
def token_create(
    role: TokenRole,
    name: str | None,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Create an API token with a role and print it once (only its SHA-256 is stored)."""
    from hub.auth import create_token

    engine = _engine(config, data_dir, database_url, create=True)
    token = create_token(engine, role.value, name or f"{role.value}-token")
    sys.stdout.write(token + "\n")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "never"


@token_group.command("list")
@click.option("--revoked", is_flag=True, help="revoked tokens too")
@json_option()
@config_option
@data_dir_option
@database_url_option
def token_list(
    revoked: bool,
    as_json: bool,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """The tokens: id, name, role, created, last used (never the token itself)."""
    from hub.auth import list_tokens

    tokens = list_tokens(_engine(config, data_dir, database_url, create=False), revoked=revoked)
    if as_json:
        for token in tokens:
            sys.stdout.write(json.dumps(token.as_dict()) + "\n")
        return
    from rich.table import Table  # imported here: not by the command's parsing or help

    table = Table("id", "name", "role", "created", "last used", *(["revoked"] if revoked else []))
    for t in tokens:
        row = [str(t.id), t.name, t.role, _when(t.created_at), _when(t.last_used_at)]
        table.add_row(*row, *([_when(t.revoked_at) if t.revoked_at else ""] if revoked else []))
    out.print(table)


@token_group.command("revoke")
@click.argument("token", help="the token's id or name (see `token list`)")
@click.option("--actor", default="cli", help="who revokes it (audit trail)")
@config_option
@data_dir_option
@database_url_option
def token_revoke(
    token: str,
    actor: str,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Revoke a token: requests and page sessions signed in with it are refused from now on."""
    from hub.auth import TokenError, revoke_token

    try:
        info = revoke_token(
            _engine(config, data_dir, database_url, create=False), token, actor=actor
        )
    except TokenError as exc:
        err.error(exc)
        raise Exit(1) from exc
    out.print(f"token {info.id} ({info.name}, {info.role}): revoked", highlight=False)


registry_group = Group("registry", help="The schema registry: API tokens.", hidden=True)
# the first home of the token commands, kept as an alias for a release
registry_group.add_command(hidden_alias(token_group))
