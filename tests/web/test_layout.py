"""The layout's menu and links (journey.web.layout): per role, the current page marked,
in the user's language, and under a script root (a proxy's path prefix)."""

import re

from flask import url_for
from flask_login import login_user

from journey.web import layout


def _menu(html: str) -> list[tuple[str, str, bool]]:
    nav = html.split('<ul class="nav">')[1].split("</ul>")[0]
    return [(href, text, "aria-current" in attrs)
            for href, attrs, text in re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav)]


def test_coach_menu_marks_the_caseload_on_its_pages(client, login_as, world):
    login_as(world["coach_a"])
    menu = _menu(client.get("/caseload").get_data(as_text=True))
    assert menu == [("/caseload", "Mina deltagare", True),
                    ("/participants", "Deltagare", False),
                    ("/group-sessions", "Gruppaktiviteter", False)]
    # An enrollment (the journeys blueprint) belongs under the caseload too.
    html = client.get(f"/enrollments/{world['enr_a'].id}").get_data(as_text=True)
    assert [current for _, _, current in _menu(html)] == [True, False, False]
    assert [current for _, _, current in _menu(
        client.get("/participants").get_data(as_text=True))] == [False, True, False]


def test_manager_and_admin_menus(client, login_as, world):
    login_as(world["manager1"])
    html = client.get("/programs").get_data(as_text=True)
    assert [(href, current) for href, _, current in _menu(html)] == [
        ("/participants", False), ("/group-sessions", False), ("/programs", True),
        ("/reports", False)]
    client.post("/logout", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', html).group(1)})
    login_as(world["admin1"])
    html = client.get("/admin/users").get_data(as_text=True)
    assert [(href, text, current) for href, text, current in _menu(html)] == [
        ("/programs", "Program och kullar", False), ("/admin/users", "Användare", True),
        ("/admin/audit", "Händelselogg", False)]


def test_menu_follows_the_language(client, login_as, world):
    login_as(world["coach_a"])
    html = client.get("/caseload").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/locale", data={"locale": "en", "next": "/caseload", "csrf_token": token})
    menu = _menu(client.get("/caseload").get_data(as_text=True))
    assert [text for _, text, _ in menu] == ["My caseload", "Participants", "Group sessions"]


def test_links_are_remembered_per_script_root(app, world):
    for root in ("", "/journey", ""):
        with app.test_request_context(base_url=f"http://example.test{root}/"):
            login_user(world["coach_a"])
            assert layout.static_url("css/app.css") == url_for(
                "static", filename="css/app.css") == f"{root}/static/css/app.css"
            assert layout.page_url("auth.logout") == url_for("auth.logout") == f"{root}/logout"
            assert layout.menu()[0][0] == f"{root}/caseload"
