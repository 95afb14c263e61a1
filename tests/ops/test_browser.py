"""The /ops page in real headless Chromium (Debian's ``chromium``), driven by Playwright.

The app runs in a real uvicorn server on 127.0.0.1. Playwright never downloads a browser here:
it launches ``/usr/bin/chromium``. Without it the test skips, unless
``CROSSDOCK_REQUIRE_SERVICES=1`` (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.ops.conftest import BAD_QTY, COMMA, GOOD, OpsEnv

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def _require_browser() -> Any:
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = missing or "the playwright package is not installed"
    if missing:
        if os.environ.get("CROSSDOCK_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{missing} and CROSSDOCK_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(missing)
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(embedded_env: OpsEnv) -> Iterator[tuple[OpsEnv, str]]:
    """The app in a real uvicorn server on 127.0.0.1, stopped after the test."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(embedded_env.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    yield embedded_env, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _sign_in(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/ops")
    assert page.url.endswith("/ops/login")
    page.get_by_label("API token").fill(token)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/ops")


def test_operator_dry_runs_and_replays_and_a_viewer_cannot(
    served: tuple[OpsEnv, str], tmp_path: Path
) -> None:
    sync_playwright = _require_browser()
    env, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            operator = browser.new_context(viewport={"width": 1366, "height": 768})
            operator.set_default_timeout(TIMEOUT_MS)
            page = operator.new_page()
            _sign_in(page, base, env.tokens["operator"])
            assert page.locator("#depth-total").inner_text() == "0"

            # a dead letter appears
            env.feed(tmp_path / "in", [GOOD, COMMA, BAD_QTY])
            assert len(env.events()) == 1  # the good row went through
            page.reload()
            assert page.locator("#depth-total").inner_text() == "2"

            # the operator filters by text in the reason, and opens the one letter left
            page.get_by_label("Reason contains").fill("12,5")
            page.get_by_role("button", name="Apply filter").click()
            page.wait_for_url(re.compile(r".*text=12%2C5.*"))
            rows = page.locator("#letters tbody tr")
            assert rows.count() == 1
            rows.first.get_by_role("link").click()
            page.wait_for_url(re.compile(r".*/ops/letters/\d+$"))
            assert "12,5" in page.locator("#payload-text").inner_text()
            assert page.locator("#payload-hex").count() == 1

            # dry run through the newer mapping version: the diff shows the corrected value
            page.get_by_label("Mapping version").select_option("2")
            page.get_by_role("button", name="Dry run").click()
            diff = page.locator("#diff")
            diff.wait_for(state="visible")
            assert '+    "value": "12.5"' in diff.inner_text()
            assert env.events() == []  # a dry run publishes nothing

            # replay, with the keyboard: the confirmation dialog opens on Cancel
            page.locator("#replay").focus()
            page.keyboard.press("Enter")
            dialog = page.locator("#confirm")
            dialog.wait_for(state="visible")
            assert "version 2" in page.locator("#confirm-text").inner_text()
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "document.getElementById('letter-status').textContent === 'replayed'"
            )
            assert "Replayed as event" in page.locator("#status").inner_text()
            (event,) = env.events()
            assert event["data"]["counted_quantity"]["value"] == "12.5"

            # the depth went down
            page.goto(f"{base}/ops")
            assert page.locator("#depth-total").inner_text() == "1"
            other_id = page.locator("#letters tbody tr").first.get_attribute("data-letter")
            operator.close()

            # a viewer sees the letter but no replay button, and the API refuses it (403)
            viewer = browser.new_context(viewport={"width": 1366, "height": 768})
            viewer.set_default_timeout(TIMEOUT_MS)
            vpage = viewer.new_page()
            _sign_in(vpage, base, env.tokens["viewer"])
            vpage.goto(f"{base}/ops/letters/{other_id}")
            assert "twelve" in vpage.locator("#payload-text").inner_text()
            assert vpage.locator("#replay").count() == 0
            assert vpage.get_by_role("button", name="Replay").count() == 0
            status = vpage.evaluate(
                """async (id) => (await fetch(`/ops/api/dead-letters/${id}/replay`, {
                    method: "POST", credentials: "same-origin",
                    headers: {"Content-Type": "application/json",
                              "X-Crossdock-Request": document.body.dataset.csrf},
                    body: "{}"})).status""",
                other_id,
            )
            assert status == 403
            bearer = vpage.request.post(
                f"{base}/ops/api/dead-letters/{other_id}/replay",
                data="{}",
                headers={
                    "Authorization": f"Bearer {env.tokens['viewer']}",
                    "Content-Type": "application/json",
                },
            )
            assert bearer.status == 403
            viewer.close()
        finally:
            browser.close()
    assert env.events() == []  # the refused replay published nothing
