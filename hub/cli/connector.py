"""``crossdock connector list|check|schema|read|push|unlock|new``: SDK connectors, by command."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hub.cli.options import ConfigOpt, DataDirOpt, JsonOpt, alias
from hub.cli.settings import existing_database, load_cli_settings

# The SDK, the connectors and the hub's runtime are imported by the commands that use them,
# inside their functions: loading them costs most of a second, and `crossdock --help` or
# `crossdock dlq list` must not pay it.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from connectors.sdk.connector import Connector, Sink, Source
    from hub.connector_bus import HubEventBus

__all__ = ["connector_app"]

connector_app = typer.Typer(
    help="Connectors built on the SDK (entry-point group crossdock.connectors).",
    no_args_is_help=True,
)

out = Console()
err = Console(stderr=True, soft_wrap=True)


def _kind(cls: type) -> str:
    from connectors.sdk.connector import Sink, Source
    from connectors.sdk.webhook import WebhookSource

    kinds = []
    if issubclass(cls, Source):
        kinds.append("source")
    if issubclass(cls, WebhookSource):
        kinds.append("webhook")
    if issubclass(cls, Sink):
        kinds.append("sink")
    return ", ".join(kinds) or "?"


@connector_app.command("list")
def list_connectors(as_json: JsonOpt = False) -> None:
    """Installed connectors: name, kind, class."""
    from connectors.sdk.entry_points import connector_entry_points, load_connector

    rows = []
    for name, ep in connector_entry_points().items():
        try:
            cls = load_connector(name)
        except Exception as exc:  # a broken third-party package must not hide the others
            rows.append({"name": name, "kind": "broken", "class": ep.value, "about": str(exc)})
            continue
        about = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        rows.append({"name": name, "kind": _kind(cls), "class": ep.value, "about": about})
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    table = Table("name", "kind", "class", "about")
    for row in rows:
        kind = "[red]broken[/]" if row["kind"] == "broken" else row["kind"]
        table.add_row(row["name"], kind, row["class"], escape(row["about"]))
    out.print(table)


@connector_app.command("schema")
def schema(name: Annotated[str, typer.Argument(help="connector name (see `list`)")]) -> None:
    """Print the connector's configuration JSON Schema (its documentation)."""
    from connectors.sdk.entry_points import load_connector
    from connectors.sdk.errors import ConnectorConfigError

    try:
        cls = load_connector(name)
    except ConnectorConfigError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    out.print_json(json.dumps(cls.config_schema()))


def _read_config(path: Path) -> dict[str, Any]:
    import yaml

    from hub.errors import ConfigError

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return loaded


@connector_app.command("check")
def check(
    name: Annotated[
        str,
        typer.Argument(
            help="a connector instance of crossdock.yaml, or a connector name with "
            "--connector-config"
        ),
    ],
    connector_config: Annotated[
        Path | None,
        typer.Option("--connector-config", help="the connector's own config (JSON or YAML)"),
    ] = None,
    config: ConfigOpt = None,
    config_file: Annotated[Path | None, typer.Option("--config-file", hidden=True)] = None,
) -> None:
    """Can this connector connect with its configuration? Exit 0 yes, 1 no, 2 bad config."""
    # --config-file was the first spelling of --connector-config: kept as a hidden alias
    config_file = alias(connector_config, config_file, None)
    from connectors.sdk.entry_points import load_connector
    from connectors.sdk.errors import ConnectorConfigError
    from hub.config import load_settings
    from hub.errors import ConfigError

    try:
        if config_file is not None:
            connector, raw = name, _read_config(config_file)
        else:
            settings = load_settings(config)
            found = {i.name: i for i in settings.sdk_connectors}.get(name)
            if found is None:
                raise ConfigError(
                    f"no connector instance {name!r} in the configuration; "
                    f"configured: {sorted({i.name for i in settings.sdk_connectors})} "
                    "(or pass a connector name with --connector-config FILE)"
                )
            connector, raw = found.transport, found.config
        cls = load_connector(connector)
        instance = cls.from_config(raw)
    except (ConfigError, ConnectorConfigError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    with instance:
        result = instance.check()
    if result.ok:
        out.print(f"[green]ok[/] {name}: {result.message}")
        return
    err.print(f"[red]failed[/] {name} ({result.failure}): {result.message}")
    raise typer.Exit(1)


def _instance(name: str, config: Path | None, data_dir: Path | None) -> tuple[Any, Any]:
    """(settings, connector instance config) of ``name`` in crossdock.yaml."""
    from hub.errors import ConfigError

    settings = load_cli_settings(config, data_dir=data_dir)
    found = {i.name: i for i in settings.sdk_connectors}.get(name)
    if found is None:
        raise ConfigError(
            f"no connector instance {name!r} in the configuration; "
            f"configured: {sorted(i.name for i in settings.sdk_connectors)}"
        )
    return settings, found


def _configured(
    name: str, config: Path | None, data_dir: Path | None, kind: type, what: str
) -> tuple[Any, Any]:
    """(settings, the built connector) of instance ``name``; exit 2 when it is not a ``what``."""
    from connectors.sdk.entry_points import load_connector
    from connectors.sdk.errors import ConnectorConfigError
    from hub.errors import ConfigError

    try:
        settings, instance = _instance(name, config, data_dir)
        cls = load_connector(instance.transport)
        if not issubclass(cls, kind):
            raise ConfigError(f"{name} ({instance.transport}) is not a {what}")
        return settings, cls.from_config(instance.config)
    except (ConfigError, ConnectorConfigError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def _hub_bus(settings: Any) -> "tuple[Engine, HubEventBus]":
    """The hub database and the event bus a connector command publishes and dead-letters to."""
    from hub.connector_bus import HubEventBus
    from hub.database import connect

    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = connect(settings.resolved_database_url)
    return engine, HubEventBus.for_settings(settings, engine)


def failure_line(name: str, connector: "type[Connector[Any]]", exc: Exception) -> str:
    """``failed NAME (failure, action): error`` as the hub's table with the connector's rows
    classes ``exc``; the error's text (a peer's, the OS's) is escaped from rich markup."""
    from hub.retry import DEFAULT_TABLE

    decision = connector.decision_table(DEFAULT_TABLE).decide(exc)
    return f"[red]{name} failed[/] ({decision.failure}, {decision.action}): {escape(str(exc))}"


def _fail(name: str, connector: "Source[Any] | Sink[Any]", exc: Exception) -> typer.Exit:
    """Report a run that ended on ``exc``; exit code 1."""
    err.print(failure_line(name, type(connector), exc))
    return typer.Exit(1)


@connector_app.command("read")
def read(
    name: Annotated[str, typer.Argument(help="a source instance of crossdock.yaml")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Read a source from its stored state to the end: events published, state saved."""
    from connectors.sdk.connector import Source
    from hub.source_poller import read_source

    settings, source = _configured(name, config, data_dir, Source, "source")
    engine, bus = _hub_bus(settings)
    try:
        outcome = read_source(name, source, engine, bus)
    except Exception as exc:
        raise _fail(name, source, exc) from exc
    finally:
        bus.close()
    out.print(
        f"{name}: {outcome.records} records, {outcome.published} events published, "
        f"{outcome.dead_lettered} dead letters, {outcome.checkpoints} checkpoints, "
        f"{outcome.retries} retries"
    )
    kept = bus.publisher.unrouted_events
    if kept:  # no queue was bound for them: say where they are instead of "published"
        out.print(
            f"{name}: {kept} of the events had no queue bound for them on "
            f"{settings.exchange}: kept in the queue {bus.publisher.unrouted_name}",
            highlight=False,
            markup=False,
        )


@connector_app.command("push")
def push(
    name: Annotated[str, typer.Argument(help="a sink instance of crossdock.yaml")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    idle_timeout: Annotated[
        float, typer.Option(help="stop after this many seconds without an event")
    ] = 5.0,
) -> None:
    """Deliver the bus's events to a sink; a message is acked once its events are written."""
    from connectors.sdk.connector import Sink
    from connectors.sdk.runner import deliver
    from hub.bus.consumer import EventConsumer
    from hub.bus.topology import event_queue, events_exchange
    from hub.retry import DEFAULT_TABLE

    settings, sink = _configured(name, config, data_dir, Sink, "sink")
    _, bus = _hub_bus(settings)
    # one durable queue per sink instance: events published while it is stopped wait for it
    patterns = [f"{t}.*" for t in sink.accepts] or ["retail.#"]
    consumer = EventConsumer(
        settings.resolved_bus_url,
        event_queue(f"crossdock.sink.{name}", patterns, events_exchange(settings.exchange)),
    )
    consumer.declare()
    totals = {"written": 0, "rejected": 0}

    def handle(events: list[dict[str, Any]]) -> None:
        report = deliver(sink, events, bus, table=DEFAULT_TABLE, name=name)
        totals["written"] += len(report.written)
        totals["rejected"] += len(report.rejected)

    try:
        with sink:
            consumer.drain(handle, idle_timeout=idle_timeout, max_seconds=float("inf"))
    except Exception as exc:
        raise _fail(name, sink, exc) from exc
    finally:
        bus.close()
    out.print(f"{name}: {totals['written']} events written, {totals['rejected']} dead letters")


@connector_app.command("unlock")
def unlock(
    name: Annotated[str, typer.Argument(help="a source instance of crossdock.yaml")],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="also a lease held from another host (check its reader is gone)"
        ),
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Release the read lease of a reader that is gone, so a read can start now.

    A killed reader's lease would block its instance until it expires (two minutes after its
    last renewal). The holder's process is checked first: a live reader keeps its lease (exit 1).
    """
    from hub.database import connect
    from hub.errors import ConfigError
    from hub.read_lease import unlock as release

    try:
        settings, _instance_config = _instance(name, config, data_dir)
    except ConfigError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    done = release(connect(existing_database(settings), create=False), name, force=force)
    holder = f" (held by {done.holder.text})" if done.holder else ""
    if done.released or done.holder is None:
        out.print(f"{name}: {'released' if done.released else 'not locked'}: {done.why}{holder}")
        return
    err.print(f"[red]{name}: kept[/]: {done.why}{holder}", highlight=False)
    raise typer.Exit(1)


@connector_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="the new connector's name, e.g. acme-erp")],
    directory: Annotated[Path, typer.Option("--dir", help="where to create the package")] = Path(),
) -> None:
    """Scaffold a connector package whose tests already run (and pass) the conformance kit."""
    from connectors.sdk.errors import ConnectorConfigError
    from connectors.sdk.scaffold import scaffold_connector

    try:
        root = scaffold_connector(name, directory)
    except ConnectorConfigError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    out.print(f"created {root}")
    out.print(f"next: cd {root} && pip install -e . && pytest")
