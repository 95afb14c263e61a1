"""What the console of a routing ``crossdock run`` replays is routed in that process, as the
hub's own events are (the hub no longer reads the routing queue for what it publishes)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from hub.api import create_app
from hub.inline_routing import InlineRouting
from hub.registry.settings import RegistrySettings
from hub.routing.loader import load_engine
from hub.routing.router import Router
from tests.ops.conftest import OpsEnv

# counted 2,5 (a comma: mapping v1 refuses it, v2 reads 2.5) against 14: 11.5 units, 82 % off,
# a recount task under the bundled rules
SHORT = '0142,SKU-9,,"2,5",14,2026-11-20T06:06:10Z,m.lopez'


def test_a_console_replay_in_a_routing_hub_is_routed_before_the_letter_is_marked(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    ops_env.feed(tmp_path / "in", [SHORT])
    ops_env.app.state.ops.close()
    engine = ops_env.app.state.ops.engine
    routing = InlineRouting(Router(engine, load_engine()))
    ops_env.app = create_app(
        ops_env.settings, registry_settings=RegistrySettings(seed=False), routing=routing
    )
    client = TestClient(ops_env.app)
    op = ops_env.headers("operator")
    (letter,) = client.get("/ops/api/dead-letters", headers=op).json()["letters"]

    done = client.post(
        f"/ops/api/dead-letters/{letter['id']}/replay", json={"mapping_version": 2}, headers=op
    ).json()

    assert done["replayed"] == 1
    (event,) = ops_env.events()
    assert routing.counts.events == 1
    with engine.connect() as conn:
        claimed = conn.execute(
            text(
                "SELECT count(*) FROM processed_events WHERE consumer = 'routing' AND event_id = :e"
            ),
            {"e": event["id"]},
        ).scalar_one()
        line = conn.execute(
            text("SELECT dedup_key FROM routing_task_lines WHERE event_id = :e"),
            {"e": event["id"]},
        ).all()
    assert claimed == 1
    assert [row.dedup_key for row in line] != []
    assert {row.dedup_key for row in line} == {"0142/SKU-9"}
