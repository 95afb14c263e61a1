"""``crossdock connector list|check|schema|read|push|unlock|new``: SDK connectors, by command."""

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.exceptions import Exit

from hub.cli.commands import Group
from hub.cli.options import PATH, alias, config_option, data_dir_option, json_option
from hub.cli.report import Reporter
from hub.cli.settings import existing_database, load_cli_settings

# The SDK, the connectors and the hub's runtime are imported by the commands that use them,
# inside their functions: loading them costs most of a second, and `crossdock --help` or
# `crossdock dlq list` must not pay it. rich, too, is imported by the commands that print with
# it, never by their parsing or help.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from connectors.sdk.connector import Connector, Sink, Source
    from hub.connector_bus import HubEventBus

__all__ = ["connector_group", "failure_line"]

connector_group = Group(
    "connector", help="Connectors built on the SDK (entry-point group crossdock.connectors)."
)

out = Reporter(stderr=False)
err = Reporter(stderr=True, soft_wrap=True)


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


@connector_group.command("list")
@json_option()
def list_connectors(as_json: bool) -> None:
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
    from rich.markup import escape  # imported here: see the note on imports above
    from rich.table import Table

    table = Table("name", "kind", "class", "about")
    for row in rows:
        kind = "[red]broken[/]" if row["kind"] == "broken" else row["kind"]
        table.add_row(row["name"], kind, row["class"], escape(row["about"]))
    out.print(table)


@connector_group.command("schema")
@click.argument("name", help="connector name (see `list`)")
def schema(name: str) -> None:
    """Print the connector's configuration JSON Schema (its documentation)."""
    from connectors.sdk.entry_points import load_connector
    from connectors.sdk.errors import ConnectorConfigError

    try:
        cls = load_connector(name)
    except ConnectorConfigError as exc:
        err.error(exc)
        raise Exit(2) from exc
    out.console.print_json(json.dumps(cls.config_schema()))


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


@connector_group.command("check")
@click.argument(
    "name",
    help="a connector instance of crossdock.yaml, or a connector name with --connector-config",
)
@click.option("--connector-config", type=PATH, help="the connector's own config (JSON or YAML)")
@config_option
@click.option("--config-file", type=PATH, hidden=True)
def check(
    name: str, connector_config: Path | None, config: Path | None, config_file: Path | None
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
        err.error(exc)
        raise Exit(2) from exc
    with instance:
        result = instance.check()
    if result.ok:
        out.print(f"[green]ok[/] {name}: {result.message}")
        return
    err.print(f"[red]failed[/] {name} ({result.failure}): {result.message}")
    raise Exit(1)


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
        err.error(exc)
        raise Exit(2) from exc


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
    from rich.markup import escape  # imported here: see the note on imports above

    return f"[red]{name} failed[/] ({decision.failure}, {decision.action}): {escape(str(exc))}"


def _fail(name: str, connector: "Source[Any] | Sink[Any]", exc: Exception) -> Exit:
    """Report a run that ended on ``exc``; exit code 1."""
    err.print(failure_line(name, type(connector), exc))
    return Exit(1)


@connector_group.command("read")
@click.argument("name", help="a source instance of crossdock.yaml")
@config_option
@data_dir_option
def read(name: str, config: Path | None, data_dir: Path | None) -> None:
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


@connector_group.command("push")
@click.argument("name", help="a sink instance of crossdock.yaml")
@config_option
@data_dir_option
@click.option(
    "--idle-timeout",
    type=float,
    default=5.0,
    help="stop after this many seconds without an event",
)
def push(name: str, config: Path | None, data_dir: Path | None, idle_timeout: float) -> None:
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


@connector_group.command("unlock")
@click.argument("name", help="a source instance of crossdock.yaml")
@click.option(
    "--force",
    is_flag=True,
    help="also a lease held from another host (check its reader is gone)",
)
@config_option
@data_dir_option
def unlock(name: str, force: bool, config: Path | None, data_dir: Path | None) -> None:
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
        err.error(exc)
        raise Exit(2) from exc
    done = release(connect(existing_database(settings), create=False), name, force=force)
    holder = f" (held by {done.holder.text})" if done.holder else ""
    if done.released or done.holder is None:
        out.print(f"{name}: {'released' if done.released else 'not locked'}: {done.why}{holder}")
        return
    err.print(f"[red]{name}: kept[/]: {done.why}{holder}", highlight=False)
    raise Exit(1)


@connector_group.command("new")
@click.argument("name", help="the new connector's name, e.g. acme-erp")
@click.option("--dir", "directory", type=PATH, default=Path(), help="where to create the package")
def new(name: str, directory: Path) -> None:
    """Scaffold a connector package whose tests already run (and pass) the conformance kit."""
    from connectors.sdk.errors import ConnectorConfigError
    from connectors.sdk.scaffold import scaffold_connector

    try:
        root = scaffold_connector(name, directory)
    except ConnectorConfigError as exc:
        err.error(exc)
        raise Exit(2) from exc
    out.print(f"created {root}", highlight=False, markup=False, soft_wrap=True)
    # one line, the folder quoted: the command is copied as printed
    following = f"cd {shlex.quote(str(root))} && pip install -e . && pytest"
    out.print(f"next: {following}", highlight=False, markup=False, soft_wrap=True)
