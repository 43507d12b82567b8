"""Small, pure statistics for the reports (no database, no Flask).

Everything here is written out by hand so that the numbers in a report can be
checked with pencil and paper against the definitions in shared/DOMAIN.md.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Two-sided 95 %: the 0.975 quantile of the standard normal distribution.
Z_95 = 1.959963984540054
# Counts of 1..SMALL_CELL_MAX are "small cells" and never leave the app.
SMALL_CELL_MAX = 4
DAYS_PER_MONTH = 30

EVENT = "event"
COMPETING = "competing"
CENSORED = "censored"


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval for ``k`` successes out of ``n``; ``None`` when ``n`` is 0."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError("k must lie between 0 and n")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At k = 0 (k = n) the bound is exactly 0 (1); avoid the rounding noise there.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def share(k: int, n: int) -> float | None:
    """``k / n``, or ``None`` (never 0) when there is no denominator."""
    return k / n if n else None


@dataclass(frozen=True)
class Quartiles:
    q1: float
    median: float
    q3: float


def _quantile(sorted_values: Sequence[float], p: float) -> float:
    # Linear interpolation between closest ranks (Hyndman & Fan type 7, the
    # default of numpy and R): h = (n - 1)·p, then interpolate x[⌊h⌋]..x[⌊h⌋+1].
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def quartiles(sorted_values: Sequence[float]) -> Quartiles | None:
    """Q1, median and Q3 of already sorted values (type 7); ``None`` when empty."""
    if not sorted_values:
        return None
    return Quartiles(
        q1=_quantile(sorted_values, 0.25),
        median=_quantile(sorted_values, 0.5),
        q3=_quantile(sorted_values, 0.75),
    )


def aalen_johansen_cumulative(
    events: Iterable[tuple[int, str]], months: int = 24
) -> list[float]:
    """Cumulative incidence of ``"event"`` at day 30·m for m = 1..``months``.

    ``events`` holds one ``(time_days, kind)`` per enrollment, where kind is
    ``"event"`` (job or studies), ``"competing"`` (any other exit) or
    ``"censored"`` (still active at the report date; time = as_of − enrolled_on).

    Aalen–Johansen with one competing risk: at each distinct time t with n at
    risk, d1 events and d2 competing events, CIF += S(t−)·d1/n and
    S(t) *= 1 − (d1 + d2)/n; those censored at t leave the risk set after the
    events at t. Without censoring this is exactly the plain share of all
    enrollments with an event by day t. An empty input gives all zeros.
    """
    by_time: dict[int, list[int]] = {}
    for time_days, kind in events:
        counts = by_time.setdefault(int(time_days), [0, 0, 0])
        if kind == EVENT:
            counts[0] += 1
        elif kind == COMPETING:
            counts[1] += 1
        elif kind == CENSORED:
            counts[2] += 1
        else:
            raise ValueError(f"unknown kind {kind!r}")
    return aalen_johansen_from_counts(by_time, months)


def aalen_johansen_from_counts(
    by_time: Mapping[int, Sequence[int]], months: int = 24
) -> list[float]:
    """:func:`aalen_johansen_cumulative` from the enrollments counted per time:
    ``by_time[t] = (events, competing, censored)`` at ``t`` days (as a database
    GROUP BY gives them)."""
    at_risk = sum(sum(c) for c in by_time.values())
    survival = 1.0
    cif = 0.0
    steps: list[tuple[int, float]] = []  # (time, CIF just after time)
    for time_days in sorted(by_time):
        d1, d2, censored = by_time[time_days]
        if at_risk > 0 and (d1 or d2):
            cif += survival * d1 / at_risk
            survival *= 1 - (d1 + d2) / at_risk
        steps.append((time_days, cif))
        at_risk -= d1 + d2 + censored
    result = []
    index, current = 0, 0.0
    for month in range(1, months + 1):
        day = DAYS_PER_MONTH * month
        while index < len(steps) and steps[index][0] <= day:
            current = steps[index][1]
            index += 1
        result.append(current)
    return result


def is_small(count: int | None) -> bool:
    """1–4 is a small cell; 0 is not (an empty cell reveals nobody)."""
    return count is not None and 1 <= count <= SMALL_CELL_MAX


def suppress(rows: Sequence[Mapping], count_keys: Sequence[str]) -> list[frozenset[str]]:
    """Which cells of a breakdown table to hide; one set of column names per row.

    The table is one breakdown (e.g. gender): a row per breakdown key and a
    column per name in ``count_keys`` (for the reports: ``enrolled``,
    ``leavers``, ``job_or_studies``). Each column sums to the cohort's
    top-line count, which is published, so a single hidden cell in a column
    could be recovered by subtraction.

    1. Primary: every count of 1–4 is hidden. Zeros are never hidden.
    2. Secondary, repeated until nothing changes: wherever a row or a column
       has exactly one hidden cell, the smallest other non-zero cell in that
       row or column is hidden too (ties: the first in row order, or in
       ``count_keys`` order). When no such cell exists (all the others are 0)
       nothing more can be hidden there.
    """
    hidden = [
        {key for key in count_keys if is_small(row[key])} for row in rows
    ]

    def hide_smallest(cells: list[tuple[int, str]]) -> bool:
        candidates = [
            (rows[r][key], r, count_keys.index(key))
            for r, key in cells
            if key not in hidden[r] and rows[r][key]
        ]
        if not candidates:
            return False
        _value, r, k = min(candidates)
        hidden[r].add(count_keys[k])
        return True

    changed = True
    while changed:
        changed = False
        for r in range(len(rows)):
            if len(hidden[r]) == 1:
                changed |= hide_smallest([(r, key) for key in count_keys])
        for key in count_keys:
            if sum(1 for r in range(len(rows)) if key in hidden[r]) == 1:
                changed |= hide_smallest([(r, key) for r in range(len(rows))])
    return [frozenset(h) for h in hidden]
