"""Every enum of the domain (values are a contract: see shared/DOMAIN.md).

Translated labels live here too, so a template shows ``label(value)`` and the
catalogue has each label once.
"""

import enum

from wtforms.fields.choices import SelectChoice

from journey.i18n import lazy_gettext as _l


class Role(enum.StrEnum):
    admin = "admin"
    manager = "manager"
    coach = "coach"
    participant = "participant"


class Locale(enum.StrEnum):
    sv = "sv"
    en = "en"


class StepKind(enum.StrEnum):
    profile_analysis = "profile_analysis"
    coaching = "coaching"
    guidance = "guidance"
    networking = "networking"
    language = "language"
    training = "training"
    internship = "internship"
    other = "other"


class IdKind(enum.StrEnum):
    personnummer = "personnummer"
    samordningsnummer = "samordningsnummer"
    none = "none"


class Gender(enum.StrEnum):
    woman = "woman"
    man = "man"
    non_binary = "non_binary"
    unknown = "unknown"


class BirthRegion(enum.StrEnum):
    sweden = "sweden"
    europe = "europe"
    outside_europe = "outside_europe"
    unknown = "unknown"


class EducationLevel(enum.StrEnum):
    pre_upper_secondary_short = "pre_upper_secondary_short"
    pre_upper_secondary = "pre_upper_secondary"
    upper_secondary_short = "upper_secondary_short"
    upper_secondary = "upper_secondary"
    post_secondary_short = "post_secondary_short"
    post_secondary = "post_secondary"
    doctoral = "doctoral"
    unknown = "unknown"


ISCED_BAND = {
    EducationLevel.pre_upper_secondary_short: "isced_0_2",
    EducationLevel.pre_upper_secondary: "isced_0_2",
    EducationLevel.upper_secondary_short: "isced_3_4",
    EducationLevel.upper_secondary: "isced_3_4",
    EducationLevel.post_secondary_short: "isced_5_8",
    EducationLevel.post_secondary: "isced_5_8",
    EducationLevel.doctoral: "isced_5_8",
    EducationLevel.unknown: "unknown",
}


class SwedishLevel(enum.StrEnum):
    none = "none"
    sfi_a = "sfi_a"
    sfi_b = "sfi_b"
    sfi_c = "sfi_c"
    sfi_d = "sfi_d"
    fluent = "fluent"
    unknown = "unknown"


class EnrollmentStatus(enum.StrEnum):
    active = "active"
    paused = "paused"
    exited = "exited"


class LabourStatus(enum.StrEnum):
    unemployed = "unemployed"
    inactive = "inactive"
    employed = "employed"
    studying = "studying"


class IncomeSource(enum.StrEnum):
    social_assistance = "social_assistance"
    establishment_allowance = "establishment_allowance"
    unemployment_insurance = "unemployment_insurance"
    activity_support = "activity_support"
    salary = "salary"
    none = "none"
    unknown = "unknown"


class StepStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    skipped = "skipped"


class ActivityKind(enum.StrEnum):
    coaching = "coaching"
    guidance = "guidance"
    network_meeting = "network_meeting"
    language_class = "language_class"
    workshop = "workshop"
    internship = "internship"
    other = "other"


class Attendance(enum.StrEnum):
    planned = "planned"
    attended = "attended"
    no_show = "no_show"
    cancelled = "cancelled"


class PlanOwner(enum.StrEnum):
    participant = "participant"
    coach = "coach"


class AssessmentPhase(enum.StrEnum):
    intake = "intake"
    midway = "midway"
    exit = "exit"
    follow_up = "follow_up"


class AssessmentArea(enum.StrEnum):
    job_skills = "job_skills"
    motivation = "motivation"
    job_search = "job_search"
    language = "language"
    stability = "stability"
    health = "health"
    social_network = "social_network"


class Outcome(enum.StrEnum):
    job_unsubsidized = "job_unsubsidized"
    job_subsidized = "job_subsidized"
    self_employed = "self_employed"
    studies = "studies"
    training = "training"
    job_seeking = "job_seeking"
    neutral = "neutral"
    dropout_unknown = "dropout_unknown"


OUTCOME_GROUP = {
    Outcome.job_unsubsidized: "job",
    Outcome.job_subsidized: "job",
    Outcome.self_employed: "job",
    Outcome.studies: "studies",
    Outcome.training: "studies",
    Outcome.job_seeking: "other",
    Outcome.neutral: "other",
    Outcome.dropout_unknown: "other",
}

OUTCOME_ESF = {
    Outcome.job_unsubsidized: "EECR04",
    Outcome.job_subsidized: "EECR04",
    Outcome.self_employed: "EECR04",
    Outcome.studies: "EECR02",
    Outcome.training: "EECR02",
    Outcome.job_seeking: "EECR01",
    Outcome.neutral: None,
    Outcome.dropout_unknown: None,
}


class NeutralReason(enum.StrEnum):
    moved = "moved"
    parental_leave = "parental_leave"
    illness = "illness"
    other = "other"


class FollowUpStatus(enum.StrEnum):
    employed = "employed"
    self_employed = "self_employed"
    studies = "studies"
    job_seeking = "job_seeking"
    other = "other"
    unknown = "unknown"


class FollowUpSource(enum.StrEnum):
    self_report = "self_report"
    employer = "employer"
    register = "register"


FOLLOW_UP_MONTHS = (3, 6, 12)


class AuditAction(enum.StrEnum):
    view = "view"
    create = "create"
    update = "update"
    delete = "delete"
    export = "export"
    login = "login"
    login_failed = "login_failed"
    logout = "logout"
    anonymize = "anonymize"


LABELS = {
    Role: {
        "admin": _l("Administrator"),
        "manager": _l("Manager"),
        "coach": _l("Job coach"),
        "participant": _l("Participant"),
    },
    Locale: {"sv": "Svenska", "en": "English"},
    StepKind: {
        "profile_analysis": _l("Profile analysis"),
        "coaching": _l("Coaching"),
        "guidance": _l("Guidance"),
        "networking": _l("Networking"),
        "language": _l("Language"),
        "training": _l("Training"),
        "internship": _l("Internship"),
        "other": _l("Other"),
    },
    IdKind: {
        "personnummer": _l("Personal identity number"),
        "samordningsnummer": _l("Coordination number"),
        "none": _l("None"),
    },
    Gender: {
        "woman": _l("Woman"),
        "man": _l("Man"),
        "non_binary": _l("Non-binary"),
        "unknown": _l("Unknown"),
    },
    BirthRegion: {
        "sweden": _l("Sweden"),
        "europe": _l("Europe outside Sweden"),
        "outside_europe": _l("Outside Europe"),
        "unknown": _l("Unknown"),
    },
    EducationLevel: {
        "pre_upper_secondary_short": _l("Compulsory school, less than 9 years"),
        "pre_upper_secondary": _l("Compulsory school, 9–10 years"),
        "upper_secondary_short": _l("Upper secondary, at most 2 years"),
        "upper_secondary": _l("Upper secondary, 3 years"),
        "post_secondary_short": _l("Post-secondary, less than 3 years"),
        "post_secondary": _l("Post-secondary, 3 years or more"),
        "doctoral": _l("Doctoral studies"),
        "unknown": _l("Not known"),
    },
    SwedishLevel: {
        "none": _l("No Swedish"),
        "sfi_a": _l("SFI A"),
        "sfi_b": _l("SFI B"),
        "sfi_c": _l("SFI C"),
        "sfi_d": _l("SFI D"),
        "fluent": _l("Fluent"),
        "unknown": _l("Not known"),
    },
    EnrollmentStatus: {
        "active": _l("Active"),
        "paused": _l("Paused"),
        "exited": _l("Exited"),
    },
    LabourStatus: {
        "unemployed": _l("Unemployed"),
        "inactive": _l("Inactive"),
        "employed": _l("Employed"),
        "studying": _l("Studying"),
    },
    IncomeSource: {
        "social_assistance": _l("Social assistance"),
        "establishment_allowance": _l("Establishment allowance"),
        "unemployment_insurance": _l("Unemployment insurance"),
        "activity_support": _l("Activity support"),
        "salary": _l("Salary"),
        "none": _l("No income"),
        "unknown": _l("Not known"),
    },
    StepStatus: {
        "not_started": _l("Not started"),
        "in_progress": _l("In progress"),
        "done": _l("Done"),
        "skipped": _l("Skipped"),
    },
    ActivityKind: {
        "coaching": _l("Coaching session"),
        "guidance": _l("Guidance"),
        "network_meeting": _l("Network meeting"),
        "language_class": _l("Language class"),
        "workshop": _l("Workshop"),
        "internship": _l("Internship"),
        "other": _l("Other"),
    },
    Attendance: {
        "planned": _l("Planned"),
        "attended": _l("Attended"),
        "no_show": _l("No-show"),
        "cancelled": _l("Cancelled"),
    },
    PlanOwner: {"participant": _l("The participant"), "coach": _l("The coach")},
    AssessmentPhase: {
        "intake": _l("Intake"),
        "midway": _l("Midway"),
        "exit": _l("Exit"),
        "follow_up": _l("Follow-up"),
    },
    AssessmentArea: {
        "job_skills": _l("Job skills"),
        "motivation": _l("Motivation"),
        "job_search": _l("Job search"),
        "language": _l("Language"),
        "stability": _l("Stable everyday life"),
        "health": _l("Health"),
        "social_network": _l("Social network"),
    },
    Outcome: {
        "job_unsubsidized": _l("Job without subsidy"),
        "job_subsidized": _l("Subsidised job"),
        "self_employed": _l("Self-employed"),
        "studies": _l("Regular studies"),
        "training": _l("Labour-market training"),
        "job_seeking": _l("Job seeking"),
        "neutral": _l("Other known reason"),
        "dropout_unknown": _l("Unknown reason / dropout"),
    },
    NeutralReason: {
        "moved": _l("Moved"),
        "parental_leave": _l("Parental leave"),
        "illness": _l("Illness"),
        "other": _l("Other reason"),
    },
    FollowUpStatus: {
        "employed": _l("Employed"),
        "self_employed": _l("Self-employed"),
        "studies": _l("Studies"),
        "job_seeking": _l("Job seeking"),
        "other": _l("Something else"),
        "unknown": _l("Unknown"),
    },
    FollowUpSource: {
        "self_report": _l("Self-report"),
        "employer": _l("Employer"),
        "register": _l("Register"),
    },
    AuditAction: {
        "view": _l("View"),
        "create": _l("Create"),
        "update": _l("Update"),
        "delete": _l("Delete"),
        "export": _l("Export"),
        "login": _l("Login"),
        "login_failed": _l("Failed login"),
        "logout": _l("Logout"),
        "anonymize": _l("Anonymisation"),
    },
}


def label(enum_cls: type[enum.Enum], value) -> str:
    """The translated label of an enum value (the raw value if unknown)."""
    if value is None:
        return ""
    key = value.value if isinstance(value, enum.Enum) else str(value)
    return str(LABELS.get(enum_cls, {}).get(key, key))


def labels(enum_cls: type[enum.Enum]) -> dict[str, str]:
    """``label(enum_cls, value)`` for every value, as a dict: ``labels(E.Attendance)[value]``
    in a template loop costs a lookup instead of a call (and a translation) per row."""
    return {member.value: label(enum_cls, member) for member in enum_cls}


def choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    """WTForms choices; labels stay lazy so they follow the request's locale."""
    return [SelectChoice(m.value, LABELS[enum_cls][m.value]) for m in enum_cls]
