"""The hub runtime: pipeline, bus, retries, dead letters, configuration and CLI."""

from hub.config import FileConnectorConfig, Settings, load_settings
from hub.errors import (
    BrokerUnavailable,
    BusError,
    ConfigError,
    DeadLetterError,
    HubError,
    PublishNotConfirmed,
)
from hub.pipeline import FileOutcome, FilePipeline
from hub.retry import DEFAULT_TABLE, Action, Decision, FailureType, RetryPolicy, RetryTable
from hub.runtime import Hub

__all__ = [
    "DEFAULT_TABLE",
    "Action",
    "BrokerUnavailable",
    "BusError",
    "ConfigError",
    "DeadLetterError",
    "Decision",
    "FailureType",
    "FileConnectorConfig",
    "FileOutcome",
    "FilePipeline",
    "Hub",
    "HubError",
    "PublishNotConfirmed",
    "RetryPolicy",
    "RetryTable",
    "Settings",
    "load_settings",
]
