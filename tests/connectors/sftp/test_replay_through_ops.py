"""An SFTP source's dead letter, replayed from the ops API through a newer mapping version.

The partner's row carries a decimal comma: version 1 of ``csv.stock-count`` refuses it, so the
SDK's runner dead-letters it, naming the mapping and the row's origin (file sha256, line). An
operator replays it through version 2 (installed beside the shipped specs): the event is
published under the id the one event-id rule gives that origin through ``csv.stock-count@2``
(see connectors/sdk/translate.py), and the letter is marked replayed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from canonical import make_event_id
from connectors.sdk import run_source
from connectors.sftp.config import SftpConfig
from connectors.sftp.source import SftpSource, SftpSourceConfig
from connectors.sftp.testing import LocalSftpServer
from hub.connector_bus import HubEventBus
from hub.retry import DEFAULT_TABLE
from hub.runtime import Hub
from tests.connectors.sftp.data import HEADER
from tests.ops.conftest import COMMA, GOOD, OpsEnv, embedded_env  # noqa: F401  # the fixture

INSTANCE = "partner-drop"


def test_an_sftp_dead_letter_replays_through_a_newer_mapping_under_the_documented_id(
    embedded_env: OpsEnv,  # noqa: F811
    make_config: Callable[..., SftpConfig],
    sftp_server: LocalSftpServer,
    sftp_root: Path,
    tmp_path: Path,
) -> None:
    env = embedded_env
    body = HEADER + f"{GOOD}\n{COMMA}\n".encode()
    (sftp_root / "inbox" / "count.csv").write_bytes(body)
    (sftp_root / "inbox" / "count.csv.ready").write_bytes(b"")
    values = make_config().model_dump()
    values.update(spool_dir=tmp_path / "spool", read_lock="marker")
    with Hub(env.settings) as hub, SftpSource(SftpSourceConfig.model_validate(values)) as source:
        bus = HubEventBus(hub.publisher, hub.engine)
        outcome = run_source(source, bus, table=DEFAULT_TABLE, name=INSTANCE)
    assert (outcome.published, outcome.dead_lettered) == (1, 1)
    first: list[dict[str, Any]] = []
    env.consumer.drain(first.extend, idle_timeout=1.0)
    sha256 = hashlib.sha256(body).hexdigest()
    assert [e["id"] for e in first] == [make_event_id(sha256, "2", "csv.stock-count@1")]

    client = TestClient(env.app)
    viewer, operator = env.headers("viewer"), env.headers("operator")
    (letter,) = client.get(
        "/ops/api/dead-letters", params={"connector": INSTANCE}, headers=viewer
    ).json()["letters"]
    detail = client.get(f"/ops/api/dead-letters/{letter['id']}", headers=viewer).json()
    assert (detail["mapping_id"], detail["mapping_version"]) == ("csv.stock-count", 1)
    assert detail["mapping_versions"] == [1, 2]  # not skipped as "names no mapping"
    assert detail["context"]["origin"] == [sha256, "3"]
    assert detail["event_id"] == make_event_id(sha256, "3", "csv.stock-count@1")

    done = client.post(
        f"/ops/api/dead-letters/{letter['id']}/replay",
        json={"mapping_version": 2},
        headers=operator,
    ).json()
    documented = make_event_id(sha256, "3", "csv.stock-count@2")
    assert done["events"] == {str(letter["id"]): documented}
    replayed: list[dict[str, Any]] = []
    env.consumer.drain(replayed.extend, idle_timeout=1.0)
    assert [e["id"] for e in replayed] == [documented]
    assert replayed[0]["data"]["counted_quantity"]["value"] == "12.5"
    after = client.get(f"/ops/api/dead-letters/{letter['id']}", headers=viewer).json()
    assert after["status"] == "replayed"
    assert after["history"][-1]["mapping"] == "csv.stock-count@2"
