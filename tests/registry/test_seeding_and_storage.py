"""Migrations and seeding: idempotent restarts, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from canonical import event_types, versions
from hub.api import create_app
from hub.config import Settings
from hub.database import connect
from hub.registry.document import parse_schema
from hub.registry.seeding import seed_schemas
from hub.registry.service import open_registry
from hub.registry.settings import RegistrySettings
from hub.registry.tables import AuditRow, RegistryBase, SchemaRow, SubjectVersionRow
from tests.registry.conftest import ADMIN, ADMIN_TOKEN, json_schema
from tests.services import fresh_postgres_database

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(SchemaRow)) or 0,
            s.scalar(select(func.count()).select_from(SubjectVersionRow)) or 0,
            s.scalar(select(func.count()).select_from(AuditRow)) or 0,
        )


def test_seeding_registers_every_canonical_version_as_its_subject_version(
    client: TestClient,
) -> None:
    assert client.get("/subjects").json() == event_types()
    for event_type in event_types():
        assert client.get(f"/subjects/{event_type}/versions").json() == versions(event_type)
        for v in versions(event_type):
            served = client.get(f"/subjects/{event_type}/versions/{v}/schema").json()
            on_disk = json.loads((SCHEMAS / event_type / f"v{v}.schema.json").read_text())
            assert served == on_disk


def test_a_restart_registers_nothing_twice(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = open_registry(connect(settings.resolved_database_url, create=False), RegistrySettings())
    before = _counts(first.engine)
    assert before[0] == sum(len(versions(t)) for t in event_types())
    for _ in range(2):
        again = open_registry(
            connect(settings.resolved_database_url, create=False), RegistrySettings()
        )
        assert _counts(again.engine) == before
    assert seed_schemas(again.store, SCHEMAS) == []


def test_seeding_respects_a_soft_deleted_version(tmp_path: Path) -> None:
    app = create_app(
        Settings(data_dir=tmp_path), registry_settings=RegistrySettings(admin_token=ADMIN_TOKEN)
    )
    with TestClient(app) as c:
        assert (
            c.delete("/subjects/retail.order.created/versions/1", headers=ADMIN).status_code == 200
        )
    again = create_app(Settings(data_dir=tmp_path), registry_settings=RegistrySettings())
    with TestClient(again) as c:
        assert c.get("/subjects/retail.order.created/versions").json() == [2, 3]


def test_seeding_without_the_schema_folder_renders_the_models(tmp_path: Path) -> None:
    service = open_registry(
        connect(f"sqlite:///{tmp_path / 'r.db'}", create=False),
        RegistrySettings(schemas_dir=tmp_path / "absent"),
    )
    on_disk = parse_schema((SCHEMAS / "retail.order.created" / "v2.schema.json").read_text())
    found = service.store.lookup("retail.order.created", on_disk)
    assert found.version == 2


def test_opening_the_registry_migrates_an_empty_database(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'm.db'}", create=False)
    assert inspect(engine).get_table_names() == []  # create=False: left empty
    open_registry(engine, RegistrySettings(seed=False))
    tables = set(inspect(engine).get_table_names())
    # one migration history makes the registry's tables and the other hub tables
    assert set(RegistryBase.metadata.tables) | {"alembic_version", "dead_letters"} <= tables


def test_the_registry_shares_a_database_with_the_other_hub_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    connect(url)  # migrated first, as `crossdock run` does
    service = open_registry(connect(url, create=False), RegistrySettings())
    assert "dead_letters" in inspect(service.engine).get_table_names()
    assert service.store.versions("retail.order.created") == [1, 2, 3]


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL database of its own (other runs may share the server)."""
    with fresh_postgres_database() as url:
        engine = connect(url, create=False)
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_registry_on_postgresql(postgres_engine: Engine) -> None:
    app = create_app(
        Settings(),
        registry_settings=RegistrySettings(admin_token=ADMIN_TOKEN),
        engine=postgres_engine,
    )
    with TestClient(app) as c:
        assert c.get("/subjects").json() == event_types()
        schema = {"schema": json_schema({"a": {"type": "string"}})}
        first = c.post("/subjects/pg-s/versions", json=schema, headers=ADMIN).json()["id"]
        assert c.post("/subjects/pg-t/versions", json=schema, headers=ADMIN).json()["id"] == first
        narrowed = {"schema": json_schema({"a": {"type": "integer"}})}
        assert c.post("/subjects/pg-s/versions", json=narrowed, headers=ADMIN).status_code == 409
        assert c.delete("/subjects/pg-s", headers=ADMIN).json() == [1]
        assert c.delete("/subjects/pg-s?permanent=true", headers=ADMIN).json() == [1]
        assert c.get("/subjects?deleted=true").json() == sorted([*event_types(), "pg-t"])
    before = _counts(postgres_engine)
    open_registry(postgres_engine, RegistrySettings())
    assert _counts(postgres_engine) == before
