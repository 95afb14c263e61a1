"""New dead letters per hour per connector over the last week, and the chart that shows them.

Counted from the letters themselves (the hour of their first failure), so the picture is there
on the first load of the page, whoever watched before: triggers keep the counts per hour and
connector as letters are written (``dead_letter_hourly``, :mod:`hub.ops.storage`), so the week
is at most 168 × connectors rows however many letters there are. The chart is plain SVG
geometry for the page's template (no script, no CDN): stacked bars per hour, one colour per
connector, with a title, a description and the same numbers as a table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from hub.ops.storage import HOURLY

__all__ = ["Arrivals", "Bar", "TrendChart", "hourly_arrivals", "trend_chart"]

HOURS = 7 * 24
_KEY = "%Y-%m-%d %H"  # the hourly table's hour
#: Okabe and Ito's colours (told apart with any colour vision), darkest first; yellow is left
#: out (too pale on white). Connectors beyond these share the grey of "other".
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
OTHER = "other connectors"
OTHER_COLOUR = "#8c8c8c"

# the chart's drawing box (SVG user units); the bars fill the plot area
WIDTH, HEIGHT = 860, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 24
BAR = (WIDTH - LEFT - RIGHT) / HOURS


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Counts per (hour, connector) for the ``HOURS`` hours ending with ``end``'s hour."""

    start: datetime
    counts: dict[datetime, dict[str, int]]

    @property
    def hours(self) -> list[datetime]:
        """Every hour of the window, oldest first."""
        return [self.start + timedelta(hours=i) for i in range(HOURS)]

    def totals(self) -> dict[str, int]:
        """Letters per connector over the window, largest first."""
        out: dict[str, int] = defaultdict(int)
        for per in self.counts.values():
            for connector, n in per.items():
                out[connector] += n
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _hour(value: datetime) -> datetime:
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hourly_arrivals(engine: Engine, *, now: datetime | None = None) -> Arrivals:
    """New dead letters (any status now) per hour of first failure and connector, a week."""
    start = _hour(now or datetime.now(UTC)) - timedelta(hours=HOURS - 1)
    stmt = select(HOURLY.c.hour, HOURLY.c.connector, HOURLY.c.n).where(
        HOURLY.c.hour >= start.strftime(_KEY), HOURLY.c.n > 0
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    with engine.connect() as conn:
        for hour, connector, n in conn.execute(stmt):
            counts[hour][connector] = int(n)
    # 'YYYY-MM-DD HH' read once per hour (strptime per row cost more than the query)
    return Arrivals(
        start,
        {
            datetime.fromisoformat(f"{hour}:00").replace(tzinfo=UTC): per
            for hour, per in counts.items()
        },
    )


@dataclass(frozen=True, slots=True)
class Bar:
    """One connector's part of one hour's bar."""

    x: float
    y: float
    height: float
    colour: str
    label: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    """What the template draws: bars, axes, legend, words, and the fallback table."""

    bars: list[Bar]
    peak: int
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    legend: list[tuple[str, str, int]]
    description: str
    #: the table: one row per hour that had letters (hour label, counts in legend order)
    rows: list[tuple[str, list[int]]]
    width: int = WIDTH
    bar_width: float = round(BAR * 0.8, 2)
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def total(self) -> int:
        """Letters in the week."""
        return sum(n for _, _, n in self.legend)


def trend_chart(arrivals: Arrivals) -> TrendChart:
    """Stacked bars per hour for ``arrivals``: the seven busiest connectors in colour."""
    totals = arrivals.totals()
    named = list(totals)[: len(PALETTE)]
    colours = dict(zip(named, PALETTE, strict=False))
    legend = [(c, colours[c], totals[c]) for c in named]
    rest = sum(n for c, n in totals.items() if c not in colours)
    if rest:
        legend.append((OTHER, OTHER_COLOUR, rest))

    def grouped(per: dict[str, int]) -> dict[str, int]:
        out = {c: per[c] for c in named if per.get(c)}
        other = sum(n for c, n in per.items() if c not in colours)
        return {**out, OTHER: other} if other else out

    hours = arrivals.hours
    stacks = [grouped(arrivals.counts.get(h, {})) for h in hours]
    peak = max((sum(s.values()) for s in stacks), default=0)
    scale = (HEIGHT - TOP - BOTTOM) / max(peak, 1)
    bars: list[Bar] = []
    rows: list[tuple[str, list[int]]] = []
    for i, (hour, stack) in enumerate(zip(hours, stacks, strict=True)):
        if not stack:
            continue
        label = hour.strftime("%a %d %b %H:00")
        rows.append((label, [stack.get(name, 0) for name, _, _ in legend]))
        y = float(HEIGHT - BOTTOM)
        for name, colour, _ in legend:
            n = stack.get(name, 0)
            if not n:
                continue
            y -= n * scale
            bars.append(
                Bar(
                    round(LEFT + i * BAR, 2),
                    round(y, 2),
                    round(n * scale, 2),
                    colour,
                    f"{name}, {label} UTC: {n}",
                )
            )
    x_ticks = [
        (round(LEFT + i * BAR, 2), hour.strftime("%a %d"))
        for i, hour in enumerate(hours)
        if hour.hour == 0
    ]
    y_ticks = [(float(HEIGHT - BOTTOM - v * scale), v) for v in sorted({peak, peak // 2}) if v]
    return TrendChart(
        bars, peak, y_ticks, x_ticks, legend, _describe(hours, stacks, legend, peak), rows
    )


def _describe(
    hours: list[datetime],
    stacks: list[dict[str, int]],
    legend: list[tuple[str, str, int]],
    peak: int,
) -> str:
    """The chart in words, for screen readers (the SVG's ``desc``)."""
    since = hours[0].strftime("%d %b %H:00")
    if not legend:
        return f"No new dead letters since {since} UTC."
    parts = ", ".join(f"{name} {n}" for name, _, n in legend)
    busiest = max(range(len(hours)), key=lambda i: sum(stacks[i].values()))
    at = hours[busiest].strftime("%d %b %H:00")
    return (
        f"{sum(n for _, _, n in legend)} new dead letters since {since} UTC: {parts}. "
        f"Busiest hour {at} UTC with {peak}."
    )
