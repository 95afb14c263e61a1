"""Many hubs, one inbox: each file is claimed in the database before it is read (issue 16).

What three real hubs on one inbox do (each file's events sent once, one hub killed) is
``tests/chaos``'s case; these are the claim's own rules, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.database import connect
from hub.errors import SourceBusy
from hub.file_claims import file_claim
from tests.services import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        built = connect(f"sqlite:///{tmp_path / 'hub.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        built = connect(url)
    yield built
    built.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


def _file(tmp_path: Path, name: str = "count.csv", text: str = "store_id,sku\n1,A\n") -> Path:
    path = tmp_path / "inbox" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_a_file_held_by_one_hub_is_passed_by_the_others(engine: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path)
    with file_claim(engine, path, "stock-count"):
        with pytest.raises(SourceBusy):
            file_claim(engine, path, "stock-count").acquire()
        # another file, or the same name for another connector, is another claim
        with file_claim(engine, _file(tmp_path, "other.csv"), "stock-count"):
            pass
        with file_claim(engine, path, "price-list"):
            pass
    with file_claim(engine, path, "stock-count"):  # let go once settled: free again
        pass


def test_a_claim_of_a_process_gone_from_this_host_is_taken_over_at_once(
    engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path)
    killed = file_claim(engine, path, "stock-count")
    killed.holder = f"{socket.gethostname()}:{_dead_pid()}:deadbeef"
    killed.acquire()
    with file_claim(engine, path, "stock-count") as taken:  # no wait for its 30 s
        assert taken.holder.startswith(f"{socket.gethostname()}:{os.getpid()}:")


def test_a_claim_of_a_live_hub_elsewhere_is_kept_until_it_expires(
    engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path)
    elsewhere = file_claim(engine, path, "stock-count")
    elsewhere.holder = "another-host:4242:cafe0000"
    elsewhere.acquire()
    with pytest.raises(SourceBusy, match="another-host:4242"):
        file_claim(engine, path, "stock-count").acquire()


def test_a_file_gone_before_its_claim_is_not_claimed(engine: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path)
    path.unlink()
    with pytest.raises(FileNotFoundError):
        file_claim(engine, path, "stock-count")
