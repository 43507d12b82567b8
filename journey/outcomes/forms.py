"""Forms of the exit and follow-up section; the domain rules are in services.py."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from journey.enums import (
    OUTCOME_GROUP,
    FollowUpSource,
    FollowUpStatus,
    NeutralReason,
    Outcome,
    choices,
)
from journey.i18n import lazy_gettext as _l
from journey.outcomes import services
from journey.outcomes.queries import GROUP_LABELS
from journey.web.fields import IntegerField


def outcome_groups() -> list[tuple[str, list[Outcome]]]:
    """The outcomes in DOMAIN.md order, grouped job / studies / other."""
    return [(group, [o for o in Outcome if OUTCOME_GROUP[o] == group])
            for group in GROUP_LABELS]


def _with_blank(enum_cls, blank) -> list[SelectChoice]:
    return [SelectChoice("", blank), *choices(enum_cls)]


def _apply(form: FlaskForm, errors: dict[str, str]) -> bool:
    """Put service errors on the matching fields; False when there were any."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    return not errors


class ExitForm(FlaskForm):
    exited_on = DateField(_l("Exit date"), validators=[Optional()],
                          render_kw={"autofocus": True})
    outcome = RadioField(_l("Outcome"), choices=choices(Outcome),
                         validators=[Optional()], validate_choice=False)
    neutral_reason = SelectField(
        _l("Reason"),
        choices=_with_blank(NeutralReason, _l("– no reason –")),
        description=_l("Only when the outcome is “Other known reason”."),
    )
    qualification_gained = BooleanField(
        _l("Gained a qualification"),
        description=_l("For example a certificate, a grade or a vocational licence "
                       "(ESF+ EECR03)."),
    )
    employer = StringField(_l("Employer or company"), validators=[Length(max=200)])
    occupation = StringField(_l("Occupation"), validators=[Length(max=200)])
    hours_per_week = IntegerField(_l("Hours per week"), validators=[Optional()],
                                  description=_l("Between 1 and 80."))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def grouped_outcomes(self) -> list[tuple[str, list]]:
        """The outcome radio buttons in groups: [(group label, [option, ...]), ...]."""
        by_value = {option.data: option for option in self.outcome}
        return [(str(GROUP_LABELS[group]), [by_value[o.value] for o in outcomes])
                for group, outcomes in outcome_groups()]

    def validate_with(self, enrollment, *, today: date | None = None) -> bool:
        """Field checks, then the domain rules of :func:`services.validate_exit`."""
        valid = self.validate()
        data = services.ExitData.from_mapping(self.data)
        # A field that failed its own check (e.g. a date that did not parse) keeps
        # that one message instead of a second one from the rules.
        errors = {k: v for k, v in services.validate_exit(enrollment, data, today=today).items()
                  if not getattr(self, k).errors}
        return _apply(self, errors) and valid


class FollowUpForm(FlaskForm):
    status = SelectField(_l("Situation at follow-up"),
                         choices=_with_blank(FollowUpStatus, _l("Choose…")),
                         render_kw={"autofocus": True})
    source = SelectField(_l("Source"), choices=_with_blank(FollowUpSource, _l("Choose…")),
                         description=_l("Where the information comes from."))
    recorded_on = DateField(_l("Date of the follow-up"), validators=[Optional()])

    def validate_with(self, exit_outcome, *, today: date | None = None) -> bool:
        """Field checks, then the rules of :func:`services.validate_follow_up`."""
        valid = self.validate()
        data = services.FollowUpData.from_mapping(self.data)
        errors = {k: v for k, v in services.validate_follow_up(exit_outcome, data,
                                                                today=today).items()
                  if not getattr(self, k).errors}
        return _apply(self, errors) and valid


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the exit removed?"),
        validators=[DataRequired(message=_l("Write why the exit is removed.")),
                    Length(max=services.REASON_MAX_LENGTH)],
        description=_l("Saved in the log, for example “Registered on the wrong participant”."),
        render_kw={"autofocus": True},
    )

