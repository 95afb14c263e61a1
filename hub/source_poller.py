"""Polling the configured SDK sources: each read from its stored state, on its own schedule.

``crossdock connector read NAME`` reads one source once; a running hub (``crossdock run``)
reads every pollable source instance of ``crossdock.yaml`` every ``poll_every`` seconds, so an
SFTP drop or a SOAP ERP's receipts flow in without a cron job beside the hub. Webhook sources
(Shopify, a REST partner that pushes) are read only when their instance sets ``poll_every``,
and no source whose instance sets ``poll_every: 0`` is. Stopping the hub ends a read in
progress at its next checkpoint.

A failed read is reported with the decision table's verdict and tried again at the next poll;
what it confirmed before failing is kept, since the source's state is saved per checkpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from connectors.sdk.connector import Source
from connectors.sdk.entry_points import load_connector
from connectors.sdk.runner import RunOutcome, run_source
from connectors.sdk.webhook import WebhookSource
from hub.config import ConnectorSettings, Settings
from hub.connector_bus import HubEventBus, RoutesPublished
from hub.connector_state import ConnectorStateStore
from hub.errors import ConfigError
from hub.read_lease import ReadLease
from hub.retry import DEFAULT_TABLE

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_POLL_EVERY", "PolledSource", "SourcePoller", "read_source"]


def read_source(
    name: str,
    source: Source[Any],
    engine: Engine,
    bus: HubEventBus,
    stop: Callable[[], bool] | None = None,
) -> RunOutcome:
    """Read ``source`` (instance ``name``) from its stored state to the end, saving each state.

    The instance's read lease is held throughout: :class:`~hub.errors.SourceBusy` when another
    process is reading it (a cron ``connector read`` beside a polling hub). With ``stop``, the
    read ends at the first checkpoint after it says so (see :func:`run_source`).
    """
    states = ConnectorStateStore(engine)
    with source, ReadLease(engine, name):  # the source is closed even when the lease is refused
        return run_source(
            source,
            bus,
            states.load(name),
            table=DEFAULT_TABLE,
            on_checkpoint=lambda state: states.save(name, state),
            name=name,
            stop=stop,
        )


@dataclass
class PolledSource:
    """One configured source instance and when it is next due."""

    name: str
    connector: type[Source[Any]]
    config: dict[str, Any]
    every: float
    due: float = 0.0

    def build(self) -> Source[Any]:
        """A fresh source for one read: a source closes its transport when a read ends."""
        return self.connector.from_config(self.config)


#: called after each read with the instance name and its outcome, or the error it ended on
Report = Callable[[PolledSource, RunOutcome | Exception], None]


class SourcePoller:
    """Reads every pollable source instance when it is due; one thread, one bus connection."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        report: Report,
        *,
        routing: RoutesPublished | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.report = report
        #: routes what the reads publish, in this process (``crossdock run`` routing)
        self.routing = routing
        self.sources = [
            polled for i in settings.sdk_connectors if (polled := _pollable(i)) is not None
        ]

    def poll_due(self, stop: threading.Event | None = None) -> int:
        """Read each source that is due; the number read.

        Once ``stop`` is set, a read in progress ends at its next checkpoint (its state saved,
        so the next run resumes there) and no further source is read.
        """
        now = time.monotonic()
        due = [s for s in self.sources if s.due <= now]
        if not due:
            return 0
        bus = HubEventBus.for_settings(self.settings, self.engine, routing=self.routing)
        read = 0
        try:
            for polled in due:
                if stop is not None and stop.is_set():
                    break
                read += 1
                try:
                    outcome: RunOutcome | Exception = read_source(
                        polled.name,
                        polled.build(),
                        self.engine,
                        bus,
                        stop=None if stop is None else stop.is_set,
                    )
                except Exception as exc:  # reported with its verdict; tried again when due
                    outcome = exc
                polled.due = time.monotonic() + polled.every
                self.report(polled, outcome)
        finally:
            bus.close()
        return read

    def run(self, stop: threading.Event, tick: float = 1.0) -> None:
        """Poll until ``stop`` is set, waking every ``tick`` seconds to see what is due.

        Nothing ends the loop but ``stop``: a failure outside a read (the bus, the report)
        is logged and polling goes on, rather than the thread dying quietly beside the hub.
        """
        while not stop.is_set():
            try:
                self.poll_due(stop)
            except Exception:
                log.exception("polling the sources failed; trying again in %.0f s", tick)
            stop.wait(tick)


#: seconds between reads of a pull source whose instance sets no ``poll_every``
DEFAULT_POLL_EVERY = 60.0


def _pollable(instance: ConnectorSettings) -> PolledSource | None:
    """The built source of ``instance`` when a running hub polls it; None otherwise."""
    try:
        cls = load_connector(instance.transport)
        if not issubclass(cls, Source):
            return None
        every = instance.poll_every
        if every is None:
            # a webhook source's peer pushes: reading it too is opt-in
            every = 0.0 if issubclass(cls, WebhookSource) else DEFAULT_POLL_EVERY
        if not every:
            return None
        # built once and closed, so a broken configuration stops the hub at start; a
        # connector's constructor may fail with any error (a mapping file it cannot load)
        with cls.from_config(instance.config):
            pass
    except Exception as exc:
        raise ConfigError(f"connector instance {instance.name!r}: {exc}") from exc
    return PolledSource(instance.name, cls, instance.config, every)
