"""The date/attendance rule and the services that write activities."""

from datetime import time, timedelta

import pytest

from journey.activities import services
from journey.activities.sections import load_activity_log
from journey.enums import ActivityKind, Attendance, AuditAction
from tests.activities.helpers import NEXT_WEEK, TODAY, YESTERDAY, activities_of, activity, audit


def _data(**overrides) -> services.ActivityData:
    values = {"kind": ActivityKind.coaching, "date": YESTERDAY, "time": None,
              "duration_minutes": 60, "attendance": Attendance.attended, "note": ""}
    values.update(overrides)
    return services.ActivityData(**values)


@pytest.mark.parametrize(("on", "attendance", "allowed"), [
    (NEXT_WEEK, Attendance.planned, True),
    (NEXT_WEEK, Attendance.cancelled, True),
    (NEXT_WEEK, Attendance.attended, False),
    (NEXT_WEEK, Attendance.no_show, False),
    (TODAY + timedelta(days=1), Attendance.attended, False),
    (TODAY, Attendance.attended, True),
    (TODAY, Attendance.no_show, True),
    (TODAY, Attendance.planned, True),
    (YESTERDAY, Attendance.no_show, True),
    (YESTERDAY, Attendance.cancelled, True),
    (YESTERDAY, Attendance.planned, True),
])
def test_attendance_rule(on, attendance, allowed, app):
    with app.test_request_context():
        message = services.attendance_error(on, attendance)
        assert (message is None) == allowed
        if not allowed:
            assert "kan bara vara planerad eller inställd" in str(message)


def test_rule_uses_the_given_today():
    assert services.attendance_error(NEXT_WEEK, "attended", today=NEXT_WEEK) is None
    assert services.attendance_error(TODAY, "attended", today=YESTERDAY) is not None


def test_add_activity_writes_row_and_audit(world, db):
    enr = world["enr_a"]
    created = services.add_activity(enr, _data(time=time(10, 15), note="Hemligt"))
    db.session.commit()
    (stored,) = activities_of(enr)
    assert stored.id == created.id
    assert stored.time == time(10, 15) and stored.note == "Hemligt"
    (event,) = audit(AuditAction.create)
    assert event.object_id == stored.id and event.participant_id == enr.participant_id
    assert "Hemligt" not in event.detail


@pytest.mark.parametrize("attendance", [Attendance.attended, Attendance.no_show])
def test_add_activity_refuses_attendance_in_the_future(world, db, attendance):
    enr = world["enr_a"]
    with pytest.raises(services.ActivityError) as error:
        services.add_activity(enr, _data(date=NEXT_WEEK, attendance=attendance))
    assert error.value.field == "attendance"
    assert activities_of(enr) == [] and audit() == []


@pytest.mark.parametrize("minutes", [0, 601])
def test_add_activity_refuses_duration_out_of_range(world, db, minutes):
    with pytest.raises(services.ActivityError) as error:
        services.add_activity(world["enr_a"], _data(duration_minutes=minutes))
    assert error.value.field == "duration_minutes"
    assert activities_of(world["enr_a"]) == []


def test_set_attendance_applies_the_rule(world, db):
    enr = world["enr_a"]
    planned = activity(enr, on=NEXT_WEEK, attendance=Attendance.planned)
    with pytest.raises(services.ActivityError):
        services.set_attendance(planned, enr, Attendance.no_show)
    services.set_attendance(planned, enr, Attendance.cancelled)
    db.session.commit()
    assert activities_of(enr)[0].attendance == Attendance.cancelled
    (event,) = audit(AuditAction.update)
    assert event.detail == "attendance planned -> cancelled"
    # Setting the same value again changes nothing and leaves no event.
    services.set_attendance(planned, enr, Attendance.cancelled)
    assert len(audit(AuditAction.update)) == 1


def test_update_activity_audits_field_names_not_the_note(world, db):
    enr = world["enr_a"]
    a = activity(enr, note="gammal")
    services.update_activity(a, enr, _data(note="Ny känslig anteckning", duration_minutes=90))
    db.session.commit()
    (event,) = audit(AuditAction.update)
    assert event.detail == "changed duration_minutes, note"
    assert "känslig" not in event.detail
    assert event.participant_id == enr.participant_id


def test_activity_log_groups_upcoming_and_past(world, db):
    enr = world["enr_a"]
    rows = [
        activity(enr, on=NEXT_WEEK, attendance=Attendance.planned),
        activity(enr, on=TODAY, attendance=Attendance.planned),
        activity(enr, on=NEXT_WEEK, attendance=Attendance.cancelled),
        activity(enr, on=YESTERDAY, attendance=Attendance.planned),
        activity(enr, on=YESTERDAY, attendance=Attendance.attended),
        activity(enr, on=YESTERDAY, attendance=Attendance.no_show),
    ]
    db.session.commit()
    log = load_activity_log(enr.id)
    # Upcoming: planned today or later; everything else is earlier. Both newest first
    # (same day: the later-created first).
    assert [a.id for a in log.upcoming] == [rows[0].id, rows[1].id]
    assert [a.id for a in log.past] == [rows[2].id, rows[5].id, rows[4].id, rows[3].id]
    assert (log.upcoming_total, log.past_total) == (2, 4)
    assert (log.attended, log.no_show, log.attendance_rate) == (1, 1, 0.5)
    assert load_activity_log(world["enr_b"].id).attendance_rate is None
