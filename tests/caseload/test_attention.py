"""The "Behöver uppmärksamhet" list: each signal on hand-built data with exact dates.

Boundaries (documented in journey.caseload.queries.needs_attention): signals
counted in days fire when MORE days than the threshold have passed (exactly
N days is still fine, N + 1 is flagged); the no-show streak fires when the
last K attended/no-show activities are all no-shows; a follow-up fires when
it is due within the follow-up window (inclusive) or overdue.
"""

from datetime import time, timedelta

from journey.enums import Attendance, Role, StepStatus
from journey.journeys.services import set_step_status
from tests import factories
from tests.caseload.helpers import (
    activities,
    attention,
    attention_section,
    coach_with_cohort,
    days_ago,
    days_ahead,
    exit_enrollment,
    follow_up,
    plan_item,
    quiet_enrollment,
    table_names,
)

A, N, P, C = Attendance.attended, Attendance.no_show, Attendance.planned, Attendance.cancelled


def _page(client, login_as, db, coach) -> str:
    db.session.commit()
    login_as(coach)
    response = client.get("/caseload")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_quiet_caseload_shows_a_calm_message(client, login_as, db):
    coach, coh = coach_with_cohort()
    quiet_enrollment(coach, coh, "Lugn")
    page = _page(client, login_as, db, coach)
    assert attention(page) == {}
    assert "Ingen behöver extra uppmärksamhet just nu." in attention_section(page)
    assert table_names(page) == ["Lugn Test"]


def test_no_attended_contact_boundary(client, login_as, db):
    coach, coh = coach_with_cohort()
    quiet_enrollment(coach, coh, "Fjorton", contact_days_ago=14)   # exactly N: not yet
    quiet_enrollment(coach, coh, "Femton", contact_days_ago=15)    # N + 1: flagged
    late = quiet_enrollment(coach, coh, "Uteblev", contact_days_ago=20)
    # A more recent no-show or a planned meeting is not an attended contact ...
    activities(late, (2, N), (1, P), (3, C))
    # ... and an "attended" activity dated in the future does not count either.
    factories.activity(late, on=days_ahead(3), attendance=A)
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Femton Test": ["Ingen närvarande kontakt på 15 dagar"],
        "Uteblev Test": ["Ingen närvarande kontakt på 20 dagar"],
    }


def test_no_contact_ever_counts_from_enrollment(client, login_as, db):
    coach, coh = coach_with_cohort()
    quiet_enrollment(coach, coh, "Ny", enrolled_days_ago=14, contact_days_ago=None)
    quiet_enrollment(coach, coh, "Glömd", enrolled_days_ago=23, contact_days_ago=None)
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Glömd Test": ["Ingen närvarande kontakt sedan inskrivningen för 23 dagar sedan"],
    }


def test_two_no_shows_in_a_row(client, login_as, db):
    coach, coh = coach_with_cohort()
    two = quiet_enrollment(coach, coh, "Två", contact_days_ago=5)
    activities(two, (3, N), (1, N))
    three = quiet_enrollment(coach, coh, "Tre", contact_days_ago=8)
    activities(three, (6, N), (4, N), (1, N))
    one = quiet_enrollment(coach, coh, "En", contact_days_ago=5)
    activities(one, (4, N), (2, A), (1, N))  # only the newest one is a no-show
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Tre Test": ["Uteblev 3 gånger i rad"],
        "Två Test": ["Uteblev två gånger i rad"],
    }


def test_streak_broken_by_an_attended_meeting(client, login_as, db):
    coach, coh = coach_with_cohort()
    enr = quiet_enrollment(coach, coh, "Tillbaka", contact_days_ago=None)
    activities(enr, (5, N), (4, N), (1, A))
    page = _page(client, login_as, db, coach)
    assert attention(page) == {}


def test_planned_and_cancelled_do_not_break_the_streak(client, login_as, db):
    coach, coh = coach_with_cohort()
    enr = quiet_enrollment(coach, coh, "Inställd", contact_days_ago=6)
    # Newest first: planned (never marked), cancelled, no-show, cancelled, no-show.
    activities(enr, (1, P), (2, C), (3, N), (4, C), (5, N))
    # A no-show dated in the future (a data slip) is not part of the streak.
    factories.activity(enr, on=days_ahead(2), attendance=N)
    page = _page(client, login_as, db, coach)
    assert attention(page) == {"Inställd Test": ["Uteblev två gånger i rad"]}


def test_streak_counts_same_day_meetings_in_recorded_order(client, login_as, db):
    coach, coh = coach_with_cohort()
    enr = quiet_enrollment(coach, coh, "Samma", contact_days_ago=None)
    # Same date: the later-recorded attended activity is the newest one.
    activities(enr, (2, N), (1, N), (1, A))
    page = _page(client, login_as, db, coach)
    assert attention(page) == {}


def test_streak_orders_same_day_meetings_by_time(client, login_as, db):
    coach, coh = coach_with_cohort()

    def meeting(enr, attendance, at=None):
        factories.activity(enr, on=days_ago(1), attendance=attendance).time = at

    # Timed meetings come after untimed ones of the same day, whatever the recorded order.
    late = quiet_enrollment(coach, coh, "Tid", contact_days_ago=None)
    meeting(late, N, time(11, 0))
    meeting(late, N, time(10, 0))
    meeting(late, A)
    # The attended meeting at 12 is the newest one, not the no-shows recorded after it.
    back = quiet_enrollment(coach, coh, "Tillbaka", contact_days_ago=None)
    meeting(back, A, time(12, 0))
    meeting(back, N, time(9, 0))
    meeting(back, N, time(10, 0))
    meeting(back, N)
    # Untimed meetings of the same day count in the order they were recorded.
    same = quiet_enrollment(coach, coh, "Samma", contact_days_ago=None)
    meeting(same, A)
    meeting(same, N)
    meeting(same, N)
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Samma Test": ["Uteblev två gånger i rad"],
        "Tid Test": ["Uteblev två gånger i rad"],
    }


def test_streak_counts_from_the_last_attended_contact_up_to_today(client, login_as, db):
    coach, coh = coach_with_cohort()
    enr = quiet_enrollment(coach, coh, "Sedan", contact_days_ago=8)
    # No-shows before the last attended contact are over; the two after it are a streak,
    # which an "attended" meeting dated in the future (a data slip) does not break.
    activities(enr, (12, N), (10, N), (5, N), (3, N))
    factories.activity(enr, on=days_ahead(2), attendance=A)
    page = _page(client, login_as, db, coach)
    assert attention(page) == {"Sedan Test": ["Uteblev två gånger i rad"]}


def test_overdue_plan_items_are_counted(client, login_as, db):
    coach, coh = coach_with_cohort()
    two = quiet_enrollment(coach, coh, "Plan")
    plan_item(two, days_ago(1))
    plan_item(two, days_ago(30))
    plan_item(two, days_ago(3), done_on=days_ago(2))  # done: fine
    plan_item(two, days_ago(0))                       # due today: not yet overdue
    plan_item(two, None)                              # no due date
    one = quiet_enrollment(coach, coh, "Ett")
    plan_item(one, days_ago(1))
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Plan Test": ["2 försenade uppgifter i planen"],
        "Ett Test": ["1 försenad uppgift i planen"],
    }


def test_follow_ups_of_exited_enrollments(client, login_as, db):
    coach, coh = coach_with_cohort()
    due = exit_enrollment(quiet_enrollment(coach, coh, "Snart", contact_days_ago=None,
                                           step_started=False))
    follow_up(due, 6, days_ahead(7))                         # edge of the 7-day window
    follow_up(due, 3, days_ago(90), recorded_on=days_ago(88))  # recorded: done
    later = exit_enrollment(quiet_enrollment(coach, coh, "Senare"))
    follow_up(later, 6, days_ahead(8))                       # outside the window
    late = exit_enrollment(quiet_enrollment(coach, coh, "Sen"))
    follow_up(late, 3, days_ago(10))
    follow_up(late, 6, days_ahead(2))
    today = exit_enrollment(quiet_enrollment(coach, coh, "Idag"))
    follow_up(today, 12, days_ahead(0))
    # Exited with every other signal but no pending follow-up: not listed.
    exit_enrollment(quiet_enrollment(coach, coh, "Klar", contact_days_ago=None,
                                     step_started=False))
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Sen Test": [
            f"Uppföljning efter 3 månader är försenad sedan {days_ago(10).isoformat()}",
            f"Uppföljning efter 6 månader förfaller {days_ahead(2).isoformat()}",
        ],
        "Idag Test": ["Uppföljning efter 12 månader förfaller i dag"],
        "Snart Test": [f"Uppföljning efter 6 månader förfaller {days_ahead(7).isoformat()}"],
    }
    assert "Avslutad" in attention_section(page)
    assert table_names(page) == []  # exited enrollments are not in the table


def test_every_pending_follow_up_is_a_reason_of_one_entry(client, login_as, db):
    """Open and exited enrollments alike: one entry each, one reason per follow-up due."""
    coach, coh = coach_with_cohort()
    both = quiet_enrollment(coach, coh, "Öppen")
    follow_up(both, 3, days_ago(5))
    follow_up(both, 6, days_ahead(7))                           # edge of the 7-day window
    follow_up(both, 12, days_ahead(8))                          # outside the window
    recorded = quiet_enrollment(coach, coh, "Registrerad")
    follow_up(recorded, 3, days_ago(30), recorded_on=days_ago(29))
    follow_up(recorded, 6, days_ahead(8))
    every = exit_enrollment(quiet_enrollment(coach, coh, "Alla"))
    follow_up(every, 3, days_ago(200))
    follow_up(every, 6, days_ago(110))
    follow_up(every, 12, days_ahead(0))
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Alla Test": [
            f"Uppföljning efter 3 månader är försenad sedan {days_ago(200).isoformat()}",
            f"Uppföljning efter 6 månader är försenad sedan {days_ago(110).isoformat()}",
            "Uppföljning efter 12 månader förfaller i dag",
        ],
        "Öppen Test": [
            f"Uppföljning efter 3 månader är försenad sedan {days_ago(5).isoformat()}",
            f"Uppföljning efter 6 månader förfaller {days_ahead(7).isoformat()}",
        ],
    }
    assert attention_section(page).count('class="attention-item"') == 2  # no duplicates
    assert table_names(page) == ["Registrerad Test", "Öppen Test"]


def test_no_step_started_boundary(client, login_as, db):
    coach, coh = coach_with_cohort()
    quiet_enrollment(coach, coh, "Trettio", enrolled_days_ago=30, step_started=False)
    quiet_enrollment(coach, coh, "Fyrtioett", enrolled_days_ago=41, step_started=False)
    skipped = quiet_enrollment(coach, coh, "Hoppat", enrolled_days_ago=50, step_started=False)
    set_step_status(skipped.steps[0], StepStatus.skipped)  # skipping is not starting
    done = quiet_enrollment(coach, coh, "Klar", enrolled_days_ago=50, step_started=False)
    set_step_status(done.steps[0], StepStatus.done)
    page = _page(client, login_as, db, coach)
    assert attention(page) == {
        "Hoppat Test": ["Inget steg påbörjat 50 dagar efter inskrivning"],
        "Fyrtioett Test": ["Inget steg påbörjat 41 dagar efter inskrivning"],
    }


def test_every_reason_of_one_participant_and_most_reasons_first(client, login_as, db):
    coach, coh = coach_with_cohort()
    many = quiet_enrollment(coach, coh, "Många", enrolled_days_ago=60, contact_days_ago=None,
                            step_started=False)
    activities(many, (2, N), (1, N))
    plan_item(many, days_ago(4))
    follow_up(many, 3, days_ago(1))
    single = quiet_enrollment(coach, coh, "Alfa")
    plan_item(single, days_ago(1))
    page = _page(client, login_as, db, coach)
    entries = attention(page)
    assert list(entries) == ["Många Test", "Alfa Test"]
    assert entries["Många Test"] == [
        "Ingen närvarande kontakt sedan inskrivningen för 60 dagar sedan",
        "Uteblev två gånger i rad",
        "1 försenad uppgift i planen",
        f"Uppföljning efter 3 månader är försenad sedan {days_ago(1).isoformat()}",
        "Inget steg påbörjat 60 dagar efter inskrivning",
    ]
    assert f'href="/enrollments/{many.id}"' in attention_section(page)


def test_paused_enrollments_are_watched_too(client, login_as, db):
    coach, coh = coach_with_cohort()
    enr = quiet_enrollment(coach, coh, "Paus", contact_days_ago=40)
    enr.status = "paused"
    page = _page(client, login_as, db, coach)
    assert attention(page) == {"Paus Test": ["Ingen närvarande kontakt på 40 dagar"]}
    assert "Pausad" in attention_section(page)


def test_thresholds_are_read_from_the_coachs_organisation(client, login_as, db):
    strict_coach, strict_cohort = coach_with_cohort()
    relaxed_coach, relaxed_cohort = coach_with_cohort()
    org = relaxed_coach.organization
    org.attention_no_contact_days = 30
    org.attention_no_show_streak = 3
    org.attention_no_step_days = 60
    org.attention_follow_up_days = 0
    for coach, coh in ((strict_coach, strict_cohort), (relaxed_coach, relaxed_cohort)):
        contact = quiet_enrollment(coach, coh, "Kontakt", contact_days_ago=20)
        activities(contact, (2, N), (1, N))
        quiet_enrollment(coach, coh, "Steg", enrolled_days_ago=45, step_started=False)
        follow_up(exit_enrollment(quiet_enrollment(coach, coh, "Uppf")), 6, days_ahead(1))
    strict = attention(_page(client, login_as, db, strict_coach))
    assert strict == {
        "Kontakt Test": ["Ingen närvarande kontakt på 20 dagar", "Uteblev två gånger i rad"],
        "Steg Test": ["Inget steg påbörjat 45 dagar efter inskrivning"],
        "Uppf Test": [f"Uppföljning efter 6 månader förfaller {days_ahead(1).isoformat()}"],
    }
    client.delete_cookie("journey_session")
    assert attention(_page(client, login_as, db, relaxed_coach)) == {}


def test_other_coaches_and_organisations_never_appear(client, login_as, world, db):
    # Every enrollment of the world has signals (no contact, no step for 87 days).
    for key in ("enr_b", "enr_c"):
        follow_up(exit_enrollment(world[key]), 3, days_ago(2))
    page = _page(client, login_as, db, world["coach_a"])
    assert list(attention(page)) == ["Amina Ali"]
    assert "Bo Berg" not in page and "Cecilia Cruz" not in page


def test_one_more_day_tips_the_balance_on_both_databases(app, db):
    """The query itself, with an explicit ``today``: dates are compared, not computed in SQL."""
    from journey.caseload.queries import Thresholds, needs_attention

    coach, coh = coach_with_cohort()
    enr = quiet_enrollment(coach, coh, "Datum", enrolled_days_ago=10, contact_days_ago=None)
    db.session.commit()
    today = enr.enrolled_on
    assert needs_attention(coach.id, Thresholds(), today=today) == []
    assert needs_attention(coach.id, Thresholds(), today=today + timedelta(days=14)) == []
    [entry] = needs_attention(coach.id, Thresholds(), today=today + timedelta(days=15))
    assert entry.days_without_contact == 15 and entry.last_contact_on is None
    assert entry.reason_count == 1


def test_manager_is_not_shown_a_caseload(client, login_as, db):
    manager = factories.user(Role.manager)
    login_as(manager)
    assert client.get("/caseload").status_code == 404
