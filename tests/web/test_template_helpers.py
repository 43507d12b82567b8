"""The list helpers of templates (url_pattern, labels) give what url_for and label give."""

import pytest
from flask import url_for

from journey.enums import ActivityKind, Attendance, PlanOwner, label, labels
from journey.web.urls import url_pattern


@pytest.mark.parametrize(("endpoint", "open_arg", "values"), [
    ("activities.edit", "activity_id", {"enrollment_id": 87891}),
    ("journeys.toggle_plan_item", "item_id", {"enrollment_id": 3}),
    ("journeys.update_step", "step_id", {"enrollment_id": 10}),
    # A query string holding "%" (percent-encoded as %25) survives the pattern.
    ("journeys.enrollment", "enrollment_id", {"notice": "50% & more"}),
])
def test_url_pattern_gives_url_for(app, endpoint, open_arg, values):
    with app.test_request_context():
        pattern = url_pattern(endpoint, open_arg, **values)
        for object_id in (1, 7, 10, 87891, 2**31 - 1):
            assert pattern % object_id == url_for(endpoint, **values, **{open_arg: object_id})


def test_url_pattern_under_a_script_root(app):
    with app.test_request_context(base_url="http://example.test/journey/"):
        pattern = url_pattern("activities.delete", "activity_id", enrollment_id=5)
        assert pattern % 9 == "/journey/enrollments/5/activities/9/delete"


@pytest.mark.parametrize("enum_cls", [ActivityKind, Attendance, PlanOwner])
@pytest.mark.parametrize("locale", ["sv", "en"])
def test_labels_gives_label(app, enum_cls, locale):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        assert labels(enum_cls) == {m.value: label(enum_cls, m) for m in enum_cls}
        # Keyed by value, so an enum member finds its label too (StrEnum).
        assert labels(enum_cls)[next(iter(enum_cls))] == label(enum_cls, next(iter(enum_cls)))
