"""Property-based fuzzing of every form with random and hostile input.

For each page below, every POST form on it is read from the HTML (its fields,
their current values and the choices of its selects) and submitted with values
drawn by hypothesis: left as they are, missing, random unicode, markup and
script, SQL, spreadsheet formulas, control characters, huge numbers and very
long strings. Whatever is sent, the app must answer without a server error,
either storing the value (a redirect or a page) or refusing it with a message,
and never echo markup unescaped.

FUZZ_EXAMPLES sets the number of submissions per form (default 6; try 200 for
a deep local run).
"""

import os
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import log_in

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    SCRIPT, '"><img src=x onerror=alert(1)>', "' OR 1=1 --", "'; DROP TABLE participant; --",
    "=HYPERLINK(\"http://evil.example\")", "+cmd|' /C calc'!A0", "@SUM(1+1)",
    "\x00", "a\x00b", "\r\n\r\nSet-Cookie: x=1", "\u202eevil", "\ufeff", "😀" * 60,
    "9" * 400, "-1", "0", "1e309", "NaN", "-99999999999999999999", "2026-02-30", "0000-00-00",
    "9999-12-31", "19121212-1212", "191212121212", " ", "", "x" * 5000, "null", "{{7*7}}",
    "%(name)s", "../../etc/passwd",
]
# Forms that end the session or change language: not useful to fuzz and they
# would log the fuzzing user out.
SKIP_ACTIONS = ("/logout", "/locale")


class FormParser(HTMLParser):
    """The POST forms of a page: action and fields (name -> default, choices)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].setdefault(name, {"value": None, "choices": []})
                self._form["fields"][name]["choices"].append(a.get("value", "y"))
                return
            field = self._form["fields"].setdefault(name, {"value": None, "choices": []})
            field["value"] = a.get("value", "")
            if kind in ("checkbox", "radio"):
                field["choices"].append(a.get("value", "y"))
        elif tag == "select" and name:
            self._select = self._form["fields"].setdefault(name, {"value": None, "choices": []})
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["choices"].append(value)
            if "selected" in a or self._select["value"] is None:
                self._select["value"] = value
        elif tag == "textarea" and name:
            self._textarea = self._form["fields"].setdefault(name, {"value": "", "choices": []})

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return [f for f in parser.forms if any(n.endswith("csrf_token") for n in f["fields"])
            and not f["action"].startswith(SKIP_ACTIONS)]


# Every example draws the same shape of data (a form number and a fixed list of
# value "slots"); which field a slot feeds is worked out from the page. The pages
# change as the fuzzing stores values, and hypothesis needs draws that do not
# depend on such outside state.
SLOTS = 40
SLOT = st.tuples(st.integers(0, 5), st.sampled_from(HOSTILE), st.text(max_size=80),
                 st.integers(min_value=-10**12, max_value=10**12))


def value_for(field: dict, slot) -> str | None:
    """The field's value for one slot: missing, its own, a choice, hostile or random."""
    kind, hostile, text, number = slot
    own = field["value"] if field["value"] is not None else (field["choices"] or [""])[0]
    if kind == 0:
        return None
    if kind == 1:
        return own
    if kind == 2:
        return field["choices"][number % len(field["choices"])] if field["choices"] else own
    if kind == 3:
        return hostile
    if kind == 4:
        return text
    return str(number)


# (caller, page builder): every POST form on the page is fuzzed.
PAGES = [
    ("anonymous", lambda s: "/login"),
    ("coach", lambda s: "/participants/new"),
    ("coach", lambda s: "/participants"),
    ("coach", lambda s: f"/participants/{s['participant_id']}/edit"),
    ("coach", lambda s: f"/participants/{s['participant_id']}/enroll"),
    ("coach", lambda s: f"/participants/{s['participant_id']}/portal"),
    ("coach", lambda s: f"/enrollments/{s['enrollment_id']}"),
    ("coach", lambda s: f"/enrollments/{s['enrollment_id']}/edit"),
    ("coach", lambda s: f"/enrollments/{s['enrollment_id']}/steps/{s['step_id']}/edit"),
    ("coach", lambda s: f"/enrollments/{s['enrollment_id']}/plan/{s['item_id']}/edit"),
    ("coach", lambda s: f"/enrollments/{s['enrollment_id']}/activities/{s['activity_id']}/edit"),
    ("coach", lambda s: f"/enrollments/{s['enrollment_id']}/exit"),
    ("coach", lambda s: f"/enrollments/{s['exited_enrollment_id']}"),
    ("coach", lambda s: f"/cohorts/{s['cohort_id']}/group-sessions/new"),
    ("coach", lambda s: "/account/password"),
    ("manager", lambda s: f"/enrollments/{s['exited_enrollment_id']}/exit/reopen"),
    ("manager", lambda s: "/programs/new"),
    ("manager", lambda s: f"/programs/{s['program_id']}"),
    ("manager", lambda s: f"/programs/{s['program_id']}/edit"),
    ("manager", lambda s: f"/programs/{s['program_id']}/steps/{s['template_id']}/edit"),
    ("manager", lambda s: f"/programs/{s['program_id']}/cohorts/new"),
    ("manager", lambda s: f"/cohorts/{s['cohort_id']}/edit"),
    ("manager", lambda s: "/settings/attention"),
    ("manager", lambda s: f"/participants/{s['participant_id']}/anonymize"),
    ("admin", lambda s: f"/admin/users/{s['user_id']}/edit"),
    ("participant", lambda s: "/portal/"),
    ("participant", lambda s: f"/portal/enrollments/{s['enrollment_id']}/assessment"),
]
OK_STATUSES = {200, 201, 204, 302, 303, 400, 409, 410, 422, 429}


def _pages():
    return [pytest.param(caller, build, id=f"{caller} {build({k: 'ID' for k in _KEYS})}")
            for caller, build in PAGES]


_KEYS = ("participant_id", "enrollment_id", "step_id", "item_id", "activity_id",
         "exited_enrollment_id", "cohort_id", "program_id", "template_id", "user_id")


@pytest.mark.parametrize("caller, build", _pages())
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(form_number=st.integers(0, 99), slots=st.lists(SLOT, min_size=SLOTS, max_size=SLOTS),
       htmx=st.booleans())
def test_hostile_input_never_breaks_a_form(app, matrix_world, caller, build, form_number,
                                           slots, htmx):
    users, sets = matrix_world
    client = app.test_client()
    if caller != "anonymous":
        log_in(client, users[caller])
    url = build(sets["A"])
    page = client.get(url)
    if page.status_code == 302 and "/login" not in page.headers["Location"]:
        # An earlier example changed the state the page needs (e.g. reopened the
        # exit): the page sends the user on, as it should.
        return
    assert page.status_code == 200, f"{url}: {page.status_code}"
    forms = post_forms(page.get_data(as_text=True))
    assert forms, f"no POST form with a CSRF token on {url}"
    form = forms[form_number % len(forms)]
    payload = {}
    for i, (name, field) in enumerate(sorted(form["fields"].items())):
        if name.endswith("csrf_token"):
            payload[name] = field["value"]
            continue
        value = value_for(field, slots[i % SLOTS])
        if value is not None:
            payload[name] = value
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(form["action"] or url, data=payload, headers=headers)
    body = response.get_data(as_text=True)
    context = f"POST {form['action'] or url} as {caller} with {payload!r}"
    assert response.status_code in OK_STATUSES, f"{response.status_code} for {context}"
    assert SCRIPT not in body and "<img src=x onerror" not in body, f"unescaped for {context}"
    if response.status_code == 422:
        assert ('class="error"' in body or "flash-error" in body or 'role="alert"' in body), \
            f"422 without a message for {context}"
