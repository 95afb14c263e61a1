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
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
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
    with _serving(embedded_env) as base:
        yield embedded_env, base


@contextmanager
def _serving(env: OpsEnv) -> Iterator[str]:
    """``env``'s app in a real uvicorn server on 127.0.0.1: its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(env.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
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
            page.get_by_role("button", name="Dry run", exact=True).click()
            diff = page.locator("#diff")
            diff.wait_for(state="visible")
            assert '+    "value": "12.5"' in diff.inner_text()
            assert page.locator("#dry-run-summary").inner_text().startswith("Would publish event")
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


# -- the console's page features, each with screenshots under test-output/ --------------------
SHOTS = Path(os.environ.get("CROSSDOCK_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))
SHOTS = SHOTS / "ops-page"


def _shot(page: Any, name: str) -> Path:
    """A full-page screenshot of the page as it is now (looked at by people, not compared)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright."""
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _operator_page(browser: Any, base: str, token: str, **options: Any) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    _sign_in(page, base, token)
    return page


def _bad_rows(n: int, *, replayable: int = 0) -> list[str]:
    """``n`` rows that fail mapping; the first ``replayable`` read with version 2's comma."""
    rows = [f'0142,SKU-C{i},,"{i},5",14,2026-11-20T06:06:10Z,m.lopez' for i in range(replayable)]
    rows += [
        f"0142,SKU-B{i},,twelve,14,2026-11-20T06:10:11Z,m.lopez" for i in range(n - replayable)
    ]
    return rows


def _task(page: Any) -> dict[str, str]:
    row = page.locator("#tasks tbody tr").first
    return {
        "status": row.get_attribute("data-status") or "",
        "text": row.inner_text(),
        "value": row.locator("progress").get_attribute("value") or "",
        "max": row.locator("progress").get_attribute("max") or "",
    }


def test_select_letters_and_redrive_them_with_a_rate_a_progress_bar_and_cancel(
    served: tuple[OpsEnv, str], browser: Any, tmp_path: Path
) -> None:
    env, base = served
    env.feed(tmp_path / "in", _bad_rows(8, replayable=2))
    page = _operator_page(browser, base, env.tokens["operator"])
    assert page.locator("#depth-total").inner_text() == "8"
    assert page.locator("#matching-total").inner_text() == "8"
    redrive = page.get_by_role("button", name=re.compile(r"^Redrive"))
    assert redrive.is_disabled()
    _shot(page, "01-console")

    # two letters ticked: the two a newer mapping version reads
    for box in page.get_by_label(re.compile(r"Select dead letter #")).all():
        row = box.locator("xpath=ancestor::tr")
        if ",5'" in row.inner_text():  # a decimal comma: version 2 reads it
            box.check()
    assert page.locator("#selection").inner_text() == "2 selected on this page."
    page.get_by_label("Rate, letters per second").fill("50")
    _shot(page, "02-two-selected")
    page.get_by_role("button", name="Redrive 2 letters").click()
    page.locator("#confirm").wait_for(state="visible")
    assert "2 selected letters, at most 50 per second" in page.locator("#confirm-text").inner_text()
    page.get_by_role("button", name="Start the redrive").click()
    # no reload: the task's row, then the letters' new status, come in by themselves
    page.wait_for_function(
        "document.querySelector('#tasks tbody tr')?.dataset.status === 'completed'"
    )
    task = _task(page)
    assert "2 of 2 moved" in task["text"]
    assert task["value"] == task["max"] == "2"
    page.wait_for_function("document.getElementById('depth-total').textContent === '6'")
    # the open letters' table lost the two replayed ones, without a reload
    page.wait_for_function("document.querySelectorAll('#letters-body tr').length === 6")
    assert ",5'" not in page.locator("#letters-body").inner_text()
    assert page.locator("#selection").inner_text() == "No letter selected."
    assert len(env.events()) == 2
    _shot(page, "03-redrive-completed")

    # every open letter matching the filter, slowly, then cancelled half way
    page.get_by_role("button", name="Select all 6 matching this filter").click()
    assert page.locator("#selection").inner_text() == (
        "All 6 open letters matching this filter are selected."
    )
    page.get_by_label("Rate, letters per second").fill("1")
    page.get_by_role("button", name="Redrive 6 letters").click()
    page.get_by_role("button", name="Start the redrive").click()
    page.wait_for_function(
        "(() => { const r = document.querySelector('#tasks tbody tr');"
        " return r && r.dataset.status === 'running'"
        " && Number(r.querySelector('progress').value) >= 1; })()"
    )
    _shot(page, "04-redrive-running")
    page.get_by_role("button", name=re.compile(r"^Cancel #")).click()
    assert "stops after its current batch" in page.locator("#confirm-text").inner_text()
    page.get_by_role("button", name="Stop the redrive").click()
    page.wait_for_function(
        "document.querySelector('#tasks tbody tr')?.dataset.status === 'cancelled'"
    )
    task = _task(page)
    assert 1 <= int(task["value"]) < 6, task
    assert "failed again" in task["text"]  # the 'twelve' rows fail again and stay open
    assert page.get_by_role("button", name=re.compile(r"^Cancel #")).count() == 0
    _shot(page, "05-redrive-cancelled")
    assert env.events() == []  # the letters left were not replayable: nothing published
    page.context.close()


def _tick_comma_rows(page: Any) -> None:
    for box in page.get_by_label(re.compile(r"Select dead letter #")).all():
        if ",5'" in box.locator("xpath=ancestor::tr").inner_text():
            box.check()


def test_redrive_through_the_letters_mapping_version_or_a_newer_one(
    served: tuple[OpsEnv, str], browser: Any, tmp_path: Path
) -> None:
    env, base = served
    env.feed(tmp_path / "in", _bad_rows(3, replayable=2))
    page = _operator_page(browser, base, env.tokens["operator"])
    version = page.get_by_label("Mapping version")
    assert version.is_disabled()  # nothing selected yet

    # two letters of csv.stock-count@1: their version, or the newer one
    _tick_comma_rows(page)
    assert version.is_enabled()
    assert version.locator("option").all_inner_texts() == [
        "Newest: csv.stock-count@2",
        "csv.stock-count@1 (the letters' version)",
        "csv.stock-count@2",
    ]
    assert version.input_value() == ""  # the default, as the API and the CLI have it
    version.select_option("1")
    _shot(page, "06-redrive-mapping-version")
    page.get_by_role("button", name="Redrive 2 letters").click()
    assert "2 selected letters through csv.stock-count@1, with no rate cap" in (
        page.locator("#confirm-text").inner_text()
    )
    page.get_by_role("button", name="Start the redrive").click()
    page.wait_for_function(
        "document.querySelector('#tasks tbody tr')?.dataset.status === 'completed'"
    )
    task = _task(page)
    # version 1 refuses the decimal comma again: the letters stay open
    assert "0 of 2 moved, 2 failed again" in task["text"], task
    assert "through mapping version 1" in task["text"]
    assert env.events() == []

    # the same two through version 2: published
    page.wait_for_function(
        "document.getElementById('selection').textContent === 'No letter selected.'"
    )
    _tick_comma_rows(page)
    version.select_option("2")
    page.get_by_role("button", name="Redrive 2 letters").click()
    assert "through csv.stock-count@2" in page.locator("#confirm-text").inner_text()
    page.get_by_role("button", name="Start the redrive").click()
    page.wait_for_function(
        "document.querySelector('#tasks tbody tr')?.textContent.includes('2 of 2 moved')"
    )
    assert "through mapping version 2" in _task(page)["text"]
    assert len(env.events()) == 2

    # every letter matching the filter: the page asks the API which mappings they failed with
    page.wait_for_function("document.querySelectorAll('#letters-body tr').length === 1")
    page.get_by_role("button", name="Select all 1 matching this filter").click()
    page.wait_for_function("document.getElementById('redrive-version').options.length === 3")
    assert version.locator("option").all_inner_texts()[1] == (
        "csv.stock-count@1 (the letters' version)"
    )
    _shot(page, "07-redrive-mapping-version-all-matching")
    page.context.close()


def test_counts_refresh_by_themselves_and_stop_while_the_tab_is_hidden(
    served: tuple[OpsEnv, str], browser: Any, tmp_path: Path
) -> None:
    env, base = served
    env.feed(tmp_path / "in", _bad_rows(2))
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.clock.install()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/ops/live" in r.url else None)
    _sign_in(page, base, env.tokens["operator"])
    assert page.locator("#depth-total").inner_text() == "2"

    env.feed(tmp_path / "more", _bad_rows(3))
    page.clock.run_for(16_000)  # one refresh interval (15 s)
    page.wait_for_function("document.getElementById('depth-total').textContent === '5'")
    assert page.locator("#matching-total").inner_text() == "5"
    assert page.locator("#letters-body tr").count() == 5
    assert len(polls) == 1
    _shot(page, "06-refreshed-by-itself")

    # hidden: nothing is fetched; shown again: one refresh at once
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.clock.run_for(60_000)
    assert len(polls) == 1
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_function("document.getElementById('refreshed') !== null")
    page.clock.run_for(100)
    page.wait_for_timeout(500)
    assert len(polls) == 2
    context.close()


def test_the_week_s_trend_chart_is_there_on_first_load_as_svg_and_as_a_table(
    served: tuple[OpsEnv, str], browser: Any, tmp_path: Path
) -> None:
    from sqlalchemy import select, update

    from hub.deadletter.model import DeadLetterRow

    env, base = served
    env.feed(tmp_path / "in", _bad_rows(9))
    engine = env.app.state.ops.engine
    now = datetime.now(UTC).replace(minute=5, second=0, microsecond=0)
    with engine.begin() as conn:
        ids = list(conn.scalars(select(DeadLetterRow.id).order_by(DeadLetterRow.id)))
        spread = [
            (0, "stock-count"),
            (0, "stock-count"),
            (1, "edi-850"),
            (30, "stock-count"),
            (30, "edi-850"),
            (30, "wms-asn"),
            (100, "edi-850"),
            (160, "stock-count"),
            (200, "stock-count"),  # older than a week: not in the chart
        ]
        for letter_id, (hours_ago, connector) in zip(ids, spread, strict=True):
            conn.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == letter_id)
                .values(first_failed_at=now - timedelta(hours=hours_ago), connector=connector)
            )
    page = _operator_page(browser, base, env.tokens["viewer"])
    chart = page.locator("svg#trend")
    assert chart.get_attribute("role") == "img"
    assert page.locator("#trend-title").text_content() == (
        "New dead letters per hour by connector, last 7 days"
    )
    desc = page.locator("#trend-desc").text_content() or ""
    assert desc.startswith("8 new dead letters since ")
    assert "stock-count 4, edi-850 3, wms-asn 1" in desc
    # one rect per connector and hour, each with its own words
    labels = [r.text_content() or "" for r in page.locator("svg#trend rect title").all()]
    assert len(labels) == 7
    assert any(label.startswith("stock-count, ") and label.endswith("UTC: 2") for label in labels)
    assert page.locator(".legend li").all_inner_texts() == [
        "stock-count: 4",
        "edi-850: 3",
        "wms-asn: 1",
    ]
    assert page.locator("script[src^='http'], link[href^='http']").count() == 0  # no CDN
    _shot(page, "07-trend-chart")
    page.get_by_text("The same as a table").click()
    table = page.locator("#trend-table tbody tr")
    assert table.count() == 5  # five hours had letters
    assert table.last.locator("td").all_inner_texts() == ["2", "0", "0"]
    _shot(page, "08-trend-table")
    page.context.close()


def test_the_page_reads_without_javascript(
    served: tuple[OpsEnv, str], browser: Any, tmp_path: Path
) -> None:
    env, base = served
    env.feed(tmp_path / "in", _bad_rows(3))
    page = _operator_page(browser, base, env.tokens["operator"], java_script_enabled=False)
    assert page.locator("#depth-total").inner_text() == "3"
    assert page.locator("svg#trend rect").count() == 1
    assert page.locator("#letters-body tr").count() == 3
    # the controls that need the script are not shown without it
    assert not page.locator("#redrive").is_visible()
    assert not page.locator("#select-page").is_visible()
    _shot(page, "09-no-javascript")
    page.locator("#letters-body a").first.click()
    assert "twelve" in page.locator("#payload-text").inner_text()
    assert page.locator("#history").inner_text() == "No actions yet."
    # replay and discard need the script: without it they are not offered
    assert not page.locator("#actions").is_visible()
    _shot(page, "09b-letter-without-javascript")
    page.context.close()


def test_dry_run_says_what_the_api_says_and_history_updates_after_edit_and_replay(
    served: tuple[OpsEnv, str], browser: Any, tmp_path: Path
) -> None:
    env, base = served
    env.feed(tmp_path / "in", [BAD_QTY])
    page = _operator_page(browser, base, env.tokens["operator"])
    page.locator("#letters-body a").first.click()
    page.wait_for_url(re.compile(r".*/ops/letters/\d+$"))
    letter_id = page.url.rsplit("/", 1)[1]

    # through either version the row fails again: the page says so, as the API does
    page.get_by_label("Mapping version").select_option("1")
    page.get_by_role("button", name="Dry run", exact=True).click()
    summary = page.locator("#dry-run-summary")
    summary.wait_for(state="visible")
    api = page.request.post(
        f"{base}/ops/api/dead-letters/{letter_id}/dry-run",
        data='{"mapping_version": 1}',
        headers={**env.headers("operator"), "Content-Type": "application/json"},
    ).json()
    assert summary.inner_text() == api["summary"]
    assert summary.inner_text().startswith("Would fail through csv.stock-count@1: ")
    assert (
        page.locator("#dry-run-change").inner_text()
        == api["change"]
        == ("Same outcome as the last attempt: it fails the same way.")
    )
    assert not page.locator("#diff").is_visible()
    assert "no difference" not in page.content()
    assert page.locator("#status").inner_text() == f"Dry run: {api['summary']}"
    _shot(page, "10-dry-run-would-fail")

    # the edited bytes would publish: the diff shows it
    page.get_by_label("Corrected bytes").fill(BAD_QTY.replace("twelve", "12"))
    page.get_by_role("button", name="Dry run edited").click()
    page.wait_for_function(
        "document.getElementById('dry-run-summary').textContent.startsWith('Would publish')"
    )
    assert "with the edited bytes" in summary.inner_text()
    assert page.locator("#diff").is_visible()
    _shot(page, "11-dry-run-edited")

    # edit and replay: status and history change on the page, no reload
    assert page.locator("#history").inner_text() == "No actions yet."
    page.get_by_role("button", name="Replay edited").click()
    page.locator("#confirm").get_by_role("button", name="Replay").click()
    page.wait_for_function("document.getElementById('letter-status').textContent === 'replayed'")
    assert "edit_and_replay by token:operator-test" in page.locator("#history").inner_text()
    assert not page.locator("#actions").is_visible()
    assert len(env.events()) == 1
    _shot(page, "12-history-after-edit-and-replay")
    page.context.close()


def test_the_reconcile_view_shows_each_file_s_balance_and_a_gap_by_line(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.config import Settings
    from tests.ops.conftest import make_env
    from tests.ops.test_reconcile_view import delete_letter_of_line, run_inbox

    settings = Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox")
    env = make_env(settings, tmp_path, monkeypatch)
    try:
        run_inbox(env)
        with _serving(env) as base:
            page = _operator_page(browser, base, env.tokens["viewer"])
            page.get_by_role("link", name="Reconcile").click()
            page.wait_for_url(f"{base}/ops/reconcile")
            verdict = page.locator("#reconcile-verdict")
            assert "2 files, every record accounted for" in verdict.inner_text()
            row = page.locator('#balances tr[data-file="a.csv"]')
            assert row.get_attribute("data-balanced") == "yes"
            assert row.locator("td").all_inner_texts()[1:4] == ["5", "3", "2"]
            _shot(page, "20-reconcile-balanced")

            delete_letter_of_line(env, 5)
            page.get_by_label("Or one file's name").fill("a.csv")
            page.get_by_role("button", name="Reconcile").click()
            page.wait_for_url(re.compile(r".*/ops/reconcile\?.*file=a.csv"))
            assert "1 of 1 file with gaps" in verdict.inner_text()
            assert row.get_attribute("data-balanced") == "no"
            gaps = page.locator(".gaps li").all_inner_texts()
            assert len(gaps) == 1
            assert gaps[0].startswith("line 5 (1 record): no dead letter")
            _shot(page, "21-reconcile-gap")
    finally:
        env.app.state.ops.close()
