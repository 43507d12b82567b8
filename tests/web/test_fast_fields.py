"""The faster widgets of journey.web.fast_fields write WTForms' own HTML, character for
character: every field of the forms that use them, blank, filled with text that needs
escaping and with errors, rendered as the shared render_field macro and a template
would call them, against the WTForms widget each one replaces."""

from datetime import date, time

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import widgets
from wtforms.fields.core import Label as WTFormsLabel

from journey.activities.forms import ActivityForm, GroupSessionForm, with_ids
from journey.auth.forms import LoginForm, PasswordChangeForm
from journey.journeys.forms import (
    AssessmentForm,
    NoteForm,
    PlanItemForm,
    StepEditForm,
    StepStatusForm,
)
from journey.portal.invite_forms import SetPasswordForm
from journey.web import fast_fields as fields

NASTY = "a <b> & \"c\" 'd'"

FORMS = [ActivityForm, GroupSessionForm, AssessmentForm, NoteForm, PlanItemForm,
         StepEditForm, StepStatusForm, LoginForm, PasswordChangeForm, SetPasswordForm]


def _wtforms_widget(widget):
    """The WTForms widget ours stands in for, with the same settings (step, min …)."""
    base = next(c for c in type(widget).__mro__ if c.__module__ == "wtforms.widgets.core")
    original = base.__new__(base)
    original.__dict__.update(widget.__dict__)
    return original


def _states(form_class):
    """The form blank, filled from posted text (some of it needing escaping), and with
    errors after a failed validation."""
    blank = form_class(formdata=None, prefix="p")
    posted = MultiDict({f"p-{name}": NASTY for name in blank._fields})
    for name in ("date", "taken_on", "started_on", "due_on", "exited_on"):
        posted[f"p-{name}"] = "2026-01-31"
    filled = form_class(formdata=posted, prefix="p")
    invalid = form_class(formdata=posted, prefix="p")
    invalid.validate()
    return [blank, filled, invalid]


# What the render_field macro and the templates pass (after WTForms' key cleaning).
RENDER_KWARGS = [
    {},
    {"aria-invalid": "false", "aria-describedby": False},
    {"aria-invalid": "true", "aria-describedby": "x-hint x-error"},
    {"class": "wide", "autofocus": True, "placeholder": Markup('say "hi"')},
]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_every_field_renders_as_wtforms_does(app, form_class):
    with app.test_request_context():
        checked = 0
        for form in _states(form_class):
            for field in form:
                if not isinstance(field.widget, fields._Input | fields.Select
                                  | fields.TextArea):
                    continue  # the CSRF token: WTForms' own widget
                original = _wtforms_widget(field.widget)
                for kwargs in RENDER_KWARGS:
                    assert field.widget(field, **kwargs) == original(field, **kwargs)
                assert isinstance(field.label, fields.Label)
                assert field.label() == WTFormsLabel.__call__(field.label)
                assert field.label("Other <text>", class_="x") == WTFormsLabel.__call__(
                    field.label, "Other <text>", class_="x")
                checked += 1
        assert checked


def test_a_select_with_a_selected_value_and_option_attributes(app):
    with app.test_request_context():
        form = with_ids(ActivityForm(formdata=None, date=date(2026, 1, 2),
                                     time=time(9, 5)), "new-activity")
        form.attendance.data = "attended"
        original = _wtforms_widget(form.attendance.widget)
        html = form.attendance.widget(form.attendance)
        assert html == original(form.attendance)
        assert '<option selected value="attended">' in html
        form.kind.choices = [("a", "A", {"data_x": "1"}), ("b", Markup("<i>B</i>"))]
        form.kind.data = "b"
        assert form.kind.widget(form.kind) == _wtforms_widget(form.kind.widget)(form.kind)
        assert form.time() == _wtforms_widget(form.time.widget)(form.time)


@pytest.mark.parametrize("kwargs", [
    {"name": "x", "id": "y", "value": NASTY},
    {"value": Markup('already "safe" <b>')},
    {"checked": True, "disabled": False, "maxlength": 5000, "value": None},
    {"class_": "a", "for_": "b", "data_foo_bar": "c", "aria_described_by": "d"},
    {"value": "", "min": 1, "max": 10, "inputmode": "numeric"},
    {},
])
def test_html_params_is_wtforms_html_params(kwargs):
    assert fields.html_params(**kwargs) == widgets.html_params(**kwargs)


def test_a_posted_password_is_never_written_back(app):
    with app.test_request_context():
        form = PasswordChangeForm(formdata=MultiDict({"current": "hemligt-lösen-1"}))
        html = form.current()
        assert 'value=""' in html and "hemligt" not in html
        assert isinstance(form.current.widget, fields.PasswordInput)
