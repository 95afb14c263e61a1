"""The hub runtime: the inbox's file source, bus, retries, dead letters, configuration and CLI.

The names below load on first use (PEP 562): a worker process that imports one submodule,
``hub.chunks`` say, then pays for that submodule only, not for the registry, the API and the
database layer (1.4 s of imports per translating worker before).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from hub.config import ConnectorSettings, FileConnectorConfig, Settings, load_settings
    from hub.errors import (
        BrokerUnavailable,
        BusError,
        ConfigError,
        DeadLetterError,
        HubError,
        PublishNotConfirmed,
    )
    from hub.file_source import FileOutcome, FileSource
    from hub.retry import DEFAULT_TABLE, Action, Decision, FailureType, RetryPolicy, RetryTable
    from hub.runtime import Hub

_HOMES = {
    "DEFAULT_TABLE": "hub.retry",
    "Action": "hub.retry",
    "BrokerUnavailable": "hub.errors",
    "BusError": "hub.errors",
    "ConfigError": "hub.errors",
    "ConnectorSettings": "hub.config",
    "DeadLetterError": "hub.errors",
    "Decision": "hub.retry",
    "FailureType": "hub.retry",
    "FileConnectorConfig": "hub.config",
    "FileOutcome": "hub.file_source",
    "FileSource": "hub.file_source",
    "Hub": "hub.runtime",
    "HubError": "hub.errors",
    "PublishNotConfirmed": "hub.errors",
    "RetryPolicy": "hub.retry",
    "RetryTable": "hub.retry",
    "Settings": "hub.config",
    "load_settings": "hub.config",
}

__all__ = [
    "DEFAULT_TABLE",
    "Action",
    "BrokerUnavailable",
    "BusError",
    "ConfigError",
    "ConnectorSettings",
    "DeadLetterError",
    "Decision",
    "FailureType",
    "FileConnectorConfig",
    "FileOutcome",
    "FileSource",
    "Hub",
    "HubError",
    "PublishNotConfirmed",
    "RetryPolicy",
    "RetryTable",
    "Settings",
    "load_settings",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
