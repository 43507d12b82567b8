"""Check every row of an import before anything is written.

Errors are collected for all rows (not only the first), each as the row
number the spreadsheet shows, the column and a message in the user's language.
Enum columns take the codes of shared/DOMAIN.md and the Swedish or English
labels of ``journey.enums.LABELS``, case-insensitively.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale

from journey.enums import (
    LABELS,
    OUTCOME_GROUP,
    BirthRegion,
    EducationLevel,
    FollowUpStatus,
    Gender,
    IdKind,
    LabourStatus,
    NeutralReason,
    Outcome,
    SwedishLevel,
)
from journey.i18n import gettext as _
from journey.imports.parsing import Sheet
from journey.outcomes.services import add_months
from journey.participants import personnummer

MAX_UNEMPLOYED_MONTHS = 600
NAME_MAX, DISTRICT_MAX, EMPLOYER_MAX = 100, 100, 200
TRUE_WORDS = {"ja", "yes", "true", "1", "sant", "x"}
FALSE_WORDS = {"nej", "no", "false", "0", "falskt", ""}

ENUM_COLUMNS = {
    "gender": Gender,
    "birth_region": BirthRegion,
    "education_level": EducationLevel,
    "swedish_level": SwedishLevel,
    "labour_status_at_entry": LabourStatus,
    "outcome": Outcome,
    "neutral_reason": NeutralReason,
    "followup_6m_status": FollowUpStatus,
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    """One valid row, normalised (enum members, dates, 12-digit number)."""

    row: int
    first_name: str
    last_name: str
    enrolled_on: date
    gender: Gender
    birth_date: date | None
    id_kind: IdKind
    national_id: str | None
    birth_region: BirthRegion
    district: str
    education_level: EducationLevel
    swedish_level: SwedishLevel
    labour_status_at_entry: LabourStatus
    unemployed_months_at_entry: int | None
    coach_id: int | None
    exited_on: date | None
    outcome: Outcome | None
    neutral_reason: NeutralReason | None
    qualification_gained: bool
    employer: str
    followup_6m_status: FollowUpStatus | None

    @property
    def name_key(self) -> tuple[str, str, date] | None:
        if self.birth_date is None:
            return None
        return (self.first_name.casefold(), self.last_name.casefold(), self.birth_date)


def enum_lookup() -> dict[type, dict[str, str]]:
    """Per enum: lower-cased code, Swedish label and English label -> code."""
    lookup: dict[type, dict[str, str]] = {}
    for enum_cls in set(ENUM_COLUMNS.values()):
        words: dict[str, str] = {}
        for locale in ("en", "sv"):
            with force_locale(locale):
                for code, text in LABELS[enum_cls].items():
                    words.setdefault(str(text).strip().casefold(), code)
        for member in enum_cls:
            words[member.value.casefold()] = member.value
        lookup[enum_cls] = words
    return lookup


def _parse_date(text: str) -> date | None:
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


class _RowChecker:
    def __init__(self, number: int, values: dict[str, str], errors: list[RowError]):
        self.number = number
        self.values = values
        self.errors = errors
        self.failed: set[str] = set()

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def error(self, column: str, message: str) -> None:
        if column not in self.failed:
            self.failed.add(column)
            self.errors.append(RowError(self.number, column, message))

    def date(self, column: str, *, required: bool = False, today: date) -> date | None:
        text = self.get(column)
        if not text:
            if required:
                self.error(column, _("Enter a date (YYYY-MM-DD)."))
            return None
        try:
            value = _parse_date(text)
        except ValueError:
            self.error(column, _("Write the date as YYYY-MM-DD, e.g. 2024-03-18."))
            return None
        if value > today:
            self.error(column, _("The date cannot be in the future."))
            return None
        return value

    def enum(self, column: str, enum_cls, lookup, *, required: bool = False):
        text = self.get(column)
        if not text:
            if required:
                self.error(column, _("Required. Allowed values: %(values)s.",
                                     values=", ".join(m.value for m in enum_cls)))
            return None
        code = lookup[enum_cls].get(text.casefold())
        if code is None:
            self.error(column, _("Unknown value. Allowed values: %(values)s.",
                                 values=", ".join(m.value for m in enum_cls)))
            return None
        return enum_cls(code)

    def text(self, column: str, max_length: int, *, required: bool = False) -> str:
        value = " ".join(self.get(column).split())
        if required and not value:
            self.error(column, _("Required."))
        elif len(value) > max_length:
            self.error(column, _("At most %(max)d characters.", max=max_length))
        return value


def validate_sheet(
    sheet: Sheet,
    *,
    coaches_by_email: dict[str, int],
    enrolled_participant_ids: set[int] | None = None,
    match_participant=None,
    cohort_ends_on: date | None = None,
    today: date | None = None,
) -> tuple[list[ImportRow], list[RowError]]:
    """Validate all rows; returns the clean rows and every error found.

    :param coaches_by_email: lower-cased email -> id of the organisation's active coaches.
    :param enrolled_participant_ids: participants already enrolled in the target cohort.
    :param match_participant: ``callable(ImportRow) -> participant id | None`` finding
        the person's existing record, used with ``enrolled_participant_ids``.
    :param cohort_ends_on: the end date of an existing target cohort, if it has one.
    :param today: reference date for "not in the future" and follow-up timing.
    """
    today = today or date.today()
    lookup = enum_lookup()
    errors: list[RowError] = []
    clean_rows: list[ImportRow] = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[tuple, int] = {}
    for number, values in sheet.rows:
        check = _RowChecker(number, values, errors)
        row = _check_row(check, lookup, coaches_by_email, today)
        if row is None:
            continue
        if cohort_ends_on is not None and row.enrolled_on > cohort_ends_on:
            check.error("enrolled_on", _(
                "The cohort ended on %(end)s: the enrollment date cannot be after it.",
                end=cohort_ends_on.isoformat()))
        # The same person twice in one file: ambiguous, so refused.
        if row.national_id and row.national_id in seen_ids:
            check.error("national_id", _("The same person as on row %(row)s.",
                                         row=seen_ids[row.national_id]))
        elif row.name_key is not None and row.name_key in seen_names:
            check.error("first_name", _(
                "The same name and date of birth as on row %(row)s.",
                row=seen_names[row.name_key]))
        else:
            if row.national_id:
                seen_ids[row.national_id] = number
            if row.name_key is not None:
                seen_names[row.name_key] = number
            if enrolled_participant_ids and match_participant is not None:
                existing = match_participant(row)
                if existing is not None and existing in enrolled_participant_ids:
                    check.error("first_name", _(
                        "The person is already enrolled in this cohort."))
        if not check.failed:
            clean_rows.append(row)
    return clean_rows, errors


def _check_row(check: _RowChecker, lookup, coaches_by_email, today) -> ImportRow | None:
    first_name = check.text("first_name", NAME_MAX, required=True)
    last_name = check.text("last_name", NAME_MAX, required=True)
    enrolled_on = check.date("enrolled_on", required=True, today=today)
    gender = check.enum("gender", Gender, lookup, required=True)
    birth_date = check.date("birth_date", today=today)

    national_id, id_kind = None, IdKind.none
    number = check.get("national_id")
    if number.isdigit() and len(number) in (8, 9):
        # A YYMMDDNNNC number typed into an Excel number cell loses its leading
        # zeros (born 2000–2009): put them back.
        number = number.zfill(10)
    if number:
        try:
            parsed = personnummer.parse(number, today=today)
        except personnummer.PersonnummerError as exc:
            check.error("national_id", exc.message)
        else:
            national_id = parsed.digits12
            id_kind = IdKind.samordningsnummer if parsed.is_coordination else IdKind.personnummer
            if birth_date is None and "birth_date" not in check.failed:
                birth_date = parsed.birth_date
            elif birth_date is not None and birth_date != parsed.birth_date:
                check.error("birth_date", _(
                    "Does not match the date of birth in the ID number (%(date)s).",
                    date=parsed.birth_date.isoformat()))
            if gender in (Gender.woman, Gender.man) and gender != parsed.gender_hint:
                check.error("gender", _(
                    "Does not match the ID number (the second-to-last digit is odd for "
                    "men and even for women)."))
    if birth_date is not None and enrolled_on is not None and enrolled_on < birth_date:
        check.error("enrolled_on", _("The enrollment date is before the date of birth."))

    birth_region = check.enum("birth_region", BirthRegion, lookup) or BirthRegion.unknown
    district = check.text("district", DISTRICT_MAX)
    education = check.enum("education_level", EducationLevel, lookup) or EducationLevel.unknown
    swedish = check.enum("swedish_level", SwedishLevel, lookup) or SwedishLevel.unknown
    labour = (check.enum("labour_status_at_entry", LabourStatus, lookup)
              or LabourStatus.unemployed)

    months = None
    months_text = check.get("unemployed_months_at_entry")
    if months_text:
        try:
            months = int(months_text)
        except ValueError:
            months = -1
        if not 0 <= months <= MAX_UNEMPLOYED_MONTHS:
            check.error("unemployed_months_at_entry", _(
                "Enter a whole number of months between 0 and %(max)s.",
                max=MAX_UNEMPLOYED_MONTHS))
            months = None

    coach_id = None
    email = check.get("coach_email").lower()
    if email:
        coach_id = coaches_by_email.get(email)
        if coach_id is None:
            check.error("coach_email", _(
                "No active coach of your organisation has this email address."))

    exited_on = check.date("exited_on", today=today)
    outcome = check.enum("outcome", Outcome, lookup)
    has_exit_date = bool(check.get("exited_on"))
    has_outcome = bool(check.get("outcome"))
    if has_exit_date and not has_outcome:
        check.error("outcome", _("Enter the outcome when the exit date is given."))
    if has_outcome and not has_exit_date:
        check.error("exited_on", _("Enter the exit date when the outcome is given."))
    if exited_on is not None and enrolled_on is not None and exited_on < enrolled_on:
        check.error("exited_on", _("The exit date cannot be before the enrollment date."))

    reason = check.enum("neutral_reason", NeutralReason, lookup)
    if outcome == Outcome.neutral and not check.get("neutral_reason"):
        check.error("neutral_reason", _(
            "Enter a reason (moved, parental_leave, illness or other) when the outcome "
            "is neutral."))
    elif check.get("neutral_reason") and has_outcome and outcome != Outcome.neutral:
        check.error("neutral_reason", _("A reason is only given when the outcome is neutral."))
    elif check.get("neutral_reason") and not has_outcome:
        check.error("neutral_reason", _("A reason is only given when the outcome is neutral."))

    qualification = False
    q_text = check.get("qualification_gained").casefold()
    if q_text in TRUE_WORDS:
        qualification = True
    elif q_text not in FALSE_WORDS:
        check.error("qualification_gained", _("Write ja or nej (or yes/no, 1/0)."))
    if qualification and not has_exit_date:
        check.error("qualification_gained", _("Only given together with an exit."))

    employer = check.text("employer", EMPLOYER_MAX)
    if employer and outcome is not None and OUTCOME_GROUP[outcome] != "job":
        check.error("employer", _(
            "An employer is only given when the outcome is a job or self-employment."))
    elif employer and not has_outcome:
        check.error("employer", _("Only given together with an exit."))

    follow_up = check.enum("followup_6m_status", FollowUpStatus, lookup)
    if check.get("followup_6m_status"):
        if not has_exit_date:
            check.error("followup_6m_status", _("Only given together with an exit."))
        elif exited_on is not None and add_months(exited_on, 6) > today:
            check.error("followup_6m_status", _(
                "The 6-month follow-up is not due until %(date)s.",
                date=add_months(exited_on, 6).isoformat()))

    if check.failed:
        return None
    return ImportRow(
        row=check.number, first_name=first_name, last_name=last_name,
        enrolled_on=enrolled_on, gender=gender, birth_date=birth_date, id_kind=id_kind,
        national_id=national_id, birth_region=birth_region, district=district,
        education_level=education, swedish_level=swedish, labour_status_at_entry=labour,
        unemployed_months_at_entry=months, coach_id=coach_id, exited_on=exited_on,
        outcome=outcome, neutral_reason=reason, qualification_gained=qualification,
        employer=employer, followup_6m_status=follow_up,
    )
