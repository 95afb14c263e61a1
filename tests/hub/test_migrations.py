"""The migrations own the schema (issue 20): upgrades keep every row, models and schema agree.

Each test runs on the embedded SQLite file and on a fresh PostgreSQL database of its own.
"""

from __future__ import annotations

import importlib
import multiprocessing
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import Engine, MetaData, Table, func, insert, inspect, select, text

import hub
from hub import migrations
from hub.cli.app import app
from hub.database import connect
from hub.declarative import Base
from hub.migrated import MigratedBase
from hub.migrations import HEAD, SchemaBehind, alembic_config, schema_state, upgrade
from hub.migrations.objects import include_name
from hub.storage import engine_for
from tests.services import fresh_postgres_database

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crossdock.db'}"
        return
    with fresh_postgres_database() as pg:
        yield pg


def _all_models() -> list[MetaData]:
    """The MetaData of every table the hub declares, every module of ``hub`` imported (a
    model added anywhere is compared, not only those the migrations' env names)."""
    for module in pkgutil.walk_packages(hub.__path__, "hub."):
        if not module.name.startswith("hub.migrations.") and module.name != "hub.cli.__main__":
            importlib.import_module(module.name)
    return [Base.metadata, MigratedBase.metadata]


def test_head_is_the_scripts_one_head() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [HEAD]  # one history, its head where the code says


def test_models_and_the_migrated_schema_do_not_drift(url: str) -> None:
    engine = connect(url)  # an empty database is migrated
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_name": include_name, "compare_type": True}
            )
            assert compare_metadata(context, _all_models()) == []
    finally:
        engine.dispose()


def _frozen_hub_tables(metadata: MetaData) -> list[Table]:
    """The hub's tables as ``create_all`` made them before r0005 (its frozen definitions)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    module = scripts.get_revision("r0005").module
    tables: list[Table] = module._tables(metadata)
    # the ops API made the tallies and hourly counts, not create_all
    return [t for t in tables if t.name not in ("dead_letter_tallies", "dead_letter_hourly")]


def _fill(engine: Engine, tables: dict[str, Table]) -> None:
    letters = [
        {
            "key": f"k{i}",
            "connector": "stock-count" if i < 3 else "pos",
            "source": "inbox/count.csv",
            "location": f"line {i + 2}",
            "stage": "map",
            "error_class": "MappingError",
            "failure_type": "permanent",
            "reason": f"unknown unit of measure 'BOX{i}'",
            "content_type": "text/csv",
            "payload": f"S001,SKU-{i},,3,BOX{i}\n".encode(),
            "context": {"line": i + 2},
            "attempts": 1,
            "first_failed_at": T0,
            "last_failed_at": T0,
            "status": "open" if i != 1 else "replayed",
            "history": [],
        }
        for i in range(5)
    ]
    task = {
        "group_key": "g1",
        "open_key": "g1",
        "rule_id": "count-variance",
        "rule_version": 1,
        "category": "inventory",
        "severity": "high",
        "priority": 2,
        "impact": 2,
        "urgency": 2,
        "value_at_risk": "120.00",
        "title": "Count variance at S001",
        "labels": {"store": "S001"},
        "state": "open",
        "occurrences": 1,
        "first_seen": T0,
        "last_seen": T0,
        "notify_after": T0,
        "changed_since_notice": False,
        "updates_sent": 0,
        "targets": ["store-ops"],
        "sla": {},
        "escalation_level": 0,
        "review": False,
    }
    with engine.begin() as conn:
        conn.execute(insert(tables["dead_letters"]), letters)
        task_id = conn.execute(insert(tables["routing_tasks"]).values(task)).inserted_primary_key
        conn.execute(
            insert(tables["routing_task_lines"]),
            [
                {
                    "task_id": task_id[0],
                    "dedup_key": "S001/SKU-1",
                    "event_id": "e1",
                    "occurrences": 1,
                    "first_seen": T0,
                    "last_seen": T0,
                    "fields": {"sku": "SKU-1"},
                    "value_at_risk": "120.00",
                }
            ],
        )
        conn.execute(
            insert(tables["checkpoints"]),
            [
                {
                    "source_key": f"file:inbox/{name}",
                    "offset": 4096,
                    "line": 120,
                    "done": name == "a.csv",
                    "published": 118,
                    "dead_lettered": 2,
                    "updated_at": T0,
                }
                for name in ("a.csv", "b.csv")
            ],
        )
        conn.execute(
            insert(tables["processed_events"]),
            [{"consumer": "routing", "event_id": "e1", "processed_at": T0}],
        )


def _rows(engine: Engine, tables: dict[str, Table]) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for name, t in tables.items()
        }


def test_a_database_of_the_first_migration_upgrades_with_nothing_lost(url: str) -> None:
    """At r0001 with the hub's tables made by create_all (no revision of theirs), full of
    letters, tasks and checkpoints: the upgrade adopts them, every row kept."""
    engine = engine_for(url)
    try:
        upgrade(engine, "r0001")
        tables = {t.name: t for t in _frozen_hub_tables(MetaData())}
        MetaData.create_all(next(iter(tables.values())).metadata, engine)
        _fill(engine, tables)
        before = _rows(engine, tables)

        assert schema_state(engine).current == "r0001"
        with pytest.raises(SchemaBehind, match=f"at r0001, this hub needs {HEAD}"):
            connect(url).dispose()  # behind: refused unless upgrading
        connect(url, upgrade=True).dispose()

        assert schema_state(engine).up_to_date
        assert _rows(engine, tables) == before
        with engine.connect() as conn:
            # the tallies count the letters that were there before their triggers
            tallied = conn.execute(
                text("SELECT status, sum(n) FROM dead_letter_tallies GROUP BY status")
            ).all()
            assert dict(tallied) == {"open": 4, "replayed": 1}
            hourly = conn.execute(
                text("SELECT hour, connector, n FROM dead_letter_hourly ORDER BY connector")
            ).all()
            assert [tuple(r) for r in hourly] == [
                ("2026-12-01 09", "pos", 2),
                ("2026-12-01 09", "stock-count", 3),
            ]
    finally:
        engine.dispose()

    # the ops console finds them, the reason search included (trigram index or scan)
    from hub.ops.filters import DeadLetterFilter
    from hub.ops.views import count_groups, list_letters

    engine = connect(url)
    try:
        page = list_letters(engine, DeadLetterFilter(text="BOX3"), limit=10)
        assert [letter["location"] for letter in page.letters] == ["line 5"]
        groups = count_groups(engine, DeadLetterFilter())
        assert sum(g.count for g in groups) == 4  # the open letters
    finally:
        engine.dispose()


def test_an_empty_sqlite_file_from_the_template_has_the_migrated_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def schema(url: str) -> set[tuple[str, str]]:
        engine = engine_for(url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT name, sql FROM sqlite_master")).all()
                version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return {(r[0], r[1] or "") for r in rows} | {("alembic_version", str(version))}
        finally:
            engine.dispose()

    connect(f"sqlite:///{tmp_path / 'first.db'}").dispose()
    assert migrations._template is not None  # kept after this process's first migration
    copied = f"sqlite:///{tmp_path / 'copied.db'}"
    connect(copied).dispose()
    monkeypatch.setattr(migrations, "_template", None)  # this one runs every revision
    migrated = f"sqlite:///{tmp_path / 'migrated.db'}"
    connect(migrated).dispose()
    assert schema(copied) == schema(migrated)


def _start_together(url: str, barrier: Any) -> None:
    barrier.wait(timeout=60)
    connect(url).dispose()


def test_two_processes_starting_on_one_empty_database_migrate_it_once(url: str) -> None:
    """Before the lock, the second hub's create_all crashed on 'table already exists'."""
    forked = multiprocessing.get_context("fork")
    barrier = forked.Barrier(2)
    starts = [forked.Process(target=_start_together, args=(url, barrier)) for _ in range(2)]
    for p in starts:
        p.start()
    for p in starts:
        p.join(timeout=120)
    assert [p.exitcode for p in starts] == [0, 0]
    engine = engine_for(url)
    try:
        assert schema_state(engine).up_to_date
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(text("alembic_version"))).scalar()
        assert "dead_letters" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_run_refuses_a_database_behind_the_code_and_names_the_command(tmp_path: Path) -> None:
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    data.mkdir()
    inbox.mkdir()
    engine = engine_for(f"sqlite:///{data / 'crossdock.db'}")
    upgrade(engine, "r0004")  # as a hub of the registry's migrations left it
    engine.dispose()
    runner = CliRunner()
    args = ["run", "--once", "--no-routing", "--data-dir", str(data), "--inbox", str(inbox)]

    refused = runner.invoke(app, args)
    assert refused.exit_code == 1, refused.output
    line = " ".join(refused.output.split())
    assert f"the database is at r0004, this hub needs {HEAD}" in line
    assert f"db upgrade --data-dir {data}`" in line
    assert "--upgrade" in line

    started = runner.invoke(app, [*args, "--upgrade"])
    assert started.exit_code == 0, started.output
    current = runner.invoke(app, ["db", "current", "--json", "--data-dir", str(data)])
    assert current.exit_code == 0
    assert '"current": "' + HEAD + '"' in current.output


def test_db_commands_upgrade_and_describe(tmp_path: Path) -> None:
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path)]
    assert runner.invoke(app, ["db", "current", *where]).exit_code == 2  # no database yet
    upgraded = runner.invoke(app, ["db", "upgrade", *where])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"none → {HEAD}" in upgraded.output
    again = runner.invoke(app, ["db", "upgrade", *where])
    assert "up to date" in again.output
    history = runner.invoke(app, ["db", "history", "--json", *where])
    import json

    rows = [json.loads(line) for line in history.output.splitlines()]
    assert rows[0]["revision"] == HEAD
    assert rows[-1] == {
        "revision": "r0001",
        "down": None,
        "applied": True,
        "about": rows[-1]["about"],
    }
    assert all(r["applied"] for r in rows)
