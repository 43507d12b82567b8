"""ESF+ common indicators for one cohort, for the funder's monitoring report.

Codes from the ESF+ Regulation (EU) 2021/1057, Annex I (common indicators for
general support), counted per gender (woman, man, non-binary, unknown) with a
total:

Output indicators (participants, at entry):

- EECO01 unemployed, including long-term unemployed
- EECO02 long-term unemployed
- EECO03 inactive
- EECO04 employed, including self-employed
- EECO05 children below 18 years of age
- EECO06 young people between 18 and 29 years of age
- EECO07 participants 55 years of age and above
- EECO08 participants with lower secondary education or less (ISCED 0–2)
- EECO09 participants with upper secondary (ISCED 3) or post-secondary
  non-tertiary education (ISCED 4)
- EECO10 participants with tertiary education (ISCED 5–8)
- EECO11 total number of participants (ESF+ computes it from EECO01 + EECO03 +
  EECO04, which is why every labour status at entry falls in exactly one of them)

Immediate result indicators (upon leaving):

- EECR01 participants engaged in job searching upon leaving
- EECR02 participants in education or training upon leaving
- EECR03 participants gaining a qualification upon leaving
- EECR04 participants in employment, including self-employment, upon leaving

Longer-term result indicator:

- EECR05 participants in employment, including self-employment, six months
  after leaving

How the app's data maps onto them (decisions made here once):

- Participants = the cohort's enrollments with ``enrolled_on <= as_of``; a
  person enrolled twice in the cohort counts twice (ESF+ counts entries).
- Labour status at entry: ``unemployed`` → EECO01; long-term (EECO02) when
  also ``unemployed_months_at_entry`` > 12, or > 6 when under 25 at entry (as
  the report's breakdown; missing months or, for 7–12 months, a missing birth
  date are not counted as long-term). ``inactive`` and ``studying`` → EECO03
  (students are outside the labour force). ``employed`` → EECO04.
- Age at entry: under 18, 18–29, 30–54 (no code of its own), 55+ and unknown.
- ISCED from the SUN level (shared/DOMAIN.md); ``unknown`` on a row of its own.
- Results count leavers (an ``ExitOutcome`` with ``exited_on <= as_of``):
  EECR01 = ``job_seeking``; EECR02 = ``studies`` + ``training``; EECR03 =
  ``qualification_gained``; EECR04 = ``job_unsubsidized`` + ``job_subsidized``
  + ``self_employed``.
- EECR05 = leavers with a six-month follow-up recorded on or before ``as_of``
  with the status ``employed`` or ``self_employed``.
- Small cells: every block (participants; labour status; age; ISCED; results;
  six months) is suppressed as one table with ``stats.suppress`` over the four
  gender columns and the total, so that a count of 1–4 is "<5" and a count that
  could give a hidden one away by subtraction is "dolt".
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from journey.enums import ISCED_BAND, FollowUpStatus, Gender, LabourStatus, Outcome
from journey.extensions import db
from journey.i18n import gettext as _
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment, Participant
from journey.reports import stats
from journey.reports.exports import Table
from journey.reports.queries import _ymd

GENDERS = tuple(g.value for g in Gender)
COLUMNS = (*GENDERS, "total")
SUPPRESSED = "<5"

EMPLOYED = (Outcome.job_unsubsidized.value, Outcome.job_subsidized.value,
            Outcome.self_employed.value)
EDUCATION = (Outcome.studies.value, Outcome.training.value)
EMPLOYED_6M = (FollowUpStatus.employed.value, FollowUpStatus.self_employed.value)


@dataclass(frozen=True)
class EsfRow:
    """One indicator row; ``cells`` per gender and ``total``: an int, or "<5"/"dolt"."""

    code: str  # "" where ESF+ has no code (e.g. 30–54 years)
    label: str
    cells: dict[str, int | str]


@dataclass(frozen=True)
class EsfBlock:
    title: str
    rows: list[EsfRow]


def _labels() -> dict[str, tuple[str, str]]:
    """row key -> (code, label), in the order shown."""
    return {
        "participants": ("EECO11", _("Participants, total")),
        "unemployed": ("EECO01", _("Unemployed, incl. long-term unemployed")),
        "long_term": ("EECO02", _("Long-term unemployed")),
        "inactive": ("EECO03", _("Inactive")),
        "employed": ("EECO04", _("Employed, incl. self-employed")),
        "<18": ("EECO05", _("Under 18 years")),
        "18-29": ("EECO06", _("18–29 years")),
        "30-54": ("", _("30–54 years")),
        "55+": ("EECO07", _("55 years and over")),
        "age_unknown": ("", _("Age unknown")),
        "isced_0_2": ("EECO08", _("ISCED 0–2")),
        "isced_3_4": ("EECO09", _("ISCED 3–4")),
        "isced_5_8": ("EECO10", _("ISCED 5–8")),
        "isced_unknown": ("", _("Education unknown")),
        "leavers": ("", _("Leavers")),
        "job_seeking": ("EECR01", _("Job seeking on leaving")),
        "education": ("EECR02", _("In education or training on leaving")),
        "qualification": ("EECR03", _("Gained a qualification on leaving")),
        "employment": ("EECR04", _("In employment, incl. self-employed, on leaving")),
        "employment_6m": ("EECR05", _("In employment, incl. self-employed, 6 months after "
                                      "leaving")),
    }


BLOCKS = (
    ("participants", ("participants",)),
    ("labour_status", ("unemployed", "long_term", "inactive", "employed")),
    ("age", ("<18", "18-29", "30-54", "55+", "age_unknown")),
    ("isced", ("isced_0_2", "isced_3_4", "isced_5_8", "isced_unknown")),
    ("results", ("leavers", "job_seeking", "education", "qualification", "employment")),
    ("longer_term", ("employment_6m",)),
)


def _block_titles() -> dict[str, str]:
    return {
        "participants": _("Participants"),
        "labour_status": _("Labour market status at entry"),
        "age": _("Age at entry"),
        "isced": _("Education (ISCED)"),
        "results": _("Results on leaving"),
        "longer_term": _("Results six months after leaving"),
    }


def esf_counts(cohort_id: int, as_of: date) -> dict[str, dict[str, int]]:
    """Unsuppressed counts: row key -> gender -> n (no total). For use inside the app."""
    age = _ymd(Enrollment.enrolled_on) - _ymd(Participant.birth_date)
    age_band = sa.case(
        (Participant.birth_date.is_(None), "age_unknown"),
        (age < 180000, "<18"),
        (age < 300000, "18-29"),
        (age < 550000, "30-54"),
        else_="55+",
    )
    months = Enrollment.unemployed_months_at_entry
    long_term = sa.case(
        (Enrollment.labour_status_at_entry != LabourStatus.unemployed, 0),
        (months.is_(None), 0),
        (months > 12, 1),
        (months <= 6, 0),
        (Participant.birth_date.is_(None), 0),
        (age < 250000, 1),
        else_=0,
    )
    leaver = sa.and_(ExitOutcome.id.is_not(None), ExitOutcome.exited_on <= as_of)
    employed_6m = (
        sa.select(FollowUp.id)
        .where(FollowUp.enrollment_id == Enrollment.id, FollowUp.months_after == 6,
               FollowUp.recorded_on.is_not(None), FollowUp.recorded_on <= as_of,
               FollowUp.status.in_(EMPLOYED_6M))
        .exists()
    )

    def flag(condition):
        return sa.case((condition, 1), else_=0)

    per_enrollment = (
        sa.select(
            Participant.gender.label("gender"),
            Enrollment.labour_status_at_entry.label("labour"),
            long_term.label("long_term"),
            age_band.label("age_band"),
            Participant.education_level.label("education"),
            flag(leaver).label("leaver"),
            flag(sa.and_(leaver, ExitOutcome.outcome == Outcome.job_seeking)).label("seeking"),
            flag(sa.and_(leaver, ExitOutcome.outcome.in_(EDUCATION))).label("education_r"),
            flag(sa.and_(leaver, ExitOutcome.qualification_gained.is_(True))).label("qual"),
            flag(sa.and_(leaver, ExitOutcome.outcome.in_(EMPLOYED))).label("employment"),
            flag(sa.and_(leaver, employed_6m)).label("employment_6m"),
        )
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.enrolled_on <= as_of)
        .subquery()
    )
    e = per_enrollment.c
    dims = (e.gender, e.labour, e.long_term, e.age_band, e.education)
    rows = db.session.execute(
        sa.select(*dims, sa.func.count(), sa.func.sum(e.leaver), sa.func.sum(e.seeking),
                  sa.func.sum(e.education_r), sa.func.sum(e.qual), sa.func.sum(e.employment),
                  sa.func.sum(e.employment_6m))
        .group_by(*dims)
    ).all()

    counts = {key: dict.fromkeys(GENDERS, 0) for key in _labels()}
    labour_row = {LabourStatus.unemployed.value: "unemployed",
                  LabourStatus.inactive.value: "inactive",
                  LabourStatus.studying.value: "inactive",
                  LabourStatus.employed.value: "employed"}
    # Pivot the grouped rows (a few dozen at most), not the enrollments.
    for (gender, labour, ltu, band, education, n, leavers, seeking, education_r, qual,
         employment, employment_6m) in rows:
        g = str(getattr(gender, "value", gender))
        isced = ISCED_BAND.get(education, "unknown")
        for key, value in (
            ("participants", n),
            (labour_row[str(getattr(labour, "value", labour))], n),
            ("long_term", n if ltu else 0),
            (band, n),
            (isced if isced != "unknown" else "isced_unknown", n),
            ("leavers", leavers), ("job_seeking", seeking), ("education", education_r),
            ("qualification", qual), ("employment", employment),
            ("employment_6m", employment_6m),
        ):
            counts[key][g] += int(value or 0)
    return counts


def esf_report(cohort_id: int, as_of: date) -> list[EsfBlock]:
    """The indicator blocks with small cells suppressed (what leaves the app)."""
    counts = esf_counts(cohort_id, as_of)
    labels, titles = _labels(), _block_titles()
    blocks = []
    for block, keys in BLOCKS:
        raw = [{**counts[k], "total": sum(counts[k].values())} for k in keys]
        hidden = stats.suppress(raw, COLUMNS)
        rows = []
        for key, cells, hide in zip(keys, raw, hidden, strict=True):
            shown = {
                c: (cells[c] if c not in hide
                    else SUPPRESSED if stats.is_small(cells[c]) else _("hidden"))
                for c in COLUMNS
            }
            code, text = labels[key]
            rows.append(EsfRow(code=code, label=text, cells=shown))
        blocks.append(EsfBlock(title=titles[block], rows=rows))
    return blocks


def esf_tables(blocks: list[EsfBlock]) -> list[Table]:
    """The blocks as export tables: "CODE – label" and a column per gender plus total."""
    header = [_("Indicator"), _("Women"), _("Men"), _("Non-binary people"), _("Gender unknown"),
              _("Total")]
    return [
        Table(block.title, header, [
            [f"{row.code} – {row.label}" if row.code else row.label,
             *(row.cells[c] for c in COLUMNS)]
            for row in block.rows
        ])
        for block in blocks
    ]
