"""The outage rider on the embedded bus and database: what it calls an outage, when it gives up."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy.exc

from hub.database import connect
from hub.errors import BrokerUnavailable, DatabaseUnavailable
from hub.outages import OutageRider, OutageTooLong, is_outage
from hub.storage import engine_for


def test_broker_and_database_failures_are_outages_and_file_errors_are_not() -> None:
    assert is_outage(BrokerUnavailable("gone"))
    assert is_outage(DatabaseUnavailable("gone"))
    assert is_outage(sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("shutdown")))
    assert is_outage(ConnectionResetError(104, "Connection reset by peer"))
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = BrokerUnavailable("gone")
    assert is_outage(wrapped)  # the cause counts
    assert not is_outage(PermissionError(13, "Permission denied", "inbox/a.csv"))
    assert not is_outage(ValueError("bad row"))


def test_a_failure_while_both_answer_goes_on_and_repeated_is_raised(tmp_path: Path) -> None:
    lines: list[str] = []
    engine = connect(f"sqlite:///{tmp_path / 'crossdock.db'}")
    rider = OutageRider(f"sqlite:///{tmp_path / 'bus.db'}", engine, lines.append)
    failure = BrokerUnavailable("connection reset")
    for _ in range(5):
        rider.ride(failure)
    assert lines[0].endswith("the broker and the database answer: going on")
    with pytest.raises(BrokerUnavailable):
        rider.ride(failure)  # the sixth in a minute with nothing down is no outage
    engine.dispose()


def test_a_database_that_stays_down_is_given_up_on_after_the_limit_in_one_line(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    gone = engine_for(f"sqlite:///{tmp_path / 'no-such-folder' / 'crossdock.db'}")
    rider = OutageRider(f"sqlite:///{tmp_path / 'bus.db'}", gone, lines.append, limit=0.5)
    with pytest.raises(OutageTooLong, match=r"gave up after waiting \d+ s: database down"):
        rider.ride(DatabaseUnavailable("gone"))
    assert len([line for line in lines if "paused: database down" in line]) == 1
    gone.dispose()
