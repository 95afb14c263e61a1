"""A tiny in-memory source for the SDK's own tests: pages of stock counts, no transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from canonical import Envelope, InventoryAdjustedV1, make_event_id, wrap_event
from connectors.sdk import (
    AuthenticationFailed,
    Checkpoint,
    ConnectorConfig,
    RawRecord,
    ReadItem,
    RecordError,
    RequestRejected,
    Source,
    State,
    Stream,
    TransientConnectorError,
)
from connectors.sdk.translate import translate
from mappings import CompiledMapping, SpecRegistry


class MemoryConfig(ConnectorConfig):
    """Which scenario the fake peer plays."""

    token: SecretStr = Field(description="the peer's token")
    pages: int = Field(3, ge=1)
    #: good, bad_credentials, malformed, transient, permanent
    scenario: str = "good"


def items(page: int) -> list[dict[str, Any]]:
    """Two counts per page."""
    return [
        {"id": page * 10 + n, "store": "S001", "sku": f"SKU-{page}-{n}", "qty": n + 1}
        for n in range(2)
    ]


class MemorySource(Source[MemoryConfig]):
    """Pages of counts; ``failures`` counts down the transient failures left to play."""

    name = "memory"
    config_model = MemoryConfig
    #: the page each scenario fails on; class-level so a rebuilt source fails once only
    failed_once: ClassVar[set[str]] = set()

    def probe(self) -> str:
        if self.config.scenario == "bad_credentials":
            raise AuthenticationFailed("token refused")
        return "memory: ok"

    def discover(self) -> list[Stream]:
        return [Stream("counts", "retail.inventory.adjusted", 1)]

    def read(self, state: State) -> Iterator[ReadItem]:
        start = int((state.position("counts") or {}).get("page", 0))
        for page in range(start, self.config.pages):
            if self.config.scenario == "permanent":
                raise RequestRejected("page refused for good")
            key = f"{id(self.config)}:{page}"
            if self.config.scenario == "transient" and page == 1 and key not in self.failed_once:
                self.failed_once.add(key)
                raise TransientConnectorError("peer reset the connection")
            for n, item in enumerate(items(page), 1):
                raw = json.dumps(item).encode()
                if self.config.scenario == "malformed" and page == 1 and n == 2:
                    yield RecordError(f"memory://counts/page-{page}#{n}", "broken", raw=raw)
                    continue
                yield RawRecord(raw, f"memory://counts/page-{page}", n, item, "application/json")
            yield Checkpoint("counts", {"page": page + 1})

    def to_events(self, record: RawRecord) -> list[Envelope[Any]]:
        f = record.fields
        data = InventoryAdjustedV1.model_validate(
            {
                "location_id": f["store"],
                "sku": f["sku"],
                "counted_quantity": {"value": str(f["qty"]), "unit": "C62"},
                "reason": "cycle_count",
                "occurred_at": "2026-11-23T08:00:00Z",
            }
        )
        return [
            wrap_event(
                data,
                id=make_event_id("memory", str(f["id"])),
                source="crossdock://memory",
                time=datetime.now(UTC),
            )
        ]


class SpecSource(MemorySource):
    """The same pages as CSV-like stock-count rows, mapped by the spec ``csv.stock-count``
    through the translate step (as the built-in REST and SFTP sources map theirs)."""

    name = "memory-spec"

    def read(self, state: State) -> Iterator[ReadItem]:
        for item in super().read(state):
            if isinstance(item, RawRecord):
                f = item.fields
                counted = "twelve" if f["id"] == 11 else str(f["qty"])  # page 1, item 2: bad
                item.fields = {
                    "store_id": f["store"],
                    "sku": f["sku"],
                    "counted_qty": counted,
                    "counted_at": "2026-11-23T08:00:00Z",
                }
                item.context = {"names": list(item.fields)}
            yield item

    def mappings(self, record: RawRecord) -> list[CompiledMapping]:
        return [SpecRegistry.from_directory().get("csv.stock-count")]

    def origin(self, record: RawRecord) -> tuple[str, ...]:
        return ("memory", record.fields["sku"])

    def to_events(self, record: RawRecord) -> list[Envelope[Any]]:
        found = translate(record, self.mappings(record), origin=self.origin(record))
        return found.envelopes(source="crossdock://memory", time=datetime.now(UTC))
