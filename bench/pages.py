"""Every page at scale, in-process: ``.venv/bin/python bench/pages.py --db sqlite|postgres``.

bench/run.py measures a few routes under load; this times each main page once the
data set is large, to find the slow ones. It takes the same cached data set
(``bench/run.py --prepare-only`` builds it), works on a copy (SQLite) or a
throwaway server (PostgreSQL), signs in as the bench coach, the bench manager and
an admin through the Flask test client, requests each page a few times and prints
the mean wall time, the status and the size. No targets: a list to read.
"""

# A benchmark driver: it runs the project's own tools with arguments it builds itself.
# ruff: noqa: S603, S607
from __future__ import annotations

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run as bench  # noqa: E402  (bench/run.py: data set, cache and settings)


def _client(app, email: str):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": email, "password": bench.PASSWORD,
                                           "csrf_token": token})
    if response.status_code != 302:
        sys.exit(f"could not sign in as {email}")
    return client


def _ids(db, sa) -> dict:
    def one(sql: str, **params):
        return db.session.execute(sa.text(sql), params).scalar()

    enrollment = one("SELECT e.id FROM enrollment e JOIN user_account u ON u.id = e.coach_id "
                     "WHERE u.email = :email AND e.status = 'active' ORDER BY e.id LIMIT 1",
                     email=bench.COACH)
    big = one("SELECT id FROM cohort WHERE name = :name", name=bench.BIG_COHORT_NAME) or one(
        "SELECT cohort_id FROM enrollment GROUP BY cohort_id ORDER BY COUNT(*) DESC LIMIT 1")
    return {
        "enrollment": enrollment,
        "participant": one("SELECT participant_id FROM enrollment WHERE id = :id",
                           id=enrollment),
        "cohort": big,
        "program": one("SELECT program_id FROM cohort WHERE id = :id", id=big),
        "admin": one("SELECT u.email FROM user_account u JOIN user_account c "
                     "ON c.organization_id = u.organization_id "
                     "WHERE c.email = :email AND u.role = 'admin' ORDER BY u.id LIMIT 1",
                     email=bench.MANAGER),
    }


def pages(ids: dict) -> list[tuple[str, str]]:
    e, p, c, g = ids["enrollment"], ids["participant"], ids["cohort"], ids["program"]
    return [
        ("coach", "/caseload"), ("coach", "/caseload/attention"),
        ("coach", "/participants"), ("coach", "/participants?q=Ahmed"),
        ("coach", f"/participants/{p}"), ("coach", f"/participants/{p}/edit"),
        ("coach", f"/participants/{p}/enroll"), ("coach", "/participants/new"),
        ("coach", f"/enrollments/{e}"), ("coach", f"/enrollments/{e}/activities/earlier"),
        ("coach", f"/enrollments/{e}/exit"), ("coach", f"/enrollments/{e}/edit"),
        ("coach", "/group-sessions"),
        ("manager", "/programs"), ("manager", f"/programs/{g}"), ("manager", f"/cohorts/{c}"),
        ("manager", f"/cohorts/{c}?page=50"), ("manager", "/reports"),
        ("manager", f"/programs/{g}/report"), ("manager", f"/cohorts/{c}/report"),
        ("manager", f"/cohorts/{c}/report.csv"), ("manager", f"/cohorts/{c}/report.xlsx"),
        ("manager", f"/cohorts/{c}/esf.xlsx"),
        ("manager", "/participants"), ("manager", "/participants?page=200"),
        ("manager", "/participants?q=Ahmed"), ("manager", "/participants?q=zzzz"),
        ("manager", f"/participants/{p}"), ("manager", f"/participants/{p}/subject-export.pdf"),
        ("manager", "/imports/new"), ("manager", "/settings/attention"),
        ("admin", "/admin/users"), ("admin", "/admin/audit"), ("admin", "/admin/audit?page=100"),
    ]


def measure(database_url: str, repeat: int) -> None:
    os.environ.update(bench.app_env(database_url, env_name="production"))
    import sqlalchemy as sa

    from journey import create_app
    from journey.extensions import db

    app = create_app()
    # The test client speaks plain HTTP; the production profile's Secure cookie
    # would not come back to it.
    app.config["SESSION_COOKIE_SECURE"] = False
    with app.app_context():
        ids = _ids(db, sa)
    clients = {"coach": _client(app, bench.COACH), "manager": _client(app, bench.MANAGER),
               "admin": _client(app, ids["admin"])}
    print(f"{'ms':>8}  {'status':>6}  {'bytes':>8}  who      page")
    for who, path in pages(ids):
        client = clients[who]
        with client.get(path) as response:  # warm-up (and the status to report)
            status = response.status_code
        started = time.perf_counter()
        size = 0
        for _ in range(repeat):
            with client.get(path) as response:
                size = len(response.get_data())
        ms = (time.perf_counter() - started) / repeat * 1000
        print(f"{ms:8.1f}  {status:>6}  {size:>8}  {who:<8} {path}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    bench.add_data_set_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per page")
    args = parser.parse_args()
    with bench.prepared_data_set(args, "journey-pages-") as database:
        measure(database.url, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
