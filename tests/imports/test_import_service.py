"""The spreadsheet import through its service: file rules, row rules, all-or-nothing."""

import io
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.cohorts.models import Cohort
from journey.enums import EnrollmentStatus, FollowUpStatus, IdKind, Outcome, Role, StepStatus
from journey.imports import parsing
from journey.imports.models import ImportBatch
from journey.imports.services import ImportFileError, ImportRowsError, import_rows
from journey.journeys.models import JourneyStep
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment, Participant
from tests import factories
from tests.imports.helpers import HEADER, csv_bytes, many_rows, personnummer, row, xlsx_bytes

PNR = personnummer(date(1985, 4, 12), 7)  # a woman's number
PNR_MAN = personnummer(date(1985, 4, 12), 3, woman=False)


@pytest.fixture
def setup(db):
    o1, o2 = factories.org("Kommun Ett"), factories.org("Kommun Två")
    coach = factories.user(Role.coach, o1, email="coach@ett.se")
    inactive = factories.user(Role.coach, o1, email="slutat@ett.se", is_active=False)
    other_coach = factories.user(Role.coach, o2, email="coach@tva.se")
    manager = factories.user(Role.manager, o1)
    prog = factories.program(o1, "Jobbpunkt")
    db.session.commit()
    return {"org": o1, "coach": coach, "inactive": inactive, "other_coach": other_coach,
            "manager": manager, "program": prog}


def run(setup, data, *, name="kull.csv", cohort="Jobbpunkt 2023"):
    return import_rows(data, name, program=setup["program"], cohort_name=cohort,
                       user=setup["manager"])


def counts(db):
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Participant, Enrollment, JourneyStep, ExitOutcome, FollowUp,
                           ImportBatch, Cohort))


def row_errors(setup, rows, **kwargs):
    with pytest.raises(ImportRowsError) as info:
        run(setup, csv_bytes(rows, **kwargs))
    return [(e.row, e.column, e.message) for e in info.value.errors]


def file_error(setup, data, name="kull.csv"):
    with pytest.raises(ImportFileError) as info:
        run(setup, data, name=name)
    return info.value.message


# -- success -----------------------------------------------------------------------------

def test_csv_import_writes_participants_enrollments_steps_exits_and_audit(setup, db):
    rows = [
        row(national_id=PNR, birth_region="outside_europe", district="Bäckby",
            education_level="upper_secondary", swedish_level="sfi_c",
            labour_status_at_entry="unemployed", unemployed_months_at_entry="14",
            coach_email="COACH@ett.se", exited_on="2023-09-01", outcome="job_subsidized",
            qualification_gained="ja", employer="Mälarenergi", followup_6m_status="employed"),
        row(first_name="Bo", last_name="Berg", gender="man", birth_date="1990-01-02"),
    ]
    result = run(setup, csv_bytes(rows))
    db.session.commit()
    assert result.row_count == 2 and result.participants_created == 2 and result.cohort_created
    cohort = db.session.get(Cohort, result.cohort.id)
    assert cohort.name == "Jobbpunkt 2023" and cohort.starts_on == date(2023, 2, 1)
    amal = db.session.scalars(sa.select(Participant).filter_by(first_name="Amal")).one()
    assert amal.national_id == PNR.replace("-", "") and amal.id_kind == IdKind.personnummer
    assert amal.birth_date == date(1985, 4, 12) and amal.district == "Bäckby"
    enr = amal.enrollments[0]
    assert enr.coach_id == setup["coach"].id and enr.status == EnrollmentStatus.exited
    assert enr.unemployed_months_at_entry == 14 and enr.version == 1
    assert [s.name for s in enr.steps] == [n for n, _ in factories.DEFAULT_STEPS]
    assert all(s.status == StepStatus.not_started for s in enr.steps)
    assert enr.exit_outcome.outcome == Outcome.job_subsidized
    assert enr.exit_outcome.qualification_gained and enr.exit_outcome.employer == "Mälarenergi"
    follow = {f.months_after: f for f in enr.follow_ups}
    assert sorted(follow) == [3, 6, 12]
    assert follow[6].status == FollowUpStatus.employed and follow[6].recorded_on == date(2024, 3, 1)
    assert follow[3].recorded_on is None and follow[12].status is None
    bo = db.session.scalars(sa.select(Participant).filter_by(first_name="Bo")).one()
    assert bo.enrollments[0].status == EnrollmentStatus.active and bo.national_id is None
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert batch.row_count == 2 and batch.cohort_id == cohort.id and len(batch.file_sha256) == 64
    assert batch.created_by_id == setup["manager"].id
    events = db.session.execute(sa.select(AuditEvent.object_type, AuditEvent.participant_id)
                                ).all()
    kinds = sorted(t for t, _ in events)
    assert kinds == ["cohort", "enrollment", "enrollment", "import_batch", "participant",
                     "participant"]
    assert {p for t, p in events if t == "enrollment"} == {amal.id, bo.id}


def test_xlsx_import_with_swedish_labels_and_real_dates(setup, db):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["First_Name ", "LAST_NAME", "enrolled_on", "gender", "outcome", "exited_on",
               "neutral_reason", "birth_region", "national_id"])
    ws.append(["Åsa", "Öberg", date(2022, 3, 1), "Kvinna", "Annan känd orsak",
               date(2022, 6, 1), "Flyttat", "Utanför Europa", None])
    ws.append(["Ali", "Omar", date(2022, 3, 2), "man", "Job without subsidy",
               date(2022, 7, 1), None, "Europe outside Sweden", int(PNR_MAN.replace("-", ""))])
    out = io.BytesIO()
    wb.save(out)
    result = run(setup, out.getvalue(), name="kull.xlsx")
    db.session.commit()
    assert result.row_count == 2
    asa = db.session.scalars(sa.select(Participant).filter_by(first_name="Åsa")).one()
    assert asa.birth_region.value == "outside_europe"
    assert asa.enrollments[0].exit_outcome.neutral_reason.value == "moved"
    ali = db.session.scalars(sa.select(Participant).filter_by(first_name="Ali")).one()
    assert ali.enrollments[0].exit_outcome.outcome == Outcome.job_unsubsidized
    assert ali.birth_region.value == "europe" and ali.national_id == PNR_MAN.replace("-", "")


def test_semicolon_csv_with_bom_from_swedish_excel(setup, db):
    data = csv_bytes([row(first_name="Örjan", gender="Man", outcome="studies",
                          exited_on="2023-05-01")], delimiter=";", bom=True)
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data.split(b"\r\n")[0]
    result = run(setup, data)
    db.session.commit()
    assert result.row_count == 1
    assert db.session.scalars(sa.select(Participant.first_name)).one() == "Örjan"


def test_windows_1252_csv_is_read(setup, db):
    data = csv_bytes([row(first_name="Åke", district="Skälby")], delimiter=";",
                     encoding="cp1252")
    run(setup, data)
    db.session.commit()
    assert db.session.scalars(sa.select(Participant.district)).one() == "Skälby"


def test_existing_participant_is_reused_and_existing_cohort_filled(setup, db):
    existing = factories.participant(setup["org"], "Amal", "Hassan", birth_date=date(1985, 4, 12))
    cohort = factories.cohort(setup["program"], "Jobbpunkt 2023", starts_on=date(2023, 1, 1))
    db.session.commit()
    result = run(setup, csv_bytes([row(birth_date="1985-04-12"), row(first_name="Ny")]),
                 cohort="jobbpunkt 2023")
    db.session.commit()
    assert result.cohort.id == cohort.id and not result.cohort_created
    assert result.participants_created == 1
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 2
    assert db.session.scalar(sa.select(Enrollment.cohort_id).where(
        Enrollment.participant_id == existing.id)) == cohort.id


def test_existing_people_are_matched_by_number_or_by_name_any_case(setup, db):
    born = date(1985, 4, 12)
    by_name = factories.participant(setup["org"], "Åsa", "Öberg", birth_date=born)
    by_number = factories.participant(setup["org"], "Amal", "Hassan", birth_date=born,
                                      id_kind=IdKind.personnummer,
                                      national_id=PNR.replace("-", ""))
    # Same name and birth day as by_number but another number: another person.
    other_number = PNR_MAN
    factories.participant(setup["org"], "Åsa", "Öberg", birth_date=date(1985, 4, 13))
    db.session.commit()
    result = run(setup, csv_bytes([
        row(first_name="ÅSA", last_name="öBERG", birth_date="1985-04-12"),
        row(first_name="Someone", last_name="Else", national_id=PNR),
        row(first_name="Amal", last_name="Hassan", national_id=other_number, gender="man"),
    ]))
    db.session.commit()
    assert result.participants_created == 1
    enrolled = db.session.scalars(sa.select(Enrollment.participant_id).where(
        Enrollment.cohort_id == result.cohort.id)).all()
    assert by_name.id in enrolled and by_number.id in enrolled and len(enrolled) == 3
    new = db.session.scalars(sa.select(Participant).where(
        Participant.id.not_in([by_name.id, by_number.id]),
        Participant.id.in_(enrolled))).one()
    assert new.national_id == PNR_MAN.replace("-", "")


def test_person_already_in_the_cohort_is_refused(setup, db):
    coh = factories.cohort(setup["program"], "Jobbpunkt 2023", starts_on=date(2023, 1, 1))
    factories.enrollment(setup["coach"], coh, factories.participant(
        setup["org"], "Amal", "Hassan", id_kind=IdKind.personnummer,
        national_id=PNR.replace("-", ""), birth_date=date(1985, 4, 12)))
    db.session.commit()
    errors = row_errors(setup, [row(national_id=PNR)])
    assert errors == [(2, "first_name", "Personen är redan inskriven i den här kullen.")]


def test_five_hundred_rows(setup, db):
    before = counts(db)
    result = run(setup, csv_bytes(many_rows(500, coach_email="coach@ett.se")))
    db.session.commit()
    assert result.row_count == 500
    after = counts(db)
    assert after[0] - before[0] == 500 and after[1] - before[1] == 500
    assert after[2] - before[2] == 2000
    assert after[3] - before[3] == 167 and after[4] - before[4] == 501


# -- all or nothing and re-import --------------------------------------------------------

def test_one_bad_row_among_fifty_writes_nothing(setup, db):
    rows = many_rows(50)
    rows[37]["enrolled_on"] = "2023-13-01"
    before = counts(db)
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    with pytest.raises(ImportRowsError) as info:
        run(setup, csv_bytes(rows))
    db.session.rollback()
    assert [(e.row, e.column) for e in info.value.errors] == [(39, "enrolled_on")]
    assert info.value.row_count == 50
    assert counts(db) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audit_before


def test_same_file_twice_is_refused(setup, db):
    data = csv_bytes([row()])
    run(setup, data)
    db.session.commit()
    before = counts(db)
    message = file_error(setup, data)
    assert message.startswith("Den här filen importerades redan")
    assert "(1 rader)" in message
    assert counts(db) == before


# -- file rules -----------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "expected"), [
    (b"", "Filen är tom."),
    (b"  \r\n", "Filen är tom."),
    (",,\r\n,,\r\n", "Filen är tom."),
    (b"first_name,last_name,enrolled_on,gender\r\n",
     "Filen har en rubrikrad men inga rader med uppgifter."),
    (b"first_name,last_name,gender\r\nA,B,man\r\n",
     "Obligatoriska kolumner saknas: enrolled_on."),
    (b"first_name,last_name,enrolled_on,gender,telefon\r\nA,B,2023-01-01,man,1\r\n",
     "Okända kolumner: telefon."),
    (b"first_name,last_name,enrolled_on,gender,gender\r\n",
     "Kolumner som finns två gånger: gender."),
    (b"first_name,last_name,enrolled_on,gender\r\nA,B,2023-01-01,man,extra\r\n",
     "Rad 2 har fler värden än rubrikraden har kolumner."),
])
def test_file_level_errors(setup, db, data, expected):
    if isinstance(data, str):
        data = data.encode()
    before = counts(db)
    assert file_error(setup, data).startswith(expected)
    assert counts(db) == before


def test_oversized_file_is_refused(setup):
    data = csv_bytes([row()]) + b"x" * parsing.MAX_FILE_BYTES
    assert file_error(setup, data) == "Filen är för stor: högst 5 MB."


def test_too_many_rows_is_refused(setup, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_ROWS", 20)
    message = file_error(setup, csv_bytes(many_rows(21)))
    assert message == "Filen har fler än 20 rader. Dela upp den i flera filer."


def test_ten_thousand_row_limit_is_the_contract():
    assert parsing.MAX_ROWS == 10_000


def test_exactly_the_row_limit_passes_parsing(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_ROWS", 20)
    sheet = parsing.read_sheet(csv_bytes(many_rows(20)), "a.csv")
    assert len(sheet.rows) == 20 and sheet.rows[0][0] == 2


def _zip(members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return out.getvalue()


def test_zip_bomb_by_ratio_is_refused_before_opening(setup, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    data = _zip([("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))])
    assert len(data) < 50_000
    assert file_error(setup, data, "bomb.xlsx") == (
        "Filen är misstänkt hårt packad och togs inte emot.")


def test_zip_bomb_by_declared_size_is_refused(setup, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_COMPRESSION_RATIO", 10**9)
    data = _zip([(f"xl/part{i}.xml", b"a" * (9 * 1024 * 1024)) for i in range(6)])
    assert file_error(setup, data, "big.xlsx") == "Filen är för stor uppackad: högst 50 MB."


def test_damaged_xlsx_is_refused(setup):
    assert file_error(setup, b"PK\x03\x04 not really a zip", "x.xlsx") == (
        "Filen gick inte att läsa som en XLSX-fil.")


def test_other_file_types_are_refused(setup):
    assert file_error(setup, b"%PDF-1.4", "kull.pdf") == "Ladda upp en CSV- eller XLSX-fil."


def test_xlsx_from_helper_round_trips():
    sheet = parsing.read_sheet(xlsx_bytes([row(unemployed_months_at_entry="3")]), "k.xlsx")
    assert sheet.columns == HEADER and sheet.rows[0][1]["unemployed_months_at_entry"] == "3"


# -- row rules ---------------------------------------------------------------------------

def test_required_values(setup):
    errors = row_errors(setup, [row(first_name="", last_name=" ", enrolled_on="", gender="",
                                    district="Bäckby")])
    assert [(r, c) for r, c, _ in errors] == [
        (2, "first_name"), (2, "last_name"), (2, "enrolled_on"), (2, "gender")]
    assert errors[3][2].startswith("Obligatorisk. Tillåtna värden: woman, man")


def test_bad_dates(setup):
    future = (date.today() + timedelta(days=2)).isoformat()
    errors = row_errors(setup, [row(enrolled_on="2023-02-30"), row(first_name="B",
                                enrolled_on="1/2/2023"), row(first_name="C", birth_date=future)])
    assert errors == [
        (2, "enrolled_on", "Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2024-03-18."),
        (3, "enrolled_on", "Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2024-03-18."),
        (4, "birth_date", "Datumet kan inte ligga i framtiden."),
    ]


def test_bad_enum_values(setup):
    errors = row_errors(setup, [row(gender="kvinnor", swedish_level="SFI E",
                                    outcome="jobb", exited_on="2023-05-01")])
    assert [(c, m.split(".")[0]) for _, c, m in errors] == [
        ("gender", "Okänt värde"), ("swedish_level", "Okänt värde"), ("outcome", "Okänt värde")]


def test_bad_personnummer_and_birth_date_mismatch(setup):
    bad = PNR[:-1] + str((int(PNR[-1]) + 1) % 10)
    errors = row_errors(setup, [
        row(national_id=bad),
        row(first_name="B", national_id=PNR, birth_date="1985-04-13"),
        row(first_name="C", national_id="12345"),
        row(first_name="D", national_id=PNR.replace("-", ""), gender="man"),
    ])
    assert errors[0][:2] == (2, "national_id") and "kontrollsiffran" in errors[0][2].lower()
    assert errors[1] == (3, "birth_date",
                         "Stämmer inte med födelsedatumet i ID-numret (1985-04-12).")
    assert errors[2][:2] == (4, "national_id")
    assert errors[3][:2] == (5, "gender")


def test_coach_must_be_an_active_coach_of_the_organisation(setup):
    errors = row_errors(setup, [row(coach_email="slutat@ett.se"),
                                row(first_name="B", coach_email="coach@tva.se"),
                                row(first_name="C", coach_email=setup["manager"].email)])
    message = "Ingen aktiv jobbcoach i er organisation har den här e-postadressen."
    assert errors == [(2, "coach_email", message), (3, "coach_email", message),
                      (4, "coach_email", message)]


def test_exit_date_and_outcome_go_together(setup):
    errors = row_errors(setup, [
        row(exited_on="2023-05-01"),
        row(first_name="B", outcome="studies"),
        row(first_name="C", exited_on="2023-01-01", outcome="studies"),
    ])
    assert errors == [
        (2, "outcome", "Ange utfallet när slutdatum är ifyllt."),
        (3, "exited_on", "Ange slutdatum när utfallet är ifyllt."),
        (4, "exited_on", "Slutdatum kan inte vara före inskrivningsdatum."),
    ]


def test_neutral_reason_rules(setup):
    errors = row_errors(setup, [
        row(exited_on="2023-05-01", outcome="neutral"),
        row(first_name="B", exited_on="2023-05-01", outcome="studies", neutral_reason="moved"),
        row(first_name="C", neutral_reason="illness"),
    ])
    assert [(r, c) for r, c, _ in errors] == [
        (2, "neutral_reason"), (3, "neutral_reason"), (4, "neutral_reason")]
    assert errors[0][2].startswith("Ange en orsak")
    assert errors[1][2] == "En orsak anges bara när utfallet är neutral."


def test_follow_up_only_when_due(setup):
    recent = (date.today() - timedelta(days=30)).isoformat()
    errors = row_errors(setup, [
        row(exited_on=recent, outcome="studies", followup_6m_status="studies"),
        row(first_name="B", followup_6m_status="employed"),
    ])
    assert errors[0][:2] == (2, "followup_6m_status")
    assert errors[0][2].startswith("Uppföljningen efter 6 månader ska inte göras förrän")
    assert errors[1] == (3, "followup_6m_status", "Anges bara tillsammans med ett avslut.")


def test_other_value_rules(setup):
    errors = row_errors(setup, [
        row(unemployed_months_at_entry="601"),
        row(first_name="B", unemployed_months_at_entry="tre"),
        row(first_name="C", qualification_gained="kanske"),
        row(first_name="D", exited_on="2023-05-01", outcome="studies", employer="ICA"),
    ])
    assert [(r, c) for r, c, _ in errors] == [
        (2, "unemployed_months_at_entry"), (3, "unemployed_months_at_entry"),
        (4, "qualification_gained"), (5, "employer")]


def test_qualification_words(setup, db):
    rows = [row(first_name=f"P{i}", exited_on="2023-05-01", outcome="studies",
                qualification_gained=word)
            for i, word in enumerate(["Ja", "yes", "TRUE", "1", "nej", "no", "false", "0", ""])]
    run(setup, csv_bytes(rows))
    db.session.commit()
    flags = db.session.scalars(sa.select(ExitOutcome.qualification_gained)
                               .order_by(ExitOutcome.id)).all()
    assert flags == [True] * 4 + [False] * 5


def test_duplicate_rows_in_the_file(setup):
    errors = row_errors(setup, [
        row(national_id=PNR),
        row(first_name="Annan", national_id=PNR.replace("-", "")),
        row(first_name="Bo", birth_date="1990-01-01"),
        row(first_name="BO", birth_date="1990-01-01"),
    ])
    assert errors == [(3, "national_id", "Samma person som på rad 2."),
                      (5, "first_name", "Samma namn och födelsedatum som på rad 4.")]


def test_all_errors_are_reported_not_only_the_first(setup):
    rows = many_rows(30)
    for i in (3, 10, 20):
        rows[i]["gender"] = "x"
    errors = row_errors(setup, rows)
    assert [r for r, _, _ in errors] == [5, 12, 22]


def test_leading_zeros_lost_in_an_excel_number_cell_are_restored(setup, db):
    number = personnummer(date(2004, 5, 6), 12)  # 20040506-NNNC
    ten_digits = number[2:].replace("-", "")
    assert ten_digits.startswith("04")
    result = run(setup, xlsx_bytes([row(national_id=int(ten_digits), enrolled_on="2023-02-01")]),
                 name="k.xlsx")
    db.session.commit()
    assert result.row_count == 1
    assert db.session.scalars(sa.select(Participant)).one().national_id == number.replace("-", "")


def test_enrollment_after_an_existing_cohort_ended_is_refused(setup, db):
    coh = factories.cohort(setup["program"], "Jobbpunkt 2023", starts_on=date(2023, 1, 1))
    coh.ends_on = date(2023, 1, 31)
    db.session.commit()
    errors = row_errors(setup, [row(enrolled_on="2023-01-31"),
                                row(first_name="B", enrolled_on="2023-02-01")])
    assert errors == [(3, "enrolled_on", "Kullen slutade 2023-01-31: inskrivningsdatumet "
                                         "kan inte vara efter det.")]


def test_import_runs_no_per_row_queries(setup, db, count_queries):
    factories.participant(setup["org"], "Förnamn3", "Efternamn3", birth_date=date(1970, 1, 1))
    db.session.commit()
    with count_queries() as small:
        run(setup, csv_bytes(many_rows(20, coach_email="coach@ett.se")), cohort="A")
    db.session.commit()
    with count_queries() as large:
        run(setup, csv_bytes(many_rows(400, coach_email="coach@ett.se", start=date(2021, 1, 4))),
            cohort="B")
    db.session.commit()

    def per_row_allowed(statement: str) -> bool:
        # SQLite cannot batch an INSERT … RETURNING whose ids must come back in row
        # order, so SQLAlchemy sends these two one row at a time there (in-process and
        # fast); PostgreSQL batches them. Every other statement is per import.
        return statement.lstrip().startswith(("INSERT INTO participant",
                                              "INSERT INTO enrollment"))

    def other(counter):
        return [s for s in counter.statements if not per_row_allowed(s)]

    assert len(other(large)) == len(other(small)) <= 25
    if db.engine.dialect.name == "postgresql":
        assert large.count == small.count
