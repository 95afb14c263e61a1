"""``/docs`` works without internet: every asset the page loads is served by the hub."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from hub.api import create_app
from hub.config import Settings
from hub.registry.settings import RegistrySettings


def test_the_docs_page_loads_every_asset_from_the_hub(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path), registry_settings=RegistrySettings(seed=False))
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
        for asset in assets:
            assert asset.startswith("/"), f"{asset} is loaded from elsewhere"
            assert client.get(asset).status_code == 200, asset
        assert client.get("/openapi.json").json()["info"]["title"] == "Crossdock"
