"""``crossdock serve``: the API (schema registry, OpenAPI at /docs, the /ops page) alone."""

import contextlib
from pathlib import Path
from typing import Any

import click
from click.exceptions import Exit

from hub.cli.options import (
    API_PORT,
    alias,
    config_option,
    data_dir_option,
    database_url_option,
    log_format_option,
    upgrade_option,
)
from hub.cli.report import LogFormat, err, set_log_format
from hub.cli.schema_check import ready_database
from hub.cli.settings import load_cli_settings

__all__ = ["serve"]


@click.command()
@click.option("--api-host", default="127.0.0.1", help="API interface")
@click.option("--api-port", type=API_PORT, default=8081, help="API TCP port")
@config_option
@data_dir_option
@database_url_option
# the first spellings, before `crossdock run` and `serve` shared one name: hidden aliases
@click.option("--host", "old_host", hidden=True)
@click.option("--port", "old_port", type=API_PORT, hidden=True)
@upgrade_option
@log_format_option
def serve(
    api_host: str,
    api_port: int,
    config: Path | None,
    data_dir: Path | None,
    database_url: str | None,
    old_host: str | None,
    old_port: int | None,
    upgrade: bool,
    log_format: LogFormat,
) -> None:
    """Serve the API (schema registry, OpenAPI at /docs, the /ops page) with uvicorn."""
    import uvicorn

    from hub.api import create_app, freeze_startup_heap
    from hub.api_socket import bind_api
    from hub.bus.connection import conn_label
    from hub.errors import HubError

    set_log_format(log_format)
    host = alias(api_host, old_host, "127.0.0.1")
    port = alias(api_port, old_port, 8081)
    settings = load_cli_settings(config, data_dir=data_dir, database_url=database_url)
    settings.tracing.apply()
    where: dict[str, Any] = {"config": config, "data_dir": data_dir, "database_url": database_url}
    ready_database(settings, upgrade=upgrade, where=where)
    try:
        api = create_app(settings)
    except HubError as exc:
        err.error(exc)
        raise Exit(1) from exc
    try:
        sock = bind_api(host, port, without_api=None)
    except HubError as exc:  # a port in use: one line, exit 1, not uvicorn's log and exit 3
        err.error(exc)
        raise Exit(1) from exc
    err.print(
        f"crossdock: API on http://{host}:{port} (docs at /docs), "
        f"database {conn_label(settings.resolved_database_url)}"
    )
    freeze_startup_heap()
    # uvicorn's own records (access lines among them) become JSON lines like the rest; one
    # Config only: making one configures logging
    json_lines = log_format == LogFormat.JSON
    uvicorn_config = (
        uvicorn.Config(api, host=host, port=port, log_config=None)
        if json_lines
        else uvicorn.Config(api, host=host, port=port)
    )
    server = uvicorn.Server(uvicorn_config)
    # as uvicorn.run does, on the socket bound above
    with sock, contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    if not server.started:  # the app's start-up failed (uvicorn logged why)
        raise Exit(1)
