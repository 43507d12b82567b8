"""The retention rule: who qualifies, the CLI, and report numbers that do not move."""

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from journey.activities.models import Activity
from journey.audit.models import AuditEvent
from journey.auth.models import User
from journey.enums import AuditAction, IdKind, Role
from journey.gdpr import queries, services
from journey.journeys.models import JourneyStep, Note, PlanItem
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment, Participant
from journey.portal.models import PortalInvite
from journey.reports import program_queries
from journey.reports.esf import esf_counts
from journey.reports.queries import cohort_report, report_to_json
from tests import factories
from tests.gdpr.helpers import PEOPLE, personnummer, varied_cohort


def _reports(coh, as_of):
    db_program = coh.program
    return {
        "cohort": json.dumps(report_to_json(cohort_report(coh, as_of=as_of)), sort_keys=True),
        "program": repr(dataclasses.asdict(program_queries.program_comparison(db_program,
                                                                               as_of))),
        "overview": repr([dataclasses.asdict(r) for r in program_queries.organization_overview(
            db_program.organization_id, as_of)]),
        "esf": json.dumps(esf_counts(coh.id, as_of), sort_keys=True),
    }


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["journey", "retention", *args])


def test_retention_apply_keeps_every_report_number(app, world, db):
    o1 = world["orgs"][0]
    coach = world["coach_a"]
    coh, enrollments = varied_cohort(o1, coach)
    portal = factories.user(Role.participant, o1, name="Sara Ahmed", email="sara@example.se")
    enrollments[0].participant.portal_user = portal
    o1.retention_months_after_exit = 1
    db.session.commit()
    as_of = date.today()
    before = {d: _reports(coh, d) for d in (as_of, date(2024, 12, 31))}
    exited_ids = [e.participant_id for e, p in zip(enrollments, PEOPLE, strict=True)
                  if p[9] is not None]
    active_ids = [e.participant_id for e, p in zip(enrollments, PEOPLE, strict=True)
                  if p[9] is None]

    result = _run(app, "--apply")
    assert result.exit_code == 0, result.output
    assert f"{len(exited_ids)} participant(s) anonymised" in result.output

    db.session.expire_all()
    after = {d: _reports(coh, d) for d in (as_of, date(2024, 12, 31))}
    assert after == before
    # The cohort really has numbers worth comparing (not all suppressed or empty).
    report = json.loads(before[as_of]["cohort"])
    assert report["counts"]["leavers"] == len(exited_ids)
    assert {r["key"] for r in report["breakdowns"]["age_band"]} >= {"<18", "18-29", "30-54",
                                                                      "55+"}

    originals = {p[0]: p for p in PEOPLE}
    for participant in db.session.scalars(
            sa.select(Participant).where(Participant.id.in_(exited_ids))):
        assert participant.anonymized_at is not None
        assert participant.full_name == "Avidentifierad deltagare"
        assert participant.national_id is None and participant.id_kind == IdKind.none
        assert participant.phone == "" and participant.email == ""
        if participant.birth_date is not None:
            assert participant.birth_date.year in {p[2].year for p in PEOPLE if p[2]}
    for participant in db.session.scalars(
            sa.select(Participant).where(Participant.id.in_(active_ids))):
        assert participant.anonymized_at is None
        assert participant.first_name in originals and participant.phone
    ids = sa.select(Enrollment.id).where(Enrollment.participant_id.in_(exited_ids))
    assert db.session.scalar(sa.select(sa.func.count(Note.id))
                             .where(Note.enrollment_id.in_(ids))) == 0
    assert set(db.session.scalars(sa.select(Activity.note)
                                  .where(Activity.enrollment_id.in_(ids)))) == {""}
    assert set(db.session.scalars(sa.select(JourneyStep.note)
                                  .where(JourneyStep.enrollment_id.in_(ids)))) == {""}
    assert set(db.session.scalars(sa.select(PlanItem.title)
                                  .where(PlanItem.enrollment_id.in_(ids)))) == {"(borttaget)"}
    exits = db.session.scalars(sa.select(ExitOutcome).where(ExitOutcome.enrollment_id.in_(ids)))
    for row in exits:
        assert row.note == "" and row.employer == ""
    assert set(db.session.scalars(sa.select(Enrollment.goal).where(Enrollment.id.in_(ids)))) \
        == {""}
    # No name, number, phone or email of an anonymised person is left in any text column.
    dump = _all_text(db)
    for i, (first, last, born, *_rest, outcome, _exited) in enumerate(PEOPLE):
        if outcome is None:
            continue
        if born is not None:
            assert personnummer(born, 100 + i * 2) not in dump
        assert f"{first} {last}" not in dump and last not in dump, last
        assert f"{first.lower()}.{last.lower()}@example.se" not in dump
    assert "070-555 00 00" not in dump
    account = db.session.get(User, portal.id)
    assert not account.is_active and account.email == f"anon-{portal.id}@invalid"
    assert account.password_hash is None
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.anonymize)).all()
    assert sorted(e.participant_id for e in events) == sorted(exited_ids)
    assert all(e.detail == "retention rule: 1 months after exit" for e in events)


def _all_text(db) -> str:
    chunks = []
    for table in db.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))]
        if not cols:
            continue
        for row in db.session.execute(sa.select(*cols)):
            chunks.extend(str(v) for v in row if v)
    return "\n".join(chunks)


def test_dry_run_counts_and_writes_nothing(app, world, db):
    o1, o2 = world["orgs"]
    varied_cohort(o1, world["coach_a"])
    o1.retention_months_after_exit = 1
    db.session.commit()
    result = _run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Kommun Ett" in result.output and "10 participant(s) would be anonymised" in \
        result.output
    assert "Bostadsbolag Två" not in result.output  # no rule there
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))
                             .where(Participant.anonymized_at.is_not(None))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.anonymize)) == 0


def test_refuses_without_a_flag_or_with_both(app, world, db):
    for args in ((), ("--dry-run", "--apply")):
        result = _run(app, *args)
        assert result.exit_code != 0
        assert "--dry-run" in result.output


def test_org_option_limits_and_months_option_sets_the_rule(app, world, db):
    o1, o2 = world["orgs"]
    result = _run(app, "--org", str(o2.id), "--months", "6")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(type(o2), o2.id).retention_months_after_exit == 6
    assert db.session.get(type(o1), o1.id).retention_months_after_exit is None
    assert db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.object_type == "organization")) == "retention_months_after_exit -> 6"
    result = _run(app, "--org", str(o1.id), "--dry-run")
    assert result.exit_code != 0 and "no retention rule" in result.output
    result = _run(app, "--org", str(o2.id), "--clear")
    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.get(type(o2), o2.id).retention_months_after_exit is None
    assert _run(app, "--months", "3").exit_code != 0  # needs --org


def _exited(world, db, exited_on, *, other_active=False, org_months=6):
    o1 = world["orgs"][0]
    o1.retention_months_after_exit = org_months
    coh = factories.cohort(factories.program(o1), starts_on=date(2020, 1, 1))
    enr = factories.enrollment(world["coach_a"], coh, enrolled_on=date(2020, 1, 5))
    db.session.add(ExitOutcome(enrollment_id=enr.id, exited_on=exited_on,
                               outcome="job_seeking"))
    enr.status = "exited"
    if other_active:
        factories.enrollment(world["coach_a"], factories.cohort(coh.program),
                             part=enr.participant)
    db.session.flush()
    return enr.participant


def test_who_qualifies(world, db):
    today = date(2026, 3, 1)
    o1 = world["orgs"][0]
    old = _exited(world, db, date(2025, 8, 31))           # + 6 months = 2026-02-28 < today
    edge = _exited(world, db, date(2025, 9, 1))           # + 6 months = today: not yet
    still_open = _exited(world, db, date(2020, 6, 1), other_active=True)
    intake = factories.participant(o1)                    # never enrolled: left alone
    done = _exited(world, db, date(2020, 6, 1))
    services.anonymize_participant(done, by=None, reason="test", now=datetime.now(UTC))
    due = queries.due_for_anonymisation(o1, today)
    assert old.id in due
    assert edge.id not in due and still_open.id not in due
    assert intake.id not in due and done.id not in due
    # world's own enrollments are active: never due.
    assert world["enr_a"].participant_id not in due
    assert queries.due_for_anonymisation(o1, today + timedelta(days=1)).count(edge.id) == 1


def test_birth_date_coarsened_to_quarter_unless_an_age_band_would_move():
    coarse = services.coarsened_birth_date
    assert coarse(date(1990, 5, 17), [date(2024, 3, 1)]) == date(1990, 4, 1)
    assert coarse(None, [date(2024, 3, 1)]) is None
    # 17 at enrollment on 10 Feb, born 12 Feb: 1 Jan would make them 18.
    assert coarse(date(2006, 2, 12), [date(2024, 2, 10)]) == date(2006, 2, 11)
    # Enrolled the day before their birthday, born at the quarter's end: the date itself.
    assert coarse(date(1999, 6, 30), [date(2024, 6, 29)]) == date(1999, 6, 30)
    # Every enrollment counts.
    assert coarse(date(1990, 5, 17), [date(2020, 4, 10), date(2024, 5, 5)]) == date(1990, 5, 6)
    assert services.age_at(date(2006, 2, 11), date(2024, 2, 10)) == 17


def _with_portal(enrollment, db, n):
    """Give the enrollment's participant a portal account and an open invite."""
    participant = enrollment.participant
    account = factories.user(Role.participant, participant.organization,
                             email=f"portal{n}@example.se")
    participant.portal_user = account
    db.session.add(PortalInvite(participant=participant, user=account, token_hash=f"{n:064d}",
                                expires_at=datetime.now(UTC) + timedelta(days=7)))
    db.session.flush()
    return account


def test_a_batch_takes_the_same_statements_whatever_its_size(world, db, count_queries):
    coh, enrollments = varied_cohort(world["orgs"][0], world["coach_a"])
    small, large = enrollments[:2], enrollments[2:]
    for n, batch in enumerate((small, large)):
        _with_portal(batch[0], db, n)
    db.session.commit()
    counts = []
    for batch in (small, large):
        participants = [e.participant for e in batch]
        with count_queries() as q:
            services.anonymize_participants(participants, by=None, reason="test",
                                            now=datetime.now(UTC))
            db.session.commit()
        counts.append(q.count)
    assert len(large) >= 4 * len(small)
    assert counts[0] == counts[1], counts
    db.session.expire_all()
    names = set(db.session.scalars(sa.select(Participant.last_name)
                                   .where(Participant.id.in_(e.participant_id
                                                              for e in enrollments))))
    assert names == {services.ANONYMISED_LAST}
    assert db.session.scalar(sa.select(sa.func.count(PortalInvite.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.anonymize)) == len(enrollments)


def test_a_batch_changes_each_record_as_one_by_one_would(world, db):
    coh, enrollments = varied_cohort(world["orgs"][0], world["coach_a"])
    account = _with_portal(enrollments[1], db, 1)
    db.session.commit()
    versions = {e.id: (e.version, e.participant.version) for e in enrollments}
    one, batch = enrollments[:1], enrollments[1:]
    now = datetime.now(UTC)
    services.anonymize_participant(one[0].participant, by=None, reason="r", now=now)
    services.anonymize_participants([e.participant for e in batch], by=None, reason="r",
                                    now=now)
    db.session.commit()
    db.session.expire_all()

    def state(enrollment):
        p = db.session.get(Participant, enrollment.participant_id)
        e = db.session.get(Enrollment, enrollment.id)
        return {
            "person": (p.first_name, p.last_name, p.national_id, p.id_kind, p.phone, p.email,
                       p.anonymized_at is not None),
            "birth": p.birth_date,
            "goal": e.goal,
            "versions": (e.version, p.version),
            "notes": db.session.scalar(sa.select(sa.func.count(Note.id))
                                       .where(Note.enrollment_id == e.id)),
            "texts": sorted(set(db.session.scalars(sa.select(Activity.note)
                                                   .where(Activity.enrollment_id == e.id)))
                            | set(db.session.scalars(sa.select(JourneyStep.note)
                                                     .where(JourneyStep.enrollment_id == e.id)))),
            "plan": set(db.session.scalars(sa.select(PlanItem.title)
                                           .where(PlanItem.enrollment_id == e.id))),
        }

    expected_person = ("Avidentifierad", "deltagare", None, IdKind.none, "", "", True)
    for enrollment, person in zip(enrollments, PEOPLE, strict=True):
        s = state(enrollment)
        assert s["person"] == expected_person
        # The birth date rule of one record applies within a batch too.
        assert s["birth"] == services.coarsened_birth_date(person[2], [person[3]])
        # Both versions move on: an edit form opened before is refused, not saved.
        assert s["goal"] == "" and s["versions"] == tuple(v + 1 for v in versions[enrollment.id])
        assert s["notes"] == 0 and s["texts"] == [""] and s["plan"] == {"(borttaget)"}
    for row in db.session.scalars(sa.select(ExitOutcome).where(
            ExitOutcome.enrollment_id.in_(e.id for e in enrollments))):
        assert row.note == "" and row.employer == ""
    account = db.session.get(User, account.id)
    assert not account.is_active and account.password_hash is None
    assert account.email == f"anon-{account.id}@invalid"


def test_a_batch_with_an_anonymised_record_changes_nothing(world, db):
    coh, enrollments = varied_cohort(world["orgs"][0], world["coach_a"])
    done, fresh = enrollments[0].participant, enrollments[1].participant
    services.anonymize_participant(done, by=None, reason="r", now=datetime.now(UTC))
    db.session.commit()
    with pytest.raises(services.AnonymisationError):
        services.anonymize_participants([fresh, done], by=None, reason="r",
                                        now=datetime.now(UTC))
    db.session.rollback()
    assert db.session.get(Participant, fresh.id).anonymized_at is None
    assert db.session.get(Participant, fresh.id).last_name == PEOPLE[1][1]


def test_batch_size_is_bounded(app, world, db):
    world["orgs"][0].retention_months_after_exit = 1
    db.session.commit()
    result = _run(app, "--apply", "--batch-size", "5001")
    assert result.exit_code != 0
    assert "--batch-size" in result.output and "5000" in result.output
    assert _run(app, "--apply", "--batch-size", "0").exit_code != 0
