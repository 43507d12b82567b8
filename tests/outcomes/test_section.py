"""The "Avslut och uppföljning" section of the enrollment page and its /outcome partial."""

import pytest

from journey.enums import AuditAction
from tests import factories
from tests.outcomes.helpers import (
    HX,
    days_ago,
    events,
    follow_ups,
    record_exit,
    record_follow_ups,
)


def _section(html: str) -> str:
    start = html.index('<section id="exit"')
    return html[start:html.index("</section>", start)]


def _item(section: str, fu) -> str:
    return section[section.index(f'id="follow-up-{fu.id}"'):].split("</li>")[0]


def test_active_enrollment_offers_to_record_the_exit(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    section = _section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True))
    assert '<h2 id="exit-heading">Avslut och uppföljning</h2>' in section
    assert "Inget avslut är registrerat." in section
    link = section[section.index('<a class="button primary"'):].split("</a>")[0]
    assert f'href="/enrollments/{enr.id}/exit"' in link
    assert f'hx-get="/enrollments/{enr.id}/exit"' in link and 'hx-target="#exit"' in link
    assert "Registrera avslut" in link


def test_exited_enrollment_shows_outcome_and_follow_up_states(client, login_as, world, db):
    enr = world["enr_a"]
    enr.enrolled_on = days_ago(400)
    record_exit(enr, world["coach_a"], exited_on=days_ago(200), outcome="job_subsidized",
                employer="Stadsdelsförvaltningen", occupation="Miljövärd", hours_per_week=30,
                qualification_gained=True, note="Anställning med lönestöd\nett år")
    record_follow_ups(enr, world["coach_a"], 1)
    three, six, twelve = follow_ups(enr)
    login_as(world["coach_a"])
    section = _section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True))
    assert "Arbete med stöd" in section and "Grupp: Arbete" in section
    assert "ESF+-resultat EECR04" in section
    assert "Stadsdelsförvaltningen" in section and "Miljövärd" in section
    assert "Ja" in section and "EECR03" in section
    assert days_ago(200).isoformat() in section
    assert "Anställning med lönestöd\nett år" in section
    # Recorded, due (with text, not only colour) and upcoming follow-ups.
    recorded = _item(section, three)
    assert "Registrerad" in recorded and "Anställd" in recorded and "Register" in recorded
    assert 'Ändra uppföljning<span class="visually-hidden"> efter 3 månader</span>' in recorded
    due = _item(section, six)
    overdue_days = (days_ago(0) - six.due_on).days
    assert "Dags att följa upp" in due
    assert f"(försenad {overdue_days} dagar)" in due
    assert 'Registrera uppföljning<span class="visually-hidden"> efter 6 månader</span>' in due
    upcoming = _item(section, twelve)
    assert "Kommande" in upcoming and twelve.due_on.isoformat() in upcoming
    assert "Registrera avslut" not in section


def test_follow_up_due_today_says_so(client, login_as, world, db):
    enr = world["enr_a"]
    enr.enrolled_on = days_ago(400)
    exited_on = days_ago(92)
    record_exit(enr, world["coach_a"], exited_on=exited_on)
    three = follow_ups(enr)[0]
    three.due_on = days_ago(0)
    db.session.commit()
    login_as(world["coach_a"])
    section = _section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True))
    assert "(ska göras i dag)" in _item(section, three)


def test_neutral_exit_shows_its_reason_and_no_esf_code(client, login_as, world):
    enr = world["enr_a"]
    record_exit(enr, world["coach_a"], outcome="neutral", neutral_reason="illness")
    login_as(world["manager1"])
    section = _section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True))
    assert "Annan känd orsak" in section and "Sjukdom" in section
    assert "Grupp: Övrigt" in section and "ESF+-resultat" not in section
    assert "Arbetsgivare" not in section  # no empty job details


def test_section_partial_for_htmx_cancel(client, login_as, world):
    enr = world["enr_a"]
    record_exit(enr, world["coach_a"])
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/outcome", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"') and "<html" not in html
    assert "Arbete utan stöd" in html
    assert [e.object_type for e in events(AuditAction.view)] == ["exit_outcome"]
    # Without JavaScript the section lives on the enrollment page.
    response = client.get(f"/enrollments/{enr.id}/outcome")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enrollments/{enr.id}#exit")


@pytest.mark.parametrize(("who", "target", "expected"), [
    ("coach_a", "enr_a", 200),
    ("manager1", "enr_b", 200),
    ("coach_a", "enr_b", 404),
    ("coach_a", "enr_c", 404),
    ("manager2", "enr_a", 404),
    ("portal_a", "enr_a", 404),
    ("admin1", "enr_a", 404),
])
def test_scope_of_the_section_partial(client, login_as, world, who, target, expected):
    login_as(world[who])
    url = f"/enrollments/{world[target].id}/outcome"
    assert client.get(url, headers=HX).status_code == expected
    assert client.get(url).status_code == (302 if expected == 200 else 404)


def test_section_partial_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/enrollments/{world['enr_a'].id}/outcome", headers=HX)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def _outcome_statements(statements):
    return [s for s in statements if "exit_outcome" in s or "follow_up" in s]


def test_enrollment_page_queries_do_not_depend_on_the_exit(client, login_as, world,
                                                           count_queries, db):
    coach = world["coach_a"]
    cohort = world["enr_a"].cohort
    active = factories.enrollment(coach, cohort, enrolled_on=days_ago(400))
    job = factories.enrollment(coach, cohort, enrolled_on=days_ago(400))
    neutral = factories.enrollment(coach, cohort, enrolled_on=days_ago(300))
    record_exit(job, coach, exited_on=days_ago(390), employer="Bygg AB", hours_per_week=40,
                qualification_gained=True, note="Fast jobb")
    record_follow_ups(job, coach, 3)
    record_exit(neutral, coach, exited_on=days_ago(20), outcome="neutral",
                neutral_reason="moved")
    login_as(coach)
    counts = {}
    for name, enr in (("active", active), ("job", job), ("neutral", neutral)):
        with count_queries() as q:
            assert client.get(f"/enrollments/{enr.id}").status_code == 200
        counts[name] = q.count
        # The section costs one query (exit and follow-ups in one outer join).
        assert len(_outcome_statements(q.statements)) == 1, q.statements
    assert counts["active"] == counts["job"] == counts["neutral"], counts
    assert counts["job"] <= 12, counts
