"""The base class of every canonical event payload (the CloudEvents ``data``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    """Payload of one canonical event type at one version.

    Subclasses set ``event_type`` (``"retail.order.created"``) and ``event_version`` (``1``);
    both are class attributes, never serialized: on the wire they live in the envelope's
    ``type`` and ``dataversion``. Payloads are immutable and reject unknown fields, so a
    mapping that emits a misspelt field fails loudly instead of losing the value.
    """

    # Attribute docstrings become field descriptions in the exported JSON Schema.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int]
