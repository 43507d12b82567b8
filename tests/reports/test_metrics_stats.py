"""The pure statistics of the reports, against hand-computed values."""

import math

import pytest

from journey.reports import stats


def test_wilson_interval_against_the_textbook_formula():
    # 82 of 133 (Propellern): centre and half-width written out here.
    k, n, z = 82, 133, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = (z / (1 + z * z / n)) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = stats.wilson_interval(k, n)
    assert low == pytest.approx(centre - half, abs=1e-12)
    assert high == pytest.approx(centre + half, abs=1e-12)
    assert (round(low, 3), round(high, 3)) == (0.532, 0.695)


def test_wilson_interval_edges():
    assert stats.wilson_interval(0, 0) is None
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = stats.wilson_interval(10, 10)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-4)
    with pytest.raises(ValueError):
        stats.wilson_interval(11, 10)


def test_quartiles_interpolate_between_closest_ranks():
    # numpy's default (type 7): h = (n - 1)p.
    q = stats.quartiles([1, 2, 3, 4])
    assert (q.q1, q.median, q.q3) == (1.75, 2.5, 3.25)
    q = stats.quartiles([30, 60, 90, 120, 150])
    assert (q.q1, q.median, q.q3) == (60, 90, 120)
    q = stats.quartiles([7])
    assert (q.q1, q.median, q.q3) == (7, 7, 7)
    q = stats.quartiles([10, 20])
    assert (q.q1, q.median, q.q3) == (12.5, 15, 17.5)
    assert stats.quartiles([]) is None


def test_aalen_johansen_without_censoring_is_the_plain_share():
    days = [5, 25, 30, 31, 59, 60, 61, 90, 400, 700]
    kinds = ["event", "competing", "event", "event", "competing", "event", "event",
             "competing", "event", "competing"]
    cumulative = stats.aalen_johansen_cumulative(list(zip(days, kinds, strict=True)))
    assert len(cumulative) == 24
    for month, share in enumerate(cumulative, start=1):
        plain = sum(1 for d, k in zip(days, kinds, strict=True)
                    if k == "event" and d <= 30 * month) / len(days)
        assert share == pytest.approx(plain)
    assert cumulative[0] == pytest.approx(0.2)  # day 5 and day 30 (month 1 ends at day 30)
    assert cumulative[1] == pytest.approx(0.4)
    assert cumulative[23] == pytest.approx(0.6)


def test_aalen_johansen_with_censoring_by_hand():
    events = [(10, "event"), (20, "censored"), (30, "event"), (30, "competing"),
              (30, "censored"), (40, "event")]
    # t=10: n=6, CIF = 1/6, S = 5/6. t=20: one censored, n=4.
    # t=30: n=4, CIF += 5/6·1/4 = 5/24 -> 9/24, S = 5/6·(1 - 2/4) = 5/12; then the
    #       one censored at 30 leaves (after the events), n = 1.
    # t=40: n=1, CIF += 5/12·1/1 -> 19/24.
    month1, month2 = stats.aalen_johansen_cumulative(events, months=2)
    assert month1 == pytest.approx(9 / 24)
    assert month2 == pytest.approx(19 / 24)


def test_aalen_johansen_ties_and_empty_and_all_censored():
    ties = [(30, "event"), (30, "event"), (30, "competing"), (30, "censored")]
    # n=4 at day 30: 2 events -> 2/4 (the censored one is still at risk at 30).
    assert stats.aalen_johansen_cumulative(ties, months=1) == [pytest.approx(0.5)]
    assert stats.aalen_johansen_cumulative([], months=3) == [0.0, 0.0, 0.0]
    censored = [(d, "censored") for d in (5, 50, 500)]
    assert stats.aalen_johansen_cumulative(censored) == [0.0] * 24
    with pytest.raises(ValueError):
        stats.aalen_johansen_cumulative([(1, "moved")])


KEYS = ("enrolled", "leavers", "job_or_studies")


def _table(*cells):
    return [dict(zip(KEYS, c, strict=True)) for c in cells]


def test_suppression_primary_and_secondary():
    rows = _table((30, 20, 12), (12, 8, 3), (9, 7, 6), (0, 0, 0))
    hidden = stats.suppress(rows, KEYS)
    # Primary: the 3. Row B then has one hidden cell: its smallest other, leavers 8.
    # Columns job_or_studies and leavers each have one hidden cell: their next-smallest
    # non-zero cells are C's 6 and 7. Zeros are never hidden.
    assert hidden == [frozenset(), frozenset({"leavers", "job_or_studies"}),
                      frozenset({"leavers", "job_or_studies"}), frozenset()]


def test_suppression_zeros_and_ties_and_nothing_small():
    rows = _table((2, 0, 0), (10, 5, 5))
    hidden = stats.suppress(rows, KEYS)
    # enrolled 2 hidden; its row has only zeros besides; the enrolled column then
    # hides 10, and that row hides the first of its tied smallest cells (leavers).
    assert hidden == [frozenset({"enrolled"}), frozenset({"enrolled", "leavers"})]
    assert stats.suppress(_table((5, 5, 5), (0, 0, 0)), KEYS) == [frozenset(), frozenset()]
    # Every cell of 1-4 is hidden, whatever else happens.
    assert stats.suppress(_table((4, 1, 1)), KEYS) == [frozenset(KEYS)]
