"""``flask journey import FILE --program NAME --cohort NAME [--org NAME]``."""

import sqlalchemy as sa

from journey.enums import Role
from journey.imports.models import ImportBatch
from journey.participants.models import Enrollment, Participant
from tests import factories
from tests.imports.helpers import csv_bytes, many_rows, row, xlsx_bytes


def _setup(db):
    o1, o2 = factories.org("Kommun Ett"), factories.org("Kommun Två")
    factories.user(Role.coach, o1, email="coach@ett.se")
    factories.program(o1, "Jobbpunkt")
    factories.program(o2, "Jobbpunkt")
    factories.program(o2, "Miljövärdar")
    db.session.commit()
    return o1, o2


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["journey", "import", *map(str, args)])


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_prints_rows_and_cohort_id(app, db, tmp_path):
    _setup(db)
    path = tmp_path / "kull.xlsx"
    path.write_bytes(xlsx_bytes(many_rows(12, coach_email="coach@ett.se")))
    result = _invoke(app, path, "--program", "jobbpunkt", "--cohort", "HT 2022",
                     "--org", "Kommun Ett")
    assert result.exit_code == 0, result.output
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert f"Imported 12 rows into cohort 'HT 2022' (cohort id {batch.cohort_id})" in result.output
    assert _count(db, Enrollment) == 12
    assert batch.created_by_id is None


def test_programme_in_several_organisations_needs_org(app, db, tmp_path):
    _setup(db)
    path = tmp_path / "kull.csv"
    path.write_bytes(csv_bytes([row()]))
    result = _invoke(app, path, "--program", "Jobbpunkt", "--cohort", "HT")
    assert result.exit_code == 1
    assert "Several organisations have a programme called 'Jobbpunkt'" in result.output
    assert "--org" in result.output
    assert _count(db, Participant) == 0


def test_unique_programme_needs_no_org_and_unknown_programme_fails(app, db, tmp_path):
    _setup(db)
    path = tmp_path / "kull.csv"
    path.write_bytes(csv_bytes([row()]))
    missing = _invoke(app, path, "--program", "Propellern", "--cohort", "HT")
    assert missing.exit_code == 1 and "No programme called 'Propellern'" in missing.output
    ok = _invoke(app, path, "--program", "Miljövärdar", "--cohort", "HT")
    assert ok.exit_code == 0, ok.output
    again = _invoke(app, path, "--program", "Miljövärdar", "--cohort", "HT")
    assert again.exit_code == 1
    assert "Den här filen importerades redan" in again.output
    assert _count(db, Enrollment) == 1


def test_row_errors_print_the_table_and_exit_non_zero(app, db, tmp_path):
    _setup(db)
    rows = many_rows(5)
    rows[1]["gender"] = "okänt kön"
    rows[3]["coach_email"] = "ingen@ett.se"
    path = tmp_path / "kull.csv"
    path.write_bytes(csv_bytes(rows))
    result = _invoke(app, path, "--program", "Jobbpunkt", "--org", "Kommun Ett",
                     "--cohort", "HT")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "2 error(s) in 5 row(s); nothing was imported." in lines[0]
    assert lines[1].split() == ["row", "column", "message"]
    assert lines[2].split()[:3] == ["3", "gender", "Okänt"]
    assert lines[3].split()[:2] == ["5", "coach_email"]
    assert "Ingen aktiv jobbcoach" in lines[3]
    assert _count(db, Participant) == 0 and _count(db, ImportBatch) == 0


def test_file_error_exits_non_zero(app, db, tmp_path):
    _setup(db)
    path = tmp_path / "tom.csv"
    path.write_bytes(b"")
    result = _invoke(app, path, "--program", "Jobbpunkt", "--org", "Kommun Ett",
                     "--cohort", "HT")
    assert result.exit_code == 1 and "Filen är tom." in result.output
