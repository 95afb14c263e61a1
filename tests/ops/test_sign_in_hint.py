"""The sign-in page's command for a token works as shown: copied into a shell anywhere, the
token it prints signs in to that hub."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from hub.api import create_app
from hub.config import Settings
from tests.ops.conftest import sign_in


def test_the_sign_in_page_command_makes_a_token_that_signs_in(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "hub-data")
    with TestClient(create_app(settings)) as client:
        page = client.get("/ops/login")
        assert page.status_code == 200
        found = re.search(r'<code id="token-command">(.*?)</code>', page.text)
        assert found is not None, page.text
        command = html.unescape(found.group(1)).replace("YOUR-NAME", "ana")
        assert f"--data-dir {tmp_path / 'hub-data'}" in command
        # from another folder than the hub's, as an operator's shell would be
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        made = subprocess.run(
            ["bash", "-c", command], cwd=elsewhere, capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip()
        sign_in(client, token)  # the form's way, with its CSRF value
        assert client.get("/ops/api/whoami").json()["name"] == "ana"
    assert list(elsewhere.iterdir()) == []  # the command wrote nothing where it was typed
