"""Connector configuration: one pydantic model per connector; its JSON Schema is the documentation.

Secrets are :class:`pydantic.SecretStr` fields: shown as ``**********`` in logs, reprs and
errors, and marked ``"writeOnly": true, "x-secret": true`` in the schema so a UI or a
generator knows to hide them. Every problem of a configuration is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.sdk.errors import ConnectorConfigError

__all__ = ["ConnectorConfig", "config_problems", "load_config", "secret_field_names"]

ConfigT = TypeVar("ConfigT", bound="ConnectorConfig")


def _mark_secrets(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("format") == "password":
            prop["writeOnly"] = True
            prop["x-secret"] = True


class ConnectorConfig(BaseModel):
    """Base of every connector's configuration: strict (unknown keys are errors) and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_mark_secrets)


def config_problems(exc: ValidationError) -> list[str]:
    """One line per problem: ``field.path: message`` (the input value is never echoed)."""
    return [f"{'.'.join(str(p) for p in e['loc']) or '(config)'}: {e['msg']}" for e in exc.errors()]


def load_config(model: type[ConfigT], raw: Mapping[str, Any], *, connector: str) -> ConfigT:
    """Validate ``raw`` against ``model``; raise :class:`ConnectorConfigError` with all problems."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConnectorConfigError(connector, config_problems(exc)) from None


def secret_field_names(model: type[BaseModel]) -> list[str]:
    """The top-level fields the schema marks secret."""
    props = model.model_json_schema().get("properties", {})
    return sorted(name for name, prop in props.items() if prop.get("x-secret"))
