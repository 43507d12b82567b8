"""Every page runs the same number of SQL statements for 10 and for 500 participants.

The two data sets come from the synthetic seeder (bulk inserts, so the larger one
costs a few seconds), with the same shape: programmes, cohorts, steps, activities,
plan items, assessments, exits, follow-ups and audit events. Each page is opened
once to warm up and once counted, as the bench coach, the bench manager or an
admin of the same organisation.
"""

import time

import pytest
import sqlalchemy as sa

from journey.auth.session import LOGIN_AT, SEEN_AT
from journey.enums import EnrollmentStatus, Role
from journey.extensions import db as _db
from journey.models import Enrollment, User
from journey.synthetic.seed import seed_synthetic
from tests import factories
from tests.conftest import _empty_tables

SIZES = (10, 500)

# (who, page) — the page is built from the ids of the data set.
PAGES = [
    ("coach", lambda ids: "/caseload"),
    ("coach", lambda ids: "/caseload/attention"),
    ("coach", lambda ids: "/participants"),
    ("coach", lambda ids: f"/participants/{ids['participant']}"),
    ("coach", lambda ids: f"/participants/{ids['participant']}/edit"),
    ("coach", lambda ids: f"/participants/{ids['participant']}/portal"),
    ("coach", lambda ids: f"/participants/{ids['participant']}/enroll"),
    ("coach", lambda ids: f"/participants/{ids['participant']}/enroll?cohorts=all"),
    ("coach", lambda ids: f"/enrollments/{ids['enrollment']}"),
    ("coach", lambda ids: f"/enrollments/{ids['enrollment']}/activities/earlier"),
    ("coach", lambda ids: f"/enrollments/{ids['enrollment']}/edit"),
    ("coach", lambda ids: f"/enrollments/{ids['enrollment']}/exit"),
    ("coach", lambda ids: "/group-sessions"),
    ("coach", lambda ids: f"/cohorts/{ids['cohort']}/group-sessions/new"),
    ("manager", lambda ids: "/participants"),
    ("manager", lambda ids: f"/cohorts/{ids['cohort']}"),
    ("manager", lambda ids: f"/cohorts/{ids['cohort']}/report"),
    ("manager", lambda ids: f"/cohorts/{ids['cohort']}/report.json"),
    ("manager", lambda ids: f"/cohorts/{ids['cohort']}/report.csv"),
    ("manager", lambda ids: f"/cohorts/{ids['cohort']}/esf.csv"),
    ("manager", lambda ids: "/programs"),
    ("manager", lambda ids: f"/programs/{ids['program']}"),
    ("manager", lambda ids: f"/programs/{ids['program']}/report"),
    ("manager", lambda ids: "/reports"),
    ("admin", lambda ids: "/admin/users"),
    ("admin", lambda ids: "/admin/audit"),
]


def _log_in(client, user) -> None:
    now = int(time.time())
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[LOGIN_AT] = now
        session[SEEN_AT] = now


def _measure(app, size: int) -> dict[str, int]:
    _empty_tables()
    result = seed_synthetic(size, seed=11)
    users = {
        "coach": _db.session.scalars(
            sa.select(User).where(User.email == result.bench_coach_email)).one(),
        "manager": _db.session.scalars(
            sa.select(User).where(User.email == result.bench_manager_email)).one(),
    }
    users["admin"] = factories.user(Role.admin, users["manager"].organization)
    enrollment = _db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.coach_id == users["coach"].id,
               Enrollment.status == EnrollmentStatus.active)
        .order_by(Enrollment.id)).first()
    ids = {"enrollment": enrollment.id, "participant": enrollment.participant_id,
           "cohort": enrollment.cohort_id, "program": enrollment.cohort.program_id}
    _db.session.commit()
    counts = {}
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for who, build in PAGES:
        client = app.test_client()
        _log_in(client, users[who])
        url = build(ids)
        assert client.get(url).status_code == 200, url  # warm up
        statements.clear()
        sa.event.listen(_db.engine, "before_cursor_execute", count)
        try:
            response = client.get(url)
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, url
        counts[f"{who} {build({k: 'ID' for k in ids})}"] = len(statements)
    return counts


@pytest.mark.parametrize("sizes", [SIZES], ids=["10-vs-500"])
def test_page_query_counts_do_not_grow_with_the_data(app, db, sizes):
    small, large = (_measure(app, n) for n in sizes)
    grew = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert not grew, f"query counts that changed with the data (10 -> 500): {grew}"
    # A fixed budget too, so a page cannot creep up unnoticed.
    over = {page: n for page, n in large.items() if n > 15}
    assert not over, f"pages over 15 statements: {over}"
