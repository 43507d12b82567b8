"""Time a 10 000-row spreadsheet import: ``.venv/bin/python bench/import_10k.py [--xlsx]``.

Uses a throw-away SQLite file (or TEST_DATABASE_URL when set) and prints the seconds
spent validating and writing (import_rows + commit).
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("JOURNEY_ENV", "testing")


def main() -> None:
    from journey import create_app
    from journey.enums import Role
    from journey.extensions import db
    from journey.imports.services import import_rows
    from tests import factories
    from tests.imports.helpers import csv_bytes, many_rows, xlsx_bytes

    url = os.environ.get("TEST_DATABASE_URL") or (
        "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = factories.org("Bench")
        coach = factories.user(Role.coach, org, email="coach@bench.example")
        manager = factories.user(Role.manager, org)
        program = factories.program(org, "Jobbpunkt")
        db.session.commit()
        rows = many_rows(10_000, coach_email=coach.email)
        data = xlsx_bytes(rows) if "--xlsx" in sys.argv else csv_bytes(rows)
        started = time.perf_counter()
        result = import_rows(data, "bench.xlsx" if "--xlsx" in sys.argv else "bench.csv",
                             program=program, cohort_name="Bench", user=manager)
        db.session.commit()
        elapsed = time.perf_counter() - started
        print(f"{result.row_count} rows ({len(data) / 1e6:.1f} MB) imported in "
              f"{elapsed:.2f} s on {db.engine.dialect.name}")
        db.drop_all()


if __name__ == "__main__":
    main()
