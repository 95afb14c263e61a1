"""A schema's key order, as Confluent keeps it: "Register schema under a subject", "Check if a
schema has already been registered under subject", "Get schema by version" and "Get schema
string by ID" with and without ``normalize``.

Confluent stores and serves a JSON schema as the compact JSON of what was sent, keys in the
client's order (``JsonSchema.canonicalString``), and that text is its identity: the same
schema with its keys in another order is another schema unless ``normalize=true`` sorts them
(``JsonSchema.normalize``). Karapace sorts always; Confluent wins. Rows stored before
Crossdock kept key order hold sorted text, and the same schema in any order still finds them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.database import connect
from hub.registry.seeding import seed_schemas
from hub.registry.service import open_registry
from hub.registry.settings import RegistrySettings
from hub.registry.tables import SchemaRow
from tests.registry.conftest import ADMIN, error_of, register

SENT = """{
  "type": "object",
  "title": "Caf\u00e9 \u2713",
  "properties": {"z": {"type": "string"}, "a": {"type": "integer"}},
  "additionalProperties": false
}"""
VALUE = json.loads(SENT)
COMPACT = json.dumps(VALUE, separators=(",", ":"), ensure_ascii=False)
SORTED = json.dumps(VALUE, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
REORDERED = json.dumps(
    {
        "additionalProperties": False,
        "properties": {"a": {"type": "integer"}, "z": {"type": "string"}},
        "title": VALUE["title"],
        "type": "object",
    },
    indent=1,
)
"""The same schema, keys in another order (sorted, as it happens)."""


def _register(client: TestClient, subject: str, text: str, *, normalize: bool) -> int:
    r = client.post(
        f"/subjects/{subject}/versions?normalize={str(normalize).lower()}",
        json={"schema": text},
        headers=ADMIN,
    )
    assert r.status_code == 200, r.text
    schema_id: int = r.json()["id"]
    return schema_id


def _lookup(client: TestClient, subject: str, text: str, *, normalize: bool) -> object:
    return client.post(
        f"/subjects/{subject}?normalize={str(normalize).lower()}", json={"schema": text}
    )


def test_the_text_served_is_the_compact_schema_in_the_order_sent(client: TestClient) -> None:
    assert COMPACT != SORTED  # the example must tell the two apart
    schema_id = register(client, "s", SENT)
    assert client.get("/subjects/s/versions/1").json()["schema"] == COMPACT
    assert client.get(f"/schemas/ids/{schema_id}").json()["schema"] == COMPACT
    assert client.get(f"/schemas/ids/{schema_id}/schema").text == COMPACT
    assert client.get("/subjects/s/versions/1/schema").text == COMPACT
    # Non-ASCII is kept as UTF-8, not escaped (Jackson's default writer)
    assert "Caf\u00e9 \u2713" in COMPACT


def test_another_key_order_is_another_schema_unless_normalized(client: TestClient) -> None:
    first = _register(client, "s", SENT, normalize=False)
    assert _register(client, "s", COMPACT, normalize=False) == first  # whitespace is not
    other = _register(client, "s", REORDERED, normalize=False)
    assert other != first
    assert client.get("/subjects/s/versions").json() == [1, 2]
    assert client.get("/subjects/s/versions/2").json()["schema"] == SORTED
    # normalize sorts the keys: the sorted form is version 2's text, whatever order was sent
    assert _register(client, "t", SENT, normalize=True) == other
    assert _register(client, "s", SENT, normalize=True) == other
    assert client.get("/subjects/s/versions").json() == [1, 2]


def test_normalize_stores_and_serves_the_sorted_text(client: TestClient) -> None:
    schema_id = _register(client, "s", SENT, normalize=True)
    assert client.get(f"/schemas/ids/{schema_id}").json()["schema"] == SORTED
    assert _register(client, "s", REORDERED, normalize=True) == schema_id
    # sent as is, the order sent is another schema
    assert _register(client, "s", SENT, normalize=False) != schema_id
    assert client.get("/subjects/s/versions").json() == [1, 2]


def test_lookup_follows_the_same_rule(client: TestClient) -> None:
    schema_id = register(client, "s", SENT)
    found = _lookup(client, "s", COMPACT, normalize=False)
    assert found.json()["id"] == schema_id  # type: ignore[attr-defined]
    assert found.json()["schema"] == COMPACT  # type: ignore[attr-defined]
    error_of(_lookup(client, "s", REORDERED, normalize=False), 404, 40403)
    # normalized, the schema sent is the sorted text, which version 1 is not
    error_of(_lookup(client, "s", SENT, normalize=True), 404, 40403)
    sorted_id = _register(client, "s", REORDERED, normalize=False)
    assert _lookup(client, "s", SENT, normalize=True).json() == {  # type: ignore[attr-defined]
        "subject": "s",
        "version": 2,
        "id": sorted_id,
        "schemaType": "JSON",
        "schema": SORTED,
    }


def _as_stored_before(app: FastAPI, schema_id: int) -> None:
    """Make a row what a registry before this change stored: sorted text, its bare SHA-256."""
    with Session(app.state.registry.engine) as s, s.begin():
        s.execute(
            update(SchemaRow)
            .where(SchemaRow.id == schema_id)
            .values(schema_text=SORTED, fingerprint=hashlib.sha256(SORTED.encode()).hexdigest())
        )


def test_a_row_stored_with_sorted_keys_before_is_found_in_any_order(
    registry_app: FastAPI, client: TestClient
) -> None:
    schema_id = register(client, "s", SENT)
    _as_stored_before(registry_app, schema_id)
    for text in (SENT, REORDERED):
        for normalize in (False, True):
            assert _register(client, "s", text, normalize=normalize) == schema_id
            found = _lookup(client, "s", text, normalize=normalize).json()  # type: ignore[attr-defined]
            assert (found["version"], found["id"]) == (1, schema_id)
    assert _register(client, "t", SENT, normalize=False) == schema_id
    assert client.get("/subjects/s/versions").json() == [1]
    assert client.get(f"/schemas/ids/{schema_id}").json()["schema"] == SORTED


def test_seeding_an_upgraded_database_adds_no_version(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    registry = open_registry(
        connect(settings.resolved_database_url, create=False), RegistrySettings()
    )
    with Session(registry.engine) as s, s.begin():
        rows = list(s.scalars(select(SchemaRow)))
        assert rows
        for row in rows:
            # the seeded files have sorted keys, so this is how an older hub stored them
            assert row.schema_text == json.dumps(
                json.loads(row.schema_text),
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
            )
            row.fingerprint = hashlib.sha256(row.schema_text.encode()).hexdigest()
    assert seed_schemas(registry.store) == []
