"""GET /cohorts/<id>/report.json: the DOMAIN.md key sets, suppression, scope, audit, queries."""

from datetime import date, timedelta

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from journey.extensions import db
from journey.reports.queries import cohort_report, report_to_json
from tests import factories
from tests.conftest import login
from tests.reports.metrics_helpers import AS_OF, add, exit_, org_setup, small_cohort

# Written out from shared/DOMAIN.md "Report JSON", not imported from the code.
TOP = {"cohort", "as_of", "counts", "rates", "time_to_outcome", "funnel", "attendance",
       "sustained_6m", "distance_travelled", "breakdowns", "cost_per_outcome_sek"}
COHORT = {"id", "name", "program", "starts_on", "ends_on"}
COUNTS = {"enrolled", "active", "leavers", "job", "studies", "other", "job_unsubsidized",
          "job_subsidized", "self_employed", "studies_regular", "training", "job_seeking",
          "neutral", "dropout_unknown", "qualification_gained"}
RATES = {"job_or_studies", "job_or_studies_excl_neutral", "job", "studies"}
RATE = {"value", "numerator", "denominator", "ci_low", "ci_high"}
TIME = {"median_days", "q1_days", "q3_days", "cumulative"}
POINT = {"month", "share"}
FUNNEL = {"position", "name", "kind", "reached", "done"}
ATTENDANCE = {"attended", "no_show", "rate"}
SUSTAINED = {"positive", "recorded", "pending", "unknown", "rate"}
DISTANCE = {"area", "n", "mean_change", "improved_share"}
BREAKDOWNS = {"gender", "age_band", "birth_region", "isced", "long_term_unemployed",
              "district"}
BREAKDOWN_ROW = {"key", "enrolled", "leavers", "job_or_studies", "rate", "suppressed"}


def assert_contract(data: dict) -> None:
    assert set(data) == TOP
    assert set(data["cohort"]) == COHORT
    assert set(data["counts"]) == COUNTS
    assert set(data["rates"]) == RATES
    for rate in data["rates"].values():
        assert set(rate) == RATE
    assert set(data["time_to_outcome"]) == TIME
    assert [p["month"] for p in data["time_to_outcome"]["cumulative"]] == list(range(1, 25))
    assert all(set(p) == POINT for p in data["time_to_outcome"]["cumulative"])
    assert all(set(step) == FUNNEL for step in data["funnel"])
    assert set(data["attendance"]) == ATTENDANCE
    assert set(data["sustained_6m"]) == SUSTAINED
    assert all(set(d) == DISTANCE for d in data["distance_travelled"])
    assert set(data["breakdowns"]) == BREAKDOWNS
    for rows in data["breakdowns"].values():
        assert all(set(row) == BREAKDOWN_ROW for row in rows)


def test_json_has_exactly_the_contract_keys(db):
    s = small_cohort(cost_sek=1_000_000)
    data = report_to_json(cohort_report(s["cohort"], AS_OF))
    assert_contract(data)
    assert data["as_of"] == "2025-12-31"
    assert data["cohort"] == {"id": s["cohort"].id, "name": "Propellern 2016",
                              "program": "Propellern", "starts_on": "2025-01-01",
                              "ends_on": None}
    assert data["counts"]["studies_regular"] == 1 and data["counts"]["studies"] == 2
    assert data["rates"]["job_or_studies"]["value"] == 0.625  # a fraction, not a percentage
    assert data["cost_per_outcome_sek"] == 200_000
    assert data["attendance"]["rate"] == 0.667


def test_empty_cohort_json_has_nulls_not_zeros(db):
    s = org_setup()
    db.session.commit()
    data = report_to_json(cohort_report(s["cohort"], AS_OF))
    assert_contract(data)
    for rate in data["rates"].values():
        assert rate == {"value": None, "numerator": 0, "denominator": 0, "ci_low": None,
                        "ci_high": None}
    assert data["attendance"]["rate"] is None and data["sustained_6m"]["rate"] is None
    assert data["time_to_outcome"]["median_days"] is None
    assert data["cost_per_outcome_sek"] is None


def test_breakdown_cells_of_one_to_four_are_suppressed(db):
    # Gender: 12 women (8 leavers, 3 job) and 9 men (7 leavers, 6 job).
    s = org_setup()
    start = date(2025, 1, 1)
    for gender, n, leavers, jobs in (("woman", 12, 8, 3), ("man", 9, 7, 6)):
        for i in range(n):
            enr = add(s["cohort"], s["coach"], start, gender=gender)
            if i < leavers:
                exit_(enr, start + timedelta(days=40),
                      "job_unsubsidized" if i < jobs else "job_seeking")
    db.session.commit()
    data = report_to_json(cohort_report(s["cohort"], AS_OF))
    rows = {row["key"]: row for row in data["breakdowns"]["gender"]}
    # Primary: women's 3 jobs. Secondary: the women's row then has one hidden cell, so its
    # next-smallest (8 leavers) goes too; the job and leaver columns each have one hidden
    # cell, so the men's 6 and 7 go too. Enrolled stays: 12 and 9.
    assert rows["woman"] == {"key": "woman", "enrolled": 12, "leavers": None,
                             "job_or_studies": None, "rate": None, "suppressed": True}
    assert rows["man"] == {"key": "man", "enrolled": 9, "leavers": None,
                           "job_or_studies": None, "rate": None, "suppressed": True}
    # Zero rows are shown as they are.
    assert rows["non_binary"] == {"key": "non_binary", "enrolled": 0, "leavers": 0,
                                  "job_or_studies": 0, "rate": None, "suppressed": False}
    # Top-line counts are never suppressed.
    assert data["counts"]["job"] == 9 and data["counts"]["leavers"] == 15
    # Districts: all 21 in "unknown": nothing small.
    assert data["breakdowns"]["district"] == [
        {"key": "unknown", "enrolled": 21, "leavers": 15, "job_or_studies": 9,
         "rate": 0.6, "suppressed": False}]


# --- the route ----------------------------------------------------------------------------


def _url(cohort, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/cohorts/{cohort.id}/report.json" + (f"?{query}" if query else "")


def test_manager_gets_the_report_of_an_own_cohort_and_it_is_audited(client, login_as, world,
                                                                    db):
    cohort = world["enr_a"].cohort
    login_as(world["manager1"])
    response = client.get(_url(cohort, as_of="2030-01-01"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert_contract(data)
    assert data["as_of"] == "2030-01-01"
    assert data["counts"]["enrolled"] == 2 and data["cohort"]["name"] == "Jobbpunkt HT"
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).all()
    assert len(events) == 1
    assert (events[0].object_type, events[0].object_id) == ("cohort", cohort.id)
    assert events[0].user_id == world["manager1"].id
    assert events[0].organization_id == world["orgs"][0].id
    assert "2030-01-01" in events[0].detail


def test_as_of_defaults_to_today(client, login_as, world):
    login_as(world["manager1"])
    data = client.get(_url(world["enr_a"].cohort)).get_json()
    assert data["as_of"] == date.today().isoformat()
    assert data["counts"]["enrolled"] == 2


def test_invalid_as_of_is_a_400_with_a_json_message(client, login_as, world, db):
    login_as(world["manager1"])
    for bad in ("2025-13-01", "31/12/2025", "20251231", "igår"):
        response = client.get(_url(world["enr_a"].cohort, as_of=bad))
        assert response.status_code == 400, bad
        assert "Ange rapportdatumet som ÅÅÅÅ-MM-DD" in response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.export)) == 0


def test_scope_of_the_report(app, client, login_as, world):
    own, other = world["enr_a"].cohort, world["enr_c"].cohort
    assert client.get(_url(own)).status_code == 302
    assert "/login" in client.get(_url(own)).headers["Location"]
    login_as(world["manager1"])
    assert client.get(_url(own)).status_code == 200
    assert client.get(_url(other)).status_code == 404  # another organisation
    assert client.get("/cohorts/999999/report.json").status_code == 404
    for who in ("coach_a", "portal_a", "admin1"):
        other_client = app.test_client()
        login(other_client, world[who])
        assert other_client.get(_url(own)).status_code == 404, who
    manager2 = app.test_client()
    login(manager2, world["manager2"])
    assert manager2.get(_url(other)).status_code == 200


def _cohort_of_size(n: int):
    s = org_setup()
    start = date(2025, 1, 1)
    for i in range(n):
        enr = add(s["cohort"], s["coach"], start + timedelta(days=i % 20),
                  birth_date=date(1980 + i % 30, 1, 1), district=f"Område {i % 7}",
                  months=i % 30)
        factories.activity(enr, on=start + timedelta(days=25))
        if i % 3:
            exit_(enr, start + timedelta(days=60 + i), ("studies", "job_seeking")[i % 2])
    db.session.commit()
    return s


def test_query_count_does_not_grow_with_the_cohort(app, client, login_as, count_queries):
    small, large = _cohort_of_size(5), _cohort_of_size(60)
    login_as(small["manager"])
    client.get(_url(small["cohort"], as_of="2025-12-31"))  # warm up (session user etc.)
    with count_queries() as q_small:
        assert client.get(_url(small["cohort"], as_of="2025-12-31")).status_code == 200
    other = app.test_client()
    login(other, large["manager"])
    other.get(_url(large["cohort"], as_of="2025-12-31"))
    with count_queries() as q_large:
        response = other.get(_url(large["cohort"], as_of="2025-12-31"))
    assert response.get_json()["counts"]["enrolled"] == 60
    assert q_small.count == q_large.count
    assert q_large.count <= 12, q_large.statements
