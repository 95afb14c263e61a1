"""Retention of the unrouted queue on the embedded bus (issue 19): ``crossdock run`` binds no
queue for its own events, so without a subscriber every message it publishes is kept in
``<exchange>.unrouted``; kept messages older than ``unrouted.max_age`` (or past
``max_messages`` / ``max_bytes``) are dropped, counted and logged, and nothing else is touched.

Age is made by moving the ``published`` time of kept rows back in the real bus file: the
retention reads the wall clock, and a test cannot wait a week.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

from hub.batch import BATCH_CONTENT_TYPE
from hub.bus.publisher import ConfirmedPublisher
from hub.bus.sqlite_retention import Dropped
from hub.bus.sqlite_store import LEGACY_KEPT_SINCE, SCHEMA_VERSION
from hub.bus.sqlite_transport import Channel
from hub.bus.topology import event_queue, events_exchange, unrouted_queue
from hub.config import Settings, load_settings
from hub.errors import ConfigError

DAY = 86400.0
CROSSDOCK = Path(sys.executable).parent / "crossdock"


def _batch(*ids: str) -> bytes:
    return json.dumps(
        [{"specversion": "1.0", "id": i, "type": "t", "data": {}} for i in ids]
    ).encode()


def _publish(url: str, exchange: Exchange, key: str, body: bytes) -> None:
    with Connection(url) as conn:
        channel = conn.channel()
        exchange(channel).declare()
        Producer(channel, exchange=exchange).publish(
            body, routing_key=key, content_type=BATCH_CONTENT_TYPE, content_encoding="binary"
        )


def _age(path: Path, days: float, where: str = "published IS NOT NULL") -> None:
    """Move the publish time of kept rows ``days`` back (as if they were that old)."""
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE bus_message SET published = published - ? WHERE {where}", (days * DAY,))


def _rows(path: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT queue, body FROM bus_message ORDER BY id").fetchall()


def _open(url: str) -> list[Dropped]:
    """What opening a channel with the options in ``url`` dropped."""
    with Connection(url) as conn:
        channel = conn.channel()
        assert isinstance(channel, Channel)
        return list(channel.unrouted_dropped)


def _settings(folder: Path, text: str = "", **overrides: object) -> Settings:
    """The hub's settings from ``text`` as crossdock.yaml (the environment on top)."""
    config = folder / "crossdock.yaml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config, **overrides)


@pytest.fixture
def bus(tmp_path: Path) -> tuple[Path, str, Exchange]:
    """(bus file, URL, exchange) with one queue bound for ``bound.*`` events."""
    path = tmp_path / "bus.db"
    url = f"sqlite://{path}"
    exchange = events_exchange(f"crossdock.test.{uuid.uuid4().hex[:8]}")
    with Connection(url) as conn:
        event_queue("subscriber", ["bound.#"], exchange)(conn.channel()).declare()
    return path, url, exchange


def test_kept_messages_older_than_max_age_are_dropped_counted_and_said(
    bus: tuple[Path, str, Exchange], caplog: pytest.LogCaptureFixture
) -> None:
    path, url, exchange = bus
    kept = unrouted_queue(exchange.name)
    _publish(url, exchange, "lost.v1", b"old-unrouted")
    _publish(url, exchange, "bound.v1", b"old-bound")
    _age(path, 8, "1 = 1")  # everything is 8 days old; only kept rows have a time to age
    _publish(url, exchange, "lost.v1", b"new-unrouted")
    # a message an operator put on the unrouted queue by name is not one the bus kept
    with Connection(url) as conn:
        Producer(conn.channel()).publish(b"by-name", routing_key=kept, content_encoding="binary")
    _age(path, 8, "body = CAST('by-name' AS BLOB)")

    with caplog.at_level(logging.WARNING, logger="hub.bus.sqlite_retention"):
        dropped = _open(f"{url}?unrouted_max_age={7 * DAY:g}")

    assert dropped == [
        Dropped(kept, 1, dropped[0].bytes, "older than 7d (unrouted.max_age)"),
    ]
    assert dropped[0].bytes > len(b"old-unrouted")  # body and envelope
    assert sorted(_rows(path)) == sorted(
        [("subscriber", b"old-bound"), (kept, b"new-unrouted"), (kept, b"by-name")]
    )
    (said,) = [r.getMessage() for r in caplog.records]
    assert f"dropped 1 unrouted message(s) ({dropped[0].bytes} B) from {kept}" in said
    assert "older than 7d (unrouted.max_age)" in said


def test_retention_forever_keeps_everything(bus: tuple[Path, str, Exchange]) -> None:
    path, url, exchange = bus
    for n in range(3):
        _publish(url, exchange, "lost.v1", f"kept-{n}".encode())
    _age(path, 3650)
    assert _open(url) == []  # the transport's default: no limit
    assert _open(f"{url}?unrouted_max_age=0&unrouted_max_messages=0&unrouted_max_bytes=0") == []
    assert len(_rows(path)) == 3
    # the hub's setting: forever is written as no option at all
    for forever in ("forever", "0", 0):
        settings = _settings(path.parent, bus_url=url, unrouted={"max_age": forever})
        assert settings.resolved_bus_url == url
        assert _open(settings.resolved_bus_url) == []
    assert len(_rows(path)) == 3


def test_max_messages_and_max_bytes_keep_the_newest(bus: tuple[Path, str, Exchange]) -> None:
    path, url, exchange = bus
    kept = unrouted_queue(exchange.name)
    for n in range(6):
        _publish(url, exchange, "lost.v1", f"m{n}".encode() * 100)
        _age(path, 0.001)  # each older than the next
    _publish(url, exchange, "bound.v1", b"bound" * 1000)

    (by_count,) = _open(f"{url}?unrouted_max_messages=4")
    assert (by_count.queue, by_count.messages) == (kept, 2)
    assert by_count.reason == "over 4 message(s) (unrouted.max_messages)"
    assert [body[:2] for q, body in _rows(path) if q == kept] == [b"m2", b"m3", b"m4", b"m5"]

    with sqlite3.connect(path) as db:
        (size,) = db.execute(
            "SELECT length(envelope) + length(body) FROM bus_message WHERE queue = ? LIMIT 1",
            (kept,),
        ).fetchone()
    (by_size,) = _open(f"{url}?unrouted_max_bytes={2 * size + 1}")
    assert (by_size.messages, by_size.bytes) == (2, 2 * size)
    assert [body[:2] for q, body in _rows(path) if q == kept] == [b"m4", b"m5"]
    assert [q for q, _ in _rows(path)].count("subscriber") == 1  # 5 KB, never counted


def test_a_message_being_consumed_is_not_dropped(bus: tuple[Path, str, Exchange]) -> None:
    path, url, exchange = bus
    kept = unrouted_queue(exchange.name)
    _publish(url, exchange, "lost.v1", b"one")
    _publish(url, exchange, "lost.v1", b"two")
    _age(path, 30)
    got: list[bytes] = []
    with Connection(url) as conn:
        channel = conn.channel()
        channel.basic_qos(0, 1, False)
        with Consumer(channel, [Queue(kept)], callbacks=[lambda body, m: got.append(body)]):
            conn.drain_events(timeout=5)  # reserves "one", not acked
            (dropped,) = _open(f"{url}?unrouted_max_age=3600")
            assert dropped.messages == 1
            assert [body for _, body in _rows(path)] == [b"one"]


def test_kept_messages_are_dropped_while_publishing_not_only_on_open(
    bus: tuple[Path, str, Exchange],
) -> None:
    path, url, exchange = bus
    with Connection(f"{url}?unrouted_max_age=3600&retention_interval=0") as conn:
        channel = conn.channel()
        producer = Producer(channel, exchange=exchange)
        exchange(channel).declare()
        producer.publish(b"first", routing_key="lost.v1", content_encoding="binary")
        _age(path, 1)
        producer.publish(b"second", routing_key="lost.v1", content_encoding="binary")
        assert [d.messages for d in channel.unrouted_dropped] == [1]
    assert [body for _, body in _rows(path)] == [b"second"]


def test_a_batch_mixing_kept_and_bound_messages_keeps_its_order(
    bus: tuple[Path, str, Exchange],
) -> None:
    path, url, exchange = bus
    kept = unrouted_queue(exchange.name)
    with Connection(url) as conn:
        channel = conn.channel()
        producer = Producer(channel, exchange=exchange)
        exchange(channel).declare()
        with producer.batch(max_size=100):
            for n, key in enumerate(["lost.v1", "lost.v1", "bound.v1", "lost.v1", "bound.v1"]):
                producer.publish(f"{n}".encode(), routing_key=key, content_encoding="binary")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT queue, body, published IS NOT NULL FROM bus_message ORDER BY id")
        assert rows.fetchall() == [
            (kept, b"0", 1),
            (kept, b"1", 1),
            ("subscriber", b"2", 0),
            (kept, b"3", 1),
            ("subscriber", b"4", 0),
        ]


def test_the_hub_publisher_applies_the_hub_setting(tmp_path: Path) -> None:
    settings = _settings(tmp_path, data_dir=tmp_path, exchange=f"x.{uuid.uuid4().hex[:8]}")
    assert settings.unrouted.max_age == 7 * DAY
    assert settings.resolved_bus_url.endswith("bus.db?unrouted_max_age=604800")
    exchange = events_exchange(settings.exchange)
    with ConfirmedPublisher(settings.resolved_bus_url, exchange=exchange) as publisher:
        publisher.publish(_batch("a", "b"), routing_key="x.v1", content_type=BATCH_CONTENT_TYPE)
        publisher.flush()
    _age(tmp_path / "bus.db", 7.5)
    with ConfirmedPublisher(settings.resolved_bus_url, exchange=exchange) as publisher:
        publisher.publish(_batch("c"), routing_key="x.v1", content_type=BATCH_CONTENT_TYPE)
        publisher.flush()
        assert publisher.unrouted_events == 1
    assert [json.loads(body)[0]["id"] for _, body in _rows(tmp_path / "bus.db")] == ["c"]


_V1 = """
CREATE TABLE bus_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO bus_meta VALUES ('schema_version', 1), ('routing_version', 1);
CREATE TABLE bus_exchange (name TEXT PRIMARY KEY, type TEXT NOT NULL, durable INTEGER NOT NULL,
    auto_delete INTEGER NOT NULL, arguments TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO bus_exchange VALUES ('crossdock.events', 'topic', 1, 0, '{}');
CREATE TABLE bus_queue (name TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO bus_queue VALUES ('crossdock.events.unrouted'), ('subscriber');
CREATE TABLE bus_binding (exchange TEXT NOT NULL, routing_key TEXT NOT NULL, queue TEXT NOT NULL,
    pattern TEXT NOT NULL, PRIMARY KEY (exchange, routing_key, queue)) WITHOUT ROWID;
CREATE TABLE bus_owner (token TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
    started TEXT NOT NULL, heartbeat REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE bus_message (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, priority INTEGER NOT NULL,
    envelope TEXT NOT NULL, body BLOB, owner TEXT, redelivered INTEGER NOT NULL DEFAULT 0);
CREATE INDEX bus_message_ready ON bus_message (queue, priority DESC, id) WHERE owner IS NULL;
CREATE INDEX bus_message_owner ON bus_message (owner) WHERE owner IS NOT NULL;
INSERT INTO bus_message (queue, priority, envelope, body) VALUES
    ('crossdock.events.unrouted', 0, '{}', 'legacy-kept'), ('subscriber', 0, '{}', 'legacy-bound');
"""


def test_a_version_1_file_is_upgraded_and_its_kept_messages_aged_from_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bus.db"
    with sqlite3.connect(path) as db:
        db.executescript(_V1)
    url = f"sqlite://{path}?unrouted_max_age=3600"
    assert _open(url) == []  # upgraded now: nothing is an hour old yet
    with sqlite3.connect(path) as db:
        ready = [row[2] for row in db.execute("PRAGMA index_info(bus_message_ready)")]
        assert ready == ["queue", "priority", "id", "published"]  # ages read from the index
        meta = dict(db.execute("SELECT key, value FROM bus_meta").fetchall())
        assert meta["schema_version"] == SCHEMA_VERSION == 2
        assert abs(meta[LEGACY_KEPT_SINCE] - time.time()) < 60
        db.execute("UPDATE bus_meta SET value = value - 7200 WHERE key = ?", (LEGACY_KEPT_SINCE,))
    # after the upgrade, a message published to the unrouted queue by name has no publish
    # time either: it is not one the upgrade aged, and is kept
    with Connection(f"sqlite://{path}") as conn:  # no limits: its channel drops nothing
        conn.SimpleQueue("crossdock.events.unrouted").put({"by": "name"})
    (dropped,) = _open(url)
    assert (dropped.queue, dropped.messages) == ("crossdock.events.unrouted", 1)
    assert dropped.reason == "older than 1h (unrouted.max_age), kept before the upgrade"
    assert [queue for queue, _ in _rows(path)] == ["subscriber", "crossdock.events.unrouted"]
    assert _rows(path)[0][1] == "legacy-bound"
    with sqlite3.connect(path) as db:
        assert (
            db.execute("SELECT 1 FROM bus_meta WHERE key = ?", (LEGACY_KEPT_SINCE,)).fetchone()
            is None
        )


# -- the setting ---------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["30d", "14d", "90d", "1.5"])
def test_a_long_or_fractional_max_age_opens_the_bus(tmp_path: Path, written: str) -> None:
    """The age travels in the bus URL: written ``:g``, 30 days was ``2.592e+06``, whose ``+``
    the query reads as a space, and every process of the hub failed to open its bus."""
    settings = _settings(tmp_path, unrouted={"max_age": written})
    url = settings.unrouted.in_bus_url(f"sqlite://{tmp_path / 'bus.db'}")
    assert _open(url) == []
    with Connection(url) as conn:
        channel = conn.channel()
        assert isinstance(channel, Channel)
        assert channel.options.unrouted_max_age == settings.unrouted.max_age


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("7d", 7 * DAY), ("12h", 43200), ("PT30M", 1800), ("3600", 3600), (90, 90), ("forever", 0)],
)
def test_max_age_reads_durations_and_forever(
    tmp_path: Path, written: object, seconds: float
) -> None:
    assert _settings(tmp_path, unrouted={"max_age": written}).unrouted.max_age == seconds


def test_sizes_and_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = _settings(tmp_path, "unrouted:\n  max_bytes: 2GiB\n  max_messages: 500\n")
    config = tmp_path / "crossdock.yaml"
    assert (settings.unrouted.max_bytes, settings.unrouted.max_messages) == (2 << 30, 500)
    monkeypatch.setenv("CROSSDOCK_UNROUTED_MAX_AGE", "forever")
    monkeypatch.setenv("CROSSDOCK_UNROUTED_MAX_BYTES", "500MB")
    settings = load_settings(config, data_dir=tmp_path)
    assert settings.unrouted.model_dump() == {
        "max_age": 0,
        "max_messages": 500,
        "max_bytes": 500_000_000,
    }
    assert settings.resolved_bus_url.endswith(
        "bus.db?unrouted_max_messages=500&unrouted_max_bytes=500000000"
    )
    # an option the bus URL names itself wins; RabbitMQ's URL is left as given
    given = load_settings(config, bus_url="sqlite:///x/bus.db?unrouted_max_bytes=1")
    assert (
        given.resolved_bus_url
        == "sqlite:///x/bus.db?unrouted_max_bytes=1&unrouted_max_messages=500"
    )
    amqp = load_settings(config, bus_url="amqp://guest:guest@127.0.0.1:5672//")
    assert amqp.resolved_bus_url == "amqp://guest:guest@127.0.0.1:5672//"


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("max_age", "soon", "'soon' is not a duration"),
        ("max_age", "-1", "greater than or equal to 0"),
        ("max_bytes", "lots", "'lots' is not a size"),
        ("max_messages", "-3", "greater than or equal to 0"),
    ],
)
def test_a_bad_value_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str, value: str, said: str
) -> None:
    monkeypatch.setenv(f"CROSSDOCK_UNROUTED_{setting.upper()}", value)
    with pytest.raises(ConfigError, match=f"unrouted.{setting}: .*{said}"):
        _settings(tmp_path)


def test_a_bad_value_stops_the_hub_with_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "CROSSDOCK_UNROUTED_MAX_AGE": "a week"}
    result = subprocess.run(
        [str(CROSSDOCK), "run", "--once", "--data-dir", str(tmp_path), "--inbox", str(tmp_path)],
        env=env,
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "unrouted.max_age" in result.stderr
    assert "'a week' is not a duration" in result.stderr
    assert not (tmp_path / "bus.db").exists()


def _run_once(inbox: Path, data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(str(CROSSDOCK), "run", "--once", "--no-routing"),
            *("--inbox", str(inbox), "--data-dir", str(data), *extra),
        ],
        env={**os.environ, "CROSSDOCK_UNROUTED_MAX_MESSAGES": "1"},
        cwd=data,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_run_says_what_the_retention_dropped_while_it_published(tmp_path: Path) -> None:
    """A hub's next run ages the earlier runs' kept messages out as its bus opens: its last
    lines and its ``--json`` summary say how many and why, not only a log line."""
    data = tmp_path / "data"
    data.mkdir()
    demo = (Path(__file__).resolve().parents[2] / "demo" / "inbox").glob("*count*.csv")
    counts = sorted(demo)
    said: list[subprocess.CompletedProcess[str]] = []
    for n, extra in enumerate([(), (), (), ("--json",)]):
        inbox = tmp_path / f"inbox{n}"
        inbox.mkdir()
        (inbox / f"count{n}.csv").write_bytes(counts[n % len(counts)].read_bytes())
        said.append(_run_once(inbox, data, *extra))
        assert said[-1].returncode == 0, said[-1].stderr
    # each run keeps one batch message; the limit is one: the third run's bus opens on two
    first, second, third, fourth = said
    assert "dropped from" not in first.stdout + second.stdout
    assert (
        "1 older kept message(s) dropped from crossdock.events.unrouted by its retention "
        "(over 1 message(s) (unrouted.max_messages);" in third.stdout
    ), third.stdout
    summary = json.loads(fourth.stdout.strip().splitlines()[-1])
    assert summary["unrouted_dropped_messages"] == 1
