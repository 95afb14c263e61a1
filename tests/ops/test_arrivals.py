"""New dead letters per hour and connector over a week, on SQLite and PostgreSQL, and the chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update

from hub.deadletter.model import DeadLetterRow
from hub.ops.arrivals import HOURS, Arrivals, hourly_arrivals, trend_chart
from tests.ops.conftest import BAD_QTY, BAD_TIME, COMMA, OpsEnv

NOW = datetime(2026, 12, 6, 14, 40, tzinfo=UTC)


def test_letters_are_counted_per_hour_of_first_failure_and_connector(
    ops_env: OpsEnv, tmp_path: Path
) -> None:
    ops_env.feed(tmp_path / "in", [COMMA, BAD_QTY, BAD_TIME, COMMA.replace("SKU-2", "SKU-3")])
    engine = ops_env.app.state.ops.engine
    with engine.begin() as conn:
        ids = list(conn.scalars(select(DeadLetterRow.id).order_by(DeadLetterRow.id)))
        when = [
            (NOW - timedelta(minutes=30), "edi-850"),  # 14:10, this hour
            (NOW - timedelta(minutes=39), "stock-count"),  # 14:01
            (NOW - timedelta(hours=3), "stock-count"),  # 11:40
            (NOW - timedelta(days=7), "stock-count"),  # a week ago: before the window
        ]
        for letter_id, (at, connector) in zip(ids, when, strict=True):
            conn.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == letter_id)
                .values(first_failed_at=at, connector=connector)
            )
    found = hourly_arrivals(engine, now=NOW)
    assert found.start == datetime(2026, 11, 29, 15, tzinfo=UTC)
    assert len(found.hours) == HOURS
    assert found.hours[-1] == datetime(2026, 12, 6, 14, tzinfo=UTC)
    assert found.counts == {
        datetime(2026, 12, 6, 14, tzinfo=UTC): {"edi-850": 1, "stock-count": 1},
        datetime(2026, 12, 6, 11, tzinfo=UTC): {"stock-count": 1},
    }
    assert found.totals() == {"stock-count": 2, "edi-850": 1}

    # a deleted letter leaves the count
    with engine.begin() as conn:
        conn.execute(delete(DeadLetterRow).where(DeadLetterRow.id == ids[0]))
    assert hourly_arrivals(engine, now=NOW).totals() == {"stock-count": 2}


def test_the_chart_stacks_the_busiest_connectors_and_greys_the_rest() -> None:
    start = datetime(2026, 11, 30, tzinfo=UTC)
    per = {f"c{i}": i + 1 for i in range(9)}  # nine connectors in one hour: c8 the busiest
    chart = trend_chart(Arrivals(start, {start + timedelta(hours=5): per}))
    assert [name for name, _, _ in chart.legend] == [
        "c8", "c7", "c6", "c5", "c4", "c3", "c2", "other connectors"
    ]  # fmt: skip
    assert chart.legend[-1][2] == 1 + 2  # c0 and c1
    assert chart.peak == sum(per.values()) == chart.total
    # the bars of the hour stack from the baseline to the top of the plot
    assert len(chart.bars) == 8
    assert min(b.y for b in chart.bars) == 10.0
    assert round(sum(b.height for b in chart.bars), 1) == chart.baseline - 10
    assert chart.rows == [("Mon 30 Nov 05:00", [9, 8, 7, 6, 5, 4, 3, 3])]
    assert chart.description.startswith("45 new dead letters since 30 Nov 00:00 UTC: c8 9,")
    assert "Busiest hour 30 Nov 05:00 UTC with 45." in chart.description
    assert [label for _, label in chart.x_ticks][:2] == ["Mon 30", "Tue 01"]


def test_an_empty_week_says_so() -> None:
    chart = trend_chart(Arrivals(datetime(2026, 11, 30, tzinfo=UTC), {}))
    assert chart.bars == []
    assert chart.total == 0
    assert chart.description == "No new dead letters since 30 Nov 00:00 UTC."
