"""``crossdock connector new NAME``: a connector package whose tests pass from the first run.

The package holds a working REST polling source (cursor pages, bearer token, a checkpoint per
page, mapping to ``retail.inventory.adjusted`` in code), its pyproject registering it under
the ``crossdock.connectors`` entry point, recorded answers for every conformance scenario, and
a test module running the SDK's conformance kit on them, offline. The author then replaces
the endpoint, the mapping and the recordings with their peer's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template
from typing import Any

from connectors.sdk.errors import ConnectorConfigError

__all__ = ["scaffold_connector"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "crossdock-connector-$name"
version = "0.1.0"
description = "A Crossdock connector for $name."
requires-python = ">=3.11"
dependencies = ["crossdock"]

[project.entry-points."crossdock.connectors"]
$name = "$module.connector:$cls"

[tool.setuptools.packages.find]
include = ["$module*"]

[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "UP", "B", "SIM", "RUF"]

[tool.mypy]
strict = true
packages = ["$module", "tests"]
# Crossdock's config models are pydantic models, as this connector's are
plugins = ["pydantic.mypy"]

[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]
addopts = "-ra --strict-markers"
"""

_README = """\
# crossdock-connector-$name

A Crossdock connector scaffolded by `crossdock connector new $name`.

- `$module/connector.py`: the source (config model, check, discover, read, to_events).
- `tests/test_conformance.py`: the SDK's conformance kit on recorded answers
  (`tests/recordings/`), offline: `pytest`.
- Install with `pip install -e .`; `crossdock connector list` then shows `$name`.
- `mypy` type-checks it strictly (`[tool.mypy]` in pyproject.toml); Crossdock's packages are
  typed (`py.typed`), so its SDK's types reach yours.

Replace the endpoint, the mapping in `to_events` and the recordings with your peer's
(`connectors.sdk.testing.RecordingTransport` records real answers once).
"""

_INIT = '''\
"""The $name connector for Crossdock."""

from $module.connector import $cls, ${cls}Config

__all__ = ["$cls", "${cls}Config"]
'''

_CONNECTOR = '''\
"""The $name source: stock counts read page by page from a REST API.

``GET {base_url}/counts?limit=N&cursor=C`` answers ``{"items": [...], "next_cursor": C}``;
``since_id=I`` asks only for items with a greater id (what a later run resumes with). Each item
becomes one ``retail.inventory.adjusted`` event. Replace with your peer's API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
from canonical import Envelope, InventoryAdjustedV1, make_event_id, wrap_event
from connectors.rest import (
    BearerAuthConfig,
    HttpConfig,
    PaginationConfig,
    RestClient,
    RestStreamConfig,
    read_pages,
)
from connectors.sdk import (
    ConnectorConfig,
    RawRecord,
    ReadItem,
    RecordError,
    Source,
    State,
    Stream,
)
from pydantic import Field, HttpUrl, SecretStr

__all__ = ["$cls", "${cls}Config"]

#: bump when to_events changes its output: event ids include it
MAPPING_REF = "$name.code@1"


class ${cls}Config(ConnectorConfig):
    """Where the API is and how to authenticate."""

    base_url: HttpUrl = Field(description="the API's base URL")
    token: SecretStr = Field(description="API token, sent as a bearer token")
    page_size: int = Field(100, ge=1, le=1000)


class $cls(Source[${cls}Config]):
    """Stock counts from the $name API."""

    name = "$name"
    config_model = ${cls}Config

    def __init__(
        self,
        config: ${cls}Config,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(config)
        http = HttpConfig(base_url=config.base_url, auth=BearerAuthConfig(token=config.token))
        self.client = RestClient(http, policy=self.policy(), transport=transport, sleep=sleep)
        self.stream = RestStreamConfig(
            name="counts",
            path="/counts",
            records_path="items",
            pagination=PaginationConfig(style="cursor", page_size=config.page_size),
            # incremental: after the last page, the next run asks only for newer ids
            cursor_field="id",
            since_param="since_id",
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def probe(self) -> str:
        """One authenticated call."""
        self.client.send("GET", "/me")
        return f"{self.config.base_url}: reachable"

    def discover(self) -> list[Stream]:
        """One stream of stock counts."""
        return [Stream("counts", "retail.inventory.adjusted", 1, "GET /counts")]

    def read(self, state: State) -> Iterator[ReadItem]:
        """Counts from the stored cursor, a checkpoint after each page."""
        position = state.position("counts")
        yield from read_pages(self.client, self.stream, dict(position) if position else None)

    def to_events(self, record: RawRecord) -> list[Envelope[Any]]:
        """One count → one inventory.adjusted event (a missing field dead-letters the record)."""
        item = record.fields
        try:
            data = InventoryAdjustedV1.model_validate(
                {
                    "location_id": item["store"],
                    "sku": item["sku"],
                    "counted_quantity": {"value": str(item["counted"]), "unit": "C62"},
                    "reason": "cycle_count",
                    "occurred_at": item["counted_at"],
                }
            )
        except KeyError as exc:
            raise RecordError(record.location, "field missing", field=str(exc.args[0])) from exc
        return [
            wrap_event(
                data,
                id=make_event_id("$name", str(item["id"]), MAPPING_REF),
                source="crossdock://connectors/$name",
                subject=str(item["id"]),
                time=datetime.now(UTC),
            )
        ]
'''

_TEST = '''\
"""The $name connector passes the Crossdock conformance kit, offline, on recorded answers."""

from __future__ import annotations

from pathlib import Path

from connectors.sdk.testing import ReplayTransport, Scenario, SourceConformance

from $module import $cls, ${cls}Config

RECORDINGS = Path(__file__).parent / "recordings"
CONFIG = {"base_url": "https://api.example.test", "token": "test-token", "page_size": 2}


class Test${cls}Conformance(SourceConformance):
    connector = $cls
    malformed_location = "/counts"

    def make_source(self, scenario: Scenario) -> $cls:
        return $cls(
            ${cls}Config.model_validate(CONFIG),
            transport=ReplayTransport.from_file(RECORDINGS / f"{scenario.value}.json"),
            sleep=lambda _seconds: None,
        )
'''


def _recordings() -> dict[str, list[dict[str, Any]]]:
    base = "https://api.example.test"
    items = [
        {
            "id": n,
            "store": "S001",
            "sku": f"SKU-{n}",
            "counted": n * 2,
            "counted_at": "2026-11-23T08:00:00Z",
        }
        for n in range(1, 6)
    ]

    def page(cursor: str | None, chunk: list[dict[str, Any]], nxt: str | None) -> dict[str, Any]:
        url = f"{base}/counts?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = {"items": chunk, "next_cursor": nxt}
        return {"request": {"method": "GET", "url": url}, "response": {"json": body}}

    me = {"request": {"method": "GET", "url": f"{base}/me"}, "response": {"json": {"ok": True}}}
    good = [
        me,
        page(None, items[0:2], "c2"),
        page("c2", items[2:4], "c4"),
        page("c4", items[4:], None),
    ]
    broken = [dict(i) for i in items]
    del broken[3]["store"]
    malformed = [me, page(None, broken[0:2], "c2"), page("c2", broken[2:4], "c4")]
    malformed.append(page("c4", broken[4:], None))
    busy = {
        "request": {"method": "GET", "url": f"{base}/counts?limit=2&cursor=c2"},
        "response": {"status": 503, "headers": {"Retry-After": "1"}, "text": "busy"},
    }
    refused = {
        "request": {"method": "GET", "url": f"{base}/me"},
        "response": {"status": 401, "json": {"error": "bad token"}},
    }
    gone = {
        "request": {"method": "GET", "url": f"{base}/counts?limit=2"},
        "response": {"status": 404, "json": {"error": "no such endpoint"}},
    }
    newer = {
        "request": {"method": "GET", "url": f"{base}/counts?limit=2&since_id=5"},
        "response": {"json": {"items": [], "next_cursor": None}},
    }
    good.append(newer)
    malformed.append(newer)
    return {
        "good": good,
        "malformed": malformed,
        "transient": [good[0], good[1], busy, good[2], good[3], newer],
        "bad_credentials": [refused],
        "permanent": [me, gone],
    }


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", name)) + "Source"


def scaffold_connector(name: str, parent: Path) -> Path:
    """Write the package ``crossdock-connector-NAME`` under ``parent``; return its folder."""
    if not _NAME.match(name):
        raise ConnectorConfigError(
            name, ["a connector name is lower-case letters and digits, words joined by - or _"]
        )
    root = parent / f"crossdock-connector-{name}"
    if root.exists():
        raise ConnectorConfigError(name, [f"{root} exists already; not overwriting it"])
    module = "crossdock_" + name.replace("-", "_")
    values = {"name": name, "module": module, "cls": _class_name(name)}
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"{module}/__init__.py": _INIT,
        f"{module}/connector.py": _CONNECTOR,
        f"{module}/py.typed": "",
        "tests/__init__.py": "",
        "tests/test_conformance.py": _TEST,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(text).substitute(values), encoding="utf-8")
    for scenario, interactions in _recordings().items():
        path = root / "tests" / "recordings" / f"{scenario}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"interactions": interactions}, indent=1) + "\n")
    return root
