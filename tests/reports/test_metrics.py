"""cohort_report: every number of DOMAIN.md "Report definitions" on hand-built cohorts."""

from datetime import date, timedelta

import pytest

from journey.reports.queries import breakdown_counts, cohort_report
from tests.reports.metrics_helpers import AS_OF, ENROLLED_ON, add, exit_, org_setup, small_cohort


def test_small_cohort_with_every_outcome_code(db):
    s = small_cohort(cost_sek=500_000)
    report = cohort_report(s["cohort"], AS_OF)
    c = report.counts
    # The late enrollment (2026-01-05) is not counted; the exit of 2026-01-15 is not a leaver.
    assert (c.enrolled, c.active, c.leavers) == (10, 2, 8)
    assert (c.job, c.studies, c.other) == (3, 2, 3)
    assert [c.job_unsubsidized, c.job_subsidized, c.self_employed, c.studies_regular,
            c.training, c.job_seeking, c.neutral, c.dropout_unknown] == [1] * 8
    assert c.outcome("studies") == 1 and c.qualification_gained == 2

    r = report.rates
    assert (r.job_or_studies.numerator, r.job_or_studies.denominator) == (5, 8)
    assert r.job_or_studies.value == pytest.approx(0.625)
    assert (r.job_or_studies_excl_neutral.numerator,
            r.job_or_studies_excl_neutral.denominator) == (5, 7)
    assert (r.job.numerator, r.job.denominator, r.studies.numerator) == (3, 8, 2)
    assert r.job_or_studies.ci_low < 0.625 < r.job_or_studies.ci_high

    # Days to a job/studies outcome: 30, 60, 90, 120, 150.
    t = report.time_to_outcome
    assert (t.n, t.q1_days, t.median_days, t.q3_days) == (5, 60, 90, 120)
    # Exits at 30/60/90 days are one event and one competing each; two censored at 355 days:
    # AJ gives 0.1 per month up to 0.5 (= 5/10, the censoring comes after every exit).
    shares = [p.share for p in t.cumulative]
    assert [p.month for p in t.cumulative] == list(range(1, 25))
    assert shares[:5] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert shares[5:] == pytest.approx([0.5] * 19)

    funnel = [(f.position, f.name, f.kind, f.reached, f.done) for f in report.funnel]
    assert funnel == [
        (1, "Profilanalys", "profile_analysis", 10, 10),
        (2, "Coachning", "coaching", 8, 3),
        (3, "Nätverk", "networking", 0, 0),
        (4, "Praktik", "internship", 0, 0),  # lowest enrollment id's name, not "Annat namn"
    ]
    a = report.attendance
    assert (a.attended, a.no_show) == (2, 1) and a.rate == pytest.approx(2 / 3)
    f = report.sustained_6m
    assert (f.positive, f.recorded, f.pending, f.unknown) == (2, 4, 2, 1)
    assert f.rate == pytest.approx(0.5)

    distance = {d.area: (d.n, d.mean_change, d.improved_share) for d in report.distance_travelled}
    assert distance["job_skills"] == (2, 2.0, 0.5)  # +3 and +1
    assert distance["motivation"] == (1, 0.0, 0.0)
    assert distance["language"] == (1, 3.0, 1.0)  # the second enrollment's later score is too late
    assert distance["health"] == (0, None, None)
    assert len(distance) == 7

    assert report.cost_per_outcome_sek == pytest.approx(100_000)
    assert report.cohort.program == "Propellern" and report.as_of == AS_OF


def test_breakdown_counts_classify_at_enrollment(db):
    s = small_cohort()
    b = breakdown_counts(s["cohort"].id, AS_OF)
    assert b["gender"] == {"woman": [5, 4, 3], "man": [3, 3, 1], "non_binary": [1, 1, 1],
                           "unknown": [1, 0, 0]}
    # 18 on the day of enrollment is 18-29; 30 on the day is 30-54; 55 on the day is 55+.
    assert b["age_band"] == {"<18": [1, 1, 1], "18-29": [4, 2, 2], "30-54": [3, 3, 1],
                             "55+": [1, 1, 1], "unknown": [1, 1, 0]}
    # > 12 months, or > 6 months when under 25; 25-year-olds with 10 months are not.
    assert b["long_term_unemployed"] == {"yes": [4, 3, 2], "no": [4, 3, 2],
                                         "unknown": [2, 2, 1]}
    assert b["isced"] == {"isced_0_2": [2, 2, 1], "isced_3_4": [3, 2, 1],
                          "isced_5_8": [3, 3, 2], "unknown": [2, 1, 1]}
    assert b["birth_region"] == {"sweden": [3, 2, 1], "europe": [2, 1, 1],
                                 "outside_europe": [4, 4, 2], "unknown": [1, 1, 1]}
    assert list(b["district"].items()) == [("Bäckby", [4, 4, 2]), ("Råby", [2, 2, 2]),
                                           ("Skiljebo", [2, 0, 0]), ("unknown", [2, 2, 1])]


def test_earlier_as_of_leaves_out_later_enrollments_and_exits(db):
    s = small_cohort()
    report = cohort_report(s["cohort"], date(2025, 3, 31))
    c = report.counts
    # Leavers by 2025-03-31: exits on 02-09 (job, dropout) and 03-11 (job, job seeking).
    assert (c.enrolled, c.leavers, c.active) == (10, 4, 6)
    assert (c.job, c.studies, c.other, c.qualification_gained) == (2, 0, 2, 1)
    assert report.rates.job_or_studies.value == pytest.approx(0.5)
    assert report.sustained_6m.recorded == 0 and report.sustained_6m.pending == 0
    before_everyone = cohort_report(s["cohort"], date(2025, 1, 9))
    assert before_everyone.counts.enrolled == 0
    assert before_everyone.rates.job_or_studies.value is None
    assert before_everyone.attendance.attended == 0


def test_empty_cohort_has_null_rates_and_no_crash(db):
    s = org_setup(cost_sek=100_000)
    db.session.commit()
    report = cohort_report(s["cohort"], AS_OF)
    assert report.counts.enrolled == 0 and report.counts.leavers == 0
    for rate in (report.rates.job_or_studies, report.rates.job_or_studies_excl_neutral,
                 report.rates.job, report.rates.studies):
        assert (rate.value, rate.ci_low, rate.ci_high, rate.denominator) == (None, None, None, 0)
    t = report.time_to_outcome
    assert (t.median_days, t.q1_days, t.q3_days) == (None, None, None)
    assert [p.share for p in t.cumulative] == [0.0] * 24
    assert report.funnel == []
    assert report.attendance.rate is None and report.sustained_6m.rate is None
    assert report.cost_per_outcome_sek is None  # cost set, but no outcome to divide by
    assert all(row.enrolled == 0 and not row.suppressed
               for row in report.breakdowns["gender"])
    assert report.breakdowns["district"] == []


def test_fully_censored_cohort(db):
    s = org_setup()
    for i in range(6):
        add(s["cohort"], s["coach"], ENROLLED_ON + timedelta(days=i))
    db.session.commit()
    report = cohort_report(s["cohort"], AS_OF)
    assert (report.counts.enrolled, report.counts.active, report.counts.leavers) == (6, 6, 0)
    assert [p.share for p in report.time_to_outcome.cumulative] == [0.0] * 24
    assert report.time_to_outcome.median_days is None
    assert report.rates.job_or_studies.value is None
    assert report.cost_per_outcome_sek is None


def test_ties_in_exit_times(db):
    s = org_setup()
    start = date(2025, 1, 1)
    outcomes = ["job_unsubsidized", "studies", "job_seeking", "neutral"]
    for outcome in outcomes:
        exit_(add(s["cohort"], s["coach"], start), start + timedelta(days=45), outcome)
    add(s["cohort"], s["coach"], start)  # active: censored at as_of (day 100)
    db.session.commit()
    report = cohort_report(s["cohort"], start + timedelta(days=100))
    shares = [p.share for p in report.time_to_outcome.cumulative]
    # Day 45: n=5, two events -> 2/5 from month 2 on; nobody else has an event.
    assert shares[0] == 0.0
    assert shares[1:] == pytest.approx([0.4] * 23)
    t = report.time_to_outcome
    assert (t.q1_days, t.median_days, t.q3_days) == (45, 45, 45)
    assert report.rates.job_or_studies_excl_neutral.denominator == 3


def _wilson(k: int, n: int) -> tuple[float, float]:
    # Written out independently of journey.reports.stats.
    z = 1.959963984540054
    p = k / n
    denominator = 1 + z**2 / n
    centre = p + z**2 / (2 * n)
    spread = z * ((p * (1 - p) + z**2 / (4 * n)) / n) ** 0.5
    return (centre - spread) / denominator, (centre + spread) / denominator


def propellern(db):
    """133 participants, all exited: 50 job, 32 studies, 51 other, at varied days."""
    s = org_setup(starts_on=date(2016, 1, 1), cost_sek=8_200_000)
    start = date(2016, 1, 4)
    plan = ["job_unsubsidized"] * 50 + ["training"] * 32 + ["job_seeking"] * 51
    days = []
    for i, outcome in enumerate(plan):
        day = 10 + (i * 37) % 700
        days.append((day, outcome))
        exit_(add(s["cohort"], s["coach"], start), start + timedelta(days=day), outcome)
    db.session.commit()
    return s, days


def test_propellern_shaped_cohort(db):
    s, days = propellern(db)
    report = cohort_report(s["cohort"], date(2018, 12, 31))
    rate = report.rates.job_or_studies
    assert (rate.numerator, rate.denominator) == (82, 133)
    assert round(rate.value, 3) == 0.617
    low, high = _wilson(82, 133)
    assert rate.ci_low == pytest.approx(low, abs=1e-12)
    assert rate.ci_high == pytest.approx(high, abs=1e-12)
    assert report.counts.active == 0 and report.cost_per_outcome_sek == pytest.approx(100_000)
    # No censoring: Aalen–Johansen is the plain share of all 133 with job/studies by day 30·m.
    for point in report.time_to_outcome.cumulative:
        plain = sum(1 for d, o in days
                    if o != "job_seeking" and d <= 30 * point.month) / 133
        assert point.share == pytest.approx(plain)
    assert report.time_to_outcome.cumulative[-1].share == pytest.approx(82 / 133)


@pytest.mark.parametrize("portable", [False, True])
def test_both_distance_query_forms_give_the_same_figures(db, monkeypatch, portable):
    # PostgreSQL runs its own LATERAL form and SQLite the pairs join (each is faster
    # there, and SQLite has no LATERAL); both must give the hand-computed figures.
    # The portable pairs form is also checked on whichever database runs.
    from journey.reports import queries

    if portable:
        monkeypatch.setattr(queries, "_score_changes_by_lateral",
                            queries._score_changes_by_pairs)
    s = small_cohort()
    distance = {d.area: (d.n, d.mean_change, d.improved_share)
                for d in cohort_report(s["cohort"], AS_OF).distance_travelled}
    assert distance["job_skills"] == (2, 2.0, 0.5)
    assert distance["motivation"] == (1, 0.0, 0.0)
    assert distance["language"] == (1, 3.0, 1.0)
    assert distance["health"] == (0, None, None)
    assert len(distance) == 7


def test_days_to_outcome_across_month_year_and_leap_day(db):
    # The days are counted by the database (both dialects): over 29 February, a
    # year end and a 31-day month, and from enrollment to as_of for the censored.
    s = org_setup(starts_on=date(2023, 1, 1))
    spans = [(date(2024, 2, 27), date(2024, 3, 1)),    # 3 days over the leap day
             (date(2023, 12, 30), date(2024, 1, 2)),   # 3 days over a year end
             (date(2024, 1, 31), date(2024, 3, 31))]   # 60 days
    for enrolled_on, exited_on in spans:
        exit_(add(s["cohort"], s["coach"], enrolled_on), exited_on, "job_unsubsidized")
    # Censored at as_of after 2024-02-29 + 31 days: still at risk on day 30.
    add(s["cohort"], s["coach"], date(2024, 2, 29))
    db.session.commit()
    report = cohort_report(s["cohort"], date(2024, 3, 31))
    t = report.time_to_outcome
    assert (t.n, t.q1_days, t.median_days, t.q3_days) == (3, 3, 3, 31.5)
    # Month 1 (day 30): two events among four at risk; month 2: the 60-day event
    # happens after the censored enrollment (31 days) left the risk set.
    shares = [p.share for p in t.cumulative]
    assert shares[0] == pytest.approx(2 / 4)
    assert shares[1] == pytest.approx(2 / 4 + (2 / 4) * (1 / 1))
