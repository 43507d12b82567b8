"""The participant list: scope, name search, ID-number search, paging, htmx, budget."""

from datetime import date

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, IdKind, Role
from journey.extensions import db as _db
from tests import factories
from tests.conftest import page_token
from tests.participants.helpers import HX, make_id, switch_user


def _give_id(participant, number):
    participant.id_kind = IdKind.personnummer
    participant.national_id = number
    participant.birth_date = date(int(number[:4]), int(number[4:6]), int(number[6:8]))


def test_coach_sees_caseload_and_own_unenrolled_intakes(client, login_as, world, db):
    coach_a = world["coach_a"]
    factories.participant(world["orgs"][0], "Ida", "Intag", created_by=coach_a)
    factories.participant(world["orgs"][0], "Olle", "Annans", created_by=world["coach_b"])
    login_as(coach_a)
    response = client.get("/participants")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ali, Amina" in html and "Intag, Ida" in html
    assert "Berg, Bo" not in html and "Annans, Olle" not in html and "Cruz" not in html
    assert "Jobbpunkt HT" in html  # the current cohort
    assert "Inte inskriven ännu" in html  # the intake
    assert "HX-Request" in response.headers["Vary"]


def test_manager_sees_the_whole_organisation(client, login_as, world):
    login_as(world["manager1"])
    html = client.get("/participants").get_data(as_text=True)
    assert "Ali, Amina" in html and "Berg, Bo" in html
    assert "Cruz" not in html


def test_list_is_hidden_from_other_roles_and_anonymous(client, login_as, world):
    response = client.get("/participants")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(world["portal_a"])
    assert client.get("/participants").status_code == 404
    switch_user(client, world["admin1"])
    assert client.get("/participants").status_code == 404


def test_nav_links_to_the_list(client, login_as, world):
    login_as(world["coach_a"])
    html = client.get("/caseload").get_data(as_text=True)
    assert 'href="/participants"' in html


def test_name_search_is_case_insensitive_and_matches_parts(client, login_as, world, db):
    o1 = world["orgs"][0]
    factories.participant(o1, "Åsa", "Öberg", created_by=world["coach_a"])
    factories.participant(o1, "Anna", "Svensson", created_by=world["coach_a"])
    login_as(world["coach_a"])
    for query in ("åsa", "ÖBERG", "berg", "Åsa öberg", "sA"):
        html = client.get("/participants", query_string={"q": query}).get_data(as_text=True)
        assert "Öberg, Åsa" in html, query
    html = client.get("/participants?q=amina").get_data(as_text=True)
    assert "Ali, Amina" in html and "Öberg" not in html and "Svensson" not in html
    html = client.get("/participants?q=svens").get_data(as_text=True)
    assert "Svensson, Anna" in html and "Ali, Amina" not in html
    # LIKE wildcards are taken literally.
    html = client.get("/participants?q=%25").get_data(as_text=True)
    assert "Ingen deltagare hittades" in html


def test_htmx_search_returns_only_the_results_partial(client, login_as, world):
    login_as(world["coach_a"])
    response = client.get("/participants?q=ami", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="participant-results"')
    assert "<html" not in html and "Ali, Amina" in html
    full = client.get("/participants?q=ami", headers={**HX, "HX-Boosted": "true"})
    assert "<html" in full.get_data(as_text=True)
    page = client.get("/participants").get_data(as_text=True)
    # Live name search via GET; static/js/app.js cancels the request while the
    # text has a digit, so a personnummer never goes into a URL.
    assert 'hx-get="/participants"' in page
    assert 'hx-trigger="input changed delay:300ms"' in page
    assert "data-no-request-with-digits" in page
    assert 'method="post" action="/participants/search"' in page


def test_search_form_without_js_redirects_names_to_the_list(client, login_as, world):
    login_as(world["coach_a"])
    token = page_token(client, "/participants")
    response = client.post("/participants/search", data={"q": "Amina", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/participants?q=Amina"
    response = client.post("/participants/search", data={"q": "Amina"},
                           headers={**HX, "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="participant-results"') and "Ali, Amina" in html


def test_search_by_full_id_number_is_exact_masked_and_audited(client, login_as, world, db):
    number = make_id(date(1988, 4, 17), 462)
    _give_id(world["enr_a"].participant, number)
    db.session.commit()
    login_as(world["coach_a"])
    token = page_token(client, "/participants")
    short = f"{number[2:8]}-{number[8:]}"
    # Full page (no JS): the result is rendered directly, never redirected to a URL.
    response = client.post("/participants/search", data={"q": short, "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ali, Amina" in html and "<html" in html
    assert "19880417-****" in html
    assert number not in html and short not in html and number[8:] not in html
    # htmx: the partial only.
    response = client.post("/participants/search", data={"q": number},
                           headers={**HX, "X-CSRFToken": token})
    partial = response.get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="participant-results"')
    assert "Ali, Amina" in partial and number not in partial
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "participant_search")).all()
    assert len(events) == 2
    assert {e.participant_id for e in events} == {world["enr_a"].participant_id}
    assert all(e.action == AuditAction.view and number not in e.detail for e in events)


def test_id_number_search_matches_exactly_only(client, login_as, world, db):
    number = make_id(date(1988, 4, 17), 462)
    _give_id(world["enr_a"].participant, number)
    db.session.commit()
    login_as(world["coach_a"])
    token = page_token(client, "/participants")
    # Another valid number, a partial number and a wrong check digit: no match.
    other = make_id(date(1988, 4, 17), 464)
    html = client.post("/participants/search", data={"q": other, "csrf_token": token}
                       ).get_data(as_text=True)
    assert "Ali, Amina" not in html and "Ingen deltagare hittades" in html
    html = client.post("/participants/search", data={"q": number[:8], "csrf_token": token}
                       ).get_data(as_text=True)
    assert "Ali, Amina" not in html and "ÅÅÅÅMMDD-NNNN" in html
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    html = client.post("/participants/search", data={"q": bad, "csrf_token": token}
                       ).get_data(as_text=True)
    assert "Ali, Amina" not in html and "Kontrollsiffran" in html


def test_id_number_search_respects_scope(client, login_as, world, db):
    number = make_id(date(1979, 9, 9), 851)
    _give_id(world["enr_b"].participant, number)
    db.session.commit()
    login_as(world["coach_a"])
    token = page_token(client, "/participants")
    html = client.post("/participants/search", data={"q": number, "csrf_token": token}
                       ).get_data(as_text=True)
    assert "Berg, Bo" not in html and "Ingen deltagare hittades" in html


def test_digits_in_the_address_are_neither_searched_nor_echoed(client, login_as, world, db):
    number = make_id(date(1988, 4, 17), 462)
    _give_id(world["enr_a"].participant, number)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get("/participants", query_string={"q": number})
    assert response.status_code == 303 and response.headers["Location"] == "/participants"
    html = client.get("/participants").get_data(as_text=True)
    assert number not in html
    assert "tryck på Sök" in html


def test_search_requires_csrf(client, login_as, world):
    login_as(world["coach_a"])
    assert client.post("/participants/search", data={"q": "Amina"}).status_code == 400
    assert client.post("/participants/search", data={"q": "Amina"},
                       headers=HX).status_code == 400


def test_search_hidden_from_other_roles(client, login_as, world):
    response = client.post("/participants/search", data={"q": "Amina"})
    assert response.status_code in (302, 400)  # CSRF is checked first for anonymous posts
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    assert client.post("/participants/search",
                       data={"q": "Amina", "csrf_token": token}).status_code == 404
    switch_user(client, world["portal_a"])
    token = page_token(client, "/portal/")
    assert client.post("/participants/search",
                       data={"q": "Amina", "csrf_token": token}).status_code == 404


def test_empty_state_tells_what_to_do(client, login_as, db):
    coach = factories.user(Role.coach)
    login_as(coach)
    html = client.get("/participants").get_data(as_text=True)
    assert "Inga deltagare ännu" in html
    assert 'href="/participants/new"' in html and "Registrera en ny deltagare" in html


def test_protected_identity_hides_the_district_in_the_list(client, login_as, world, db):
    p = world["enr_a"].participant
    p.protected_identity = True
    p.district = "Bäckby"
    db.session.commit()
    login_as(world["coach_a"])
    html = client.get("/participants").get_data(as_text=True)
    assert "Skyddad identitet" in html and "Bäckby" not in html


def _name(i: int) -> str:
    """Names sort in creation order and carry no digits (digits mean an ID number)."""
    return "Namn" + "ABCDEFGHIJ"[i // 26 % 10] + "abcdefghijklmnopqrstuvwxyz"[i % 26]


def _grow(manager, n, start=0):
    o = manager.organization
    coach = factories.user(Role.coach, o)
    coh = factories.cohort(factories.program(o))
    for i in range(start, start + n):
        p = factories.participant(o, _name(i), "Testsson")
        if i % 2:
            factories.enrollment(coach, coh, part=p)
    _db.session.commit()


def test_paging(client, login_as, db):
    manager = factories.user(Role.manager)
    _grow(manager, 120)
    login_as(manager)
    html = client.get("/participants").get_data(as_text=True)
    assert html.count("/participants/") - html.count("/participants/new") >= 50
    assert _name(0) in html and _name(49) in html and _name(50) not in html
    assert "Sida 1 av 3" in html and 'href="/participants?page=2"' in html
    html = client.get("/participants?page=3").get_data(as_text=True)
    assert _name(119) in html and _name(0) not in html and "Sida 3 av 3" in html
    # Out of range pages land on the nearest page.
    assert "Sida 3 av 3" in client.get("/participants?page=99").get_data(as_text=True)
    html = client.get("/participants?q=NamnE&page=1", headers=HX).get_data(as_text=True)
    assert _name(104) in html and _name(119) in html and _name(103) not in html
    assert "16 deltagare matchar" in html and "Sida" not in html


def test_list_query_count_does_not_grow_with_data(client, login_as, count_queries, db):
    manager = factories.user(Role.manager)
    login_as(manager)
    _grow(manager, 10)
    with count_queries() as small:
        assert client.get("/participants").status_code == 200
    _grow(manager, 190, start=10)
    with count_queries() as large:
        response = client.get("/participants")
    assert response.status_code == 200
    assert "Sida 1 av 4" in response.get_data(as_text=True)
    assert large.count == small.count
    assert large.count <= 4, large.statements
    coach = factories.user(Role.coach, manager.organization)
    coh = factories.cohort(factories.program(manager.organization))
    for i in range(60):
        factories.enrollment(coach, coh, first_name=f"Egen{_name(i)}")
    _db.session.commit()
    switch_user(client, coach)
    with count_queries() as as_coach:
        html = client.get("/participants").get_data(as_text=True)
    assert "EgenNamnAa" in html and as_coach.count <= 4, as_coach.statements


def test_a_search_without_match_reads_the_participants_once(client, login_as, count_queries,
                                                          db):
    manager = factories.user(Role.manager)
    login_as(manager)
    _grow(manager, 30)
    with count_queries() as found:
        html = client.get("/participants?q=NamnA", headers=HX).get_data(as_text=True)
    assert _name(0) in html
    with count_queries() as none:
        response = client.get("/participants?q=zzzz", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ingen deltagare hittades" in html
    participant_reads = [s for s in none.statements if "FROM participant" in s]
    assert len(participant_reads) == 1, none.statements
    assert none.count == found.count - 1
    # A page past the end of nothing is still the (empty) first page.
    assert "Ingen deltagare hittades" in client.get("/participants?q=zzzz&page=7").get_data(
        as_text=True)


def test_every_list_page_shown_is_audited(client, login_as, world, db):
    import sqlalchemy as sa

    from journey.audit.models import AuditEvent

    login_as(world["coach_a"])
    client.get("/participants")
    client.get("/participants?q=ami", headers={"HX-Request": "true"})
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "participant_list").order_by(AuditEvent.id)).all()
    assert [e.detail for e in events] == ["page 1, 1 rows", "page 1, 1 rows, name search"]
    assert all(e.user_id == world["coach_a"].id and e.participant_id is None for e in events)
