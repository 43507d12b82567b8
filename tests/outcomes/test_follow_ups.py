"""Recording and correcting follow-ups: htmx and no-JS, rules, scope, CSRF, audit."""

from datetime import date, timedelta

import pytest

from journey.enums import AuditAction, FollowUpSource, FollowUpStatus
from tests import factories
from tests.outcomes.helpers import (
    HX,
    days_ago,
    events,
    follow_up_post,
    follow_ups,
    record_exit,
    record_follow_ups,
    session_token,
)


def _url(enr, fu):
    return f"/enrollments/{enr.id}/follow-ups/{fu.id}"


def _post(client, enr, fu, data, *, htmx=True):
    token = session_token(client)
    if htmx:
        return client.post(_url(enr, fu), data=data, headers={**HX, "X-CSRFToken": token})
    return client.post(_url(enr, fu), data={**data, "csrf_token": token})


@pytest.fixture
def exited(world, db):
    """enr_a, enr_b and enr_c exited 200 days ago (3- and 6-month follow-ups are due)."""
    for key, coach in (("enr_a", "coach_a"), ("enr_b", "coach_b"), ("enr_c", "coach_c")):
        enr = world[key]
        enr.enrolled_on = days_ago(400)
        record_exit(enr, world[coach], exited_on=days_ago(200))
    return world


def _reload(db, fu):
    db.session.expire_all()
    return db.session.get(type(fu), fu.id)


def test_form_page_without_javascript(client, login_as, exited, db):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[1]
    login_as(exited["coach_a"])
    response = client.get(_url(enr, fu))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and "<h1>Uppföljning efter 6 månader</h1>" in html
    item = html[html.index(f'id="follow-up-{fu.id}"'):].split("</li>")[0]
    assert 'name="follow-up-status"' in item and "Spara uppföljning" in item
    assert f'value="{date.today().isoformat()}"' in item  # recorded_on defaults to today
    assert 'name="follow-up-status"' not in html.replace(item, "")  # only this one opens
    viewed = events(AuditAction.view, "exit_outcome")
    assert [e.participant_id for e in viewed] == [enr.participant_id]


def test_form_via_htmx_is_the_section_partial(client, login_as, exited):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[0]
    login_as(exited["coach_a"])
    response = client.get(_url(enr, fu), headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"') and "<html" not in html
    assert f'hx-post="/enrollments/{enr.id}/follow-ups/{fu.id}"' in html
    # Cancel swaps the section back in, and works as a plain link without JavaScript.
    assert f'hx-get="/enrollments/{enr.id}/outcome"' in html
    assert f'href="/enrollments/{enr.id}#exit"' in html


def test_record_follow_up_via_htmx(client, login_as, exited, db):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[0]
    login_as(exited["coach_a"])
    response = _post(client, enr, fu, follow_up_post(recorded_on=days_ago(3).isoformat()))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"')
    item = html[html.index(f'id="follow-up-{fu.id}"'):].split("</li>")[0]
    assert "Registrerad" in item and "Anställd" in item and "Egen uppgift" in item
    assert days_ago(3).isoformat() in item and "Uppföljningen är sparad." in item
    assert 'Ändra uppföljning<span class="visually-hidden"> efter 3 månader</span>' in item
    fu = _reload(db, fu)
    assert (fu.status, fu.source, fu.recorded_on) == (
        FollowUpStatus.employed, FollowUpSource.self_report, days_ago(3))
    updates = events(AuditAction.update, "follow_up")
    assert [(e.object_id, e.participant_id, e.user_id) for e in updates] == [
        (fu.id, enr.participant_id, exited["coach_a"].id)]


def test_record_follow_up_without_javascript(client, login_as, exited, db):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[1]
    login_as(exited["manager1"])
    response = _post(client, enr, fu, follow_up_post(status="studies", source="register"),
                     htmx=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(
        f"/enrollments/{enr.id}?outcome=follow_up_saved&follow_up={fu.id}#follow-up-{fu.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    item = page[page.index(f'id="follow-up-{fu.id}"'):].split("</li>")[0]
    assert "Uppföljningen är sparad." in item and "Studier" in item and "Register" in item
    assert _reload(db, fu).status == FollowUpStatus.studies


def test_correct_a_recorded_follow_up(client, login_as, exited, db):
    enr = exited["enr_a"]
    record_follow_ups(enr, exited["coach_a"], 1)
    fu = follow_ups(enr)[0]
    login_as(exited["coach_a"])
    html = client.get(_url(enr, fu), headers=HX).get_data(as_text=True)
    # The form opens with what was recorded.
    assert '<option selected value="employed">' in html
    assert '<option selected value="register">' in html
    response = _post(client, enr, fu, follow_up_post(status="job_seeking", source="register"))
    assert response.status_code == 200
    assert "Arbetssökande" in response.get_data(as_text=True)
    assert _reload(db, fu).status == FollowUpStatus.job_seeking
    updates = events(AuditAction.update, "follow_up")
    assert len(updates) == 2 and "corrected from employed/register" in updates[1].detail


def test_saving_the_same_values_changes_nothing(client, login_as, exited, db):
    enr = exited["enr_a"]
    record_follow_ups(enr, exited["coach_a"], 1)
    fu = follow_ups(enr)[0]
    login_as(exited["coach_a"])
    response = _post(client, enr, fu, follow_up_post(source="register"))
    assert response.status_code == 200
    assert "Inget ändrades." in response.get_data(as_text=True)
    assert len(events(AuditAction.update, "follow_up")) == 1


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"recorded_on": (date.today() + timedelta(days=1)).isoformat()}, "recorded_on",
     "Uppföljningsdatumet kan inte vara i framtiden."),
    ({"recorded_on": days_ago(201).isoformat()}, "recorded_on",
     "Uppföljningsdatumet kan inte vara före avslutsdatumet"),
    ({"recorded_on": ""}, "recorded_on", "Ange datum för uppföljningen."),
    ({"recorded_on": "igår"}, "recorded_on", "Inte ett giltigt datum"),
    ({"status": ""}, "status", "Välj deltagarens situation."),
    ({"status": "retired"}, "status", "Inte ett giltigt val"),
    ({"source": ""}, "source", "Välj var uppgiften kommer ifrån."),
])
@pytest.mark.parametrize("htmx", [True, False])
def test_invalid_follow_up_is_refused(client, login_as, exited, db, overrides, field,
                                      message, htmx):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[0]
    login_as(exited["coach_a"])
    response = _post(client, enr, fu, follow_up_post(**overrides), htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    error = html[html.index(f'id="follow-up-{field}-error"'):].split("</p>")[0]
    assert message in error
    fu = _reload(db, fu)
    assert fu.recorded_on is None and fu.status is None
    assert events(AuditAction.update, "follow_up") == []


def test_follow_up_of_another_enrollment_is_404(client, login_as, exited, db):
    enr_a = exited["enr_a"]
    other = factories.enrollment(exited["coach_a"], enr_a.cohort, enrolled_on=days_ago(50))
    record_exit(other, exited["coach_a"], exited_on=days_ago(5))
    foreign = follow_ups(other)[0]
    login_as(exited["coach_a"])
    assert client.get(_url(enr_a, foreign)).status_code == 404
    assert client.get(f"/enrollments/{enr_a.id}/follow-ups/999999").status_code == 404
    assert _post(client, enr_a, foreign, follow_up_post()).status_code == 404
    assert _reload(db, foreign).recorded_on is None


@pytest.mark.parametrize("htmx", [True, False])
def test_post_without_csrf_token_is_refused(client, login_as, exited, db, htmx):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[0]
    login_as(exited["coach_a"])
    response = client.post(_url(enr, fu), data=follow_up_post(), headers=HX if htmx else {})
    assert response.status_code == 400
    assert _reload(db, fu).recorded_on is None


@pytest.mark.parametrize(("who", "target", "expected"), [
    ("coach_a", "enr_a", 200),
    ("manager1", "enr_b", 200),
    ("coach_a", "enr_b", 404),
    ("coach_a", "enr_c", 404),
    ("manager2", "enr_a", 404),
    ("portal_a", "enr_a", 404),
    ("admin1", "enr_a", 404),
])
def test_scope(client, login_as, exited, db, who, target, expected):
    enr = exited[target]
    fu = follow_ups(enr)[0]
    login_as(exited[who])
    assert client.get(_url(enr, fu)).status_code == expected
    assert client.get(_url(enr, fu), headers=HX).status_code == expected
    assert _post(client, enr, fu, follow_up_post()).status_code == expected
    assert (_reload(db, fu).recorded_on is not None) is (expected == 200)


def test_anonymous_is_sent_to_login(client, exited, db):
    enr = exited["enr_a"]
    fu = follow_ups(enr)[0]
    response = client.get(_url(enr, fu))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    token = session_token(client)
    response = client.post(_url(enr, fu), data={**follow_up_post(), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _reload(db, fu).recorded_on is None


def test_follow_up_form_query_count_does_not_depend_on_the_data(client, login_as, exited,
                                                                 count_queries, db):
    enr_a, enr_b = exited["enr_a"], exited["enr_b"]
    record_follow_ups(enr_b, exited["coach_b"], 3)
    url_a, url_b = _url(enr_a, follow_ups(enr_a)[0]), _url(enr_b, follow_ups(enr_b)[2])
    login_as(exited["manager1"])
    with count_queries() as q_a:
        assert client.get(url_a, headers=HX).status_code == 200
    with count_queries() as q_b:
        assert client.get(url_b, headers=HX).status_code == 200
    assert q_a.count == q_b.count <= 6, q_b.statements
