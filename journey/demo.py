"""Realistic Swedish demo data (``flask --app wsgi journey seed-demo``).

``seed_demo()`` fills an empty database with two organisations: Västerås stad's
labour-market unit (Jobbpunkt, Propellern, Miljövärdar; about 150 participants)
and a small housing company (Bostads AB Mimer) that tests use for
cross-organisation scope. It only adds and flushes; the caller commits.

Everything is drawn from ``random.Random(seed)`` and dated relative to ``today``,
so the same seed and day give the same data and "running" cohorts are current.
Personal data is made up: personnummer use 98x/99x birth numbers (valid check
digit), phone numbers come from PTS's range for fiction (070-174 06 05–99) and
e-mail addresses end in example.com / example.se.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from journey.enums import (
    OUTCOME_GROUP,
    ActivityKind,
    AssessmentArea,
    AssessmentPhase,
    Attendance,
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    NeutralReason,
    Outcome,
    PlanOwner,
    Role,
    StepKind,
    StepStatus,
    SwedishLevel,
)
from journey.extensions import db
from journey.models import (
    Activity,
    Assessment,
    AssessmentScore,
    Cohort,
    Enrollment,
    ExitOutcome,
    FollowUp,
    GroupSession,
    JourneyStep,
    Organization,
    Participant,
    PlanItem,
    Program,
    StepTemplate,
    User,
)

DEMO_PASSWORD = "demo-lösenord-2026"  # noqa: S105  (published demo logins)  # nosec B105
ORG_NAME = "Västerås stad – Arbetsmarknad"
MIMER_NAME = "Bostads AB Mimer"

DISTRICTS = {"Bäckby": 28, "Råby": 22, "Skallberget": 16, "Vallby": 14, "Pettersberg": 10,
             "Hammarby": 10}
MIMER_DISTRICTS = {"Bäckby": 4, "Råby": 3, "Skallberget": 2, "Vetterstorp": 1}


class DemoDataExists(RuntimeError):
    """The demo organisations or users are already in the database."""


# --------------------------------------------------------------------------- people

@dataclass(frozen=True)
class _Origin:
    region: BirthRegion
    women: tuple[str, ...]
    men: tuple[str, ...]
    last: tuple[str, ...]


_ORIGINS = {
    "swedish": _Origin(
        BirthRegion.sweden,
        ("Anna", "Maria", "Elin", "Sara", "Emma", "Johanna", "Linnea", "Karin", "Malin",
         "Frida", "Ida", "Jenny", "Camilla", "Therese", "Lena", "Sofia", "Matilda"),
        ("Erik", "Johan", "Anders", "Mikael", "Daniel", "Jonas", "Fredrik", "Marcus",
         "Niklas", "Oskar", "Viktor", "Patrik", "Kristoffer", "Tobias", "Simon", "Emil"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
         "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg",
         "Lindström", "Berglund", "Holm", "Sandberg", "Forsberg", "Wikström", "Åberg"),
    ),
    "finnish": _Origin(
        BirthRegion.europe,
        ("Riitta", "Päivi", "Sanna", "Tuula", "Marja"),
        ("Jari", "Mika", "Timo", "Pekka", "Juha"),
        ("Virtanen", "Korhonen", "Mäkinen", "Heikkinen", "Nieminen", "Laine"),
    ),
    "bosnian": _Origin(
        BirthRegion.europe,
        ("Amra", "Lejla", "Selma", "Emina", "Azra", "Merima"),
        ("Emir", "Haris", "Adnan", "Edin", "Mirza", "Senad"),
        ("Hodžić", "Begić", "Mehmedović", "Hadžić", "Kovačević", "Delić"),
    ),
    "polish": _Origin(
        BirthRegion.europe,
        ("Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Ewa"),
        ("Piotr", "Tomasz", "Krzysztof", "Paweł", "Marcin"),
        ("Nowak", "Wójcik", "Mazur", "Krawczyk", "Zając", "Dudek"),
    ),
    "ukrainian": _Origin(
        BirthRegion.europe,
        ("Olena", "Iryna", "Oksana", "Natalia", "Yuliia"),
        ("Oleksandr", "Andrii", "Dmytro", "Serhii", "Mykola"),
        ("Shevchenko", "Kovalenko", "Bondarenko", "Melnyk", "Tkachenko"),
    ),
    "arabic": _Origin(
        BirthRegion.outside_europe,
        ("Fatima", "Rania", "Lina", "Noor", "Yasmin", "Huda", "Zainab", "Rasha", "Dima",
         "Sana"),
        ("Omar", "Khaled", "Ahmad", "Mahmoud", "Yousef", "Ali", "Hussein", "Samir",
         "Tarek", "Bilal"),
        ("Al-Hassan", "Haddad", "Khalil", "Nasser", "Saleh", "Ibrahim", "Mansour",
         "Darwish", "Kassem", "Al-Jabouri"),
    ),
    "somali": _Origin(
        BirthRegion.outside_europe,
        ("Amina", "Hodan", "Fadumo", "Sahra", "Ifrah", "Khadra", "Hibo", "Nasra", "Ubah",
         "Deeqa"),
        ("Abdi", "Mohamed", "Ahmed", "Abdirahman", "Farah", "Hassan", "Ismail", "Mahad",
         "Yusuf", "Liban"),
        ("Hussein", "Warsame", "Abdullahi", "Farah", "Osman", "Jama", "Ali", "Mohamud",
         "Hirsi", "Aden"),
    ),
    "tigrinya": _Origin(
        BirthRegion.outside_europe,
        ("Senait", "Helen", "Selam", "Mebrat", "Rahwa", "Semhar", "Luwam", "Yordanos"),
        ("Yonas", "Dawit", "Tesfaye", "Habtom", "Samuel", "Filmon", "Berhane", "Mehari"),
        ("Tesfamariam", "Ghebremedhin", "Haile", "Kidane", "Tekle", "Berhe", "Gebru",
         "Woldu"),
    ),
    "dari": _Origin(
        BirthRegion.outside_europe,
        ("Mariam", "Farzana", "Shabnam", "Parisa", "Zahra", "Nilofar", "Marzia", "Hamida"),
        ("Ahmad Shah", "Mustafa", "Jawad", "Hamid", "Sayed", "Farid", "Rahim", "Javid"),
        ("Ahmadi", "Hosseini", "Rahimi", "Karimi", "Sultani", "Noori", "Haidari",
         "Mohammadi"),
    ),
}
_UNISEX_SWEDISH = ("Alex", "Kim", "Robin", "Charlie", "Sam")

# Who takes part in each kind of programme.
_PROFILE_ORIGINS = {
    "newly_arrived": {"arabic": 33, "somali": 18, "tigrinya": 17, "dari": 18, "ukrainian": 14},
    "mixed": {"swedish": 40, "finnish": 5, "bosnian": 7, "polish": 6, "arabic": 15,
              "somali": 13, "tigrinya": 6, "dari": 8},
    "tenant": {"swedish": 35, "finnish": 5, "bosnian": 8, "polish": 5, "arabic": 15,
               "somali": 17, "tigrinya": 7, "dari": 8},
}

_EDUCATION_SWEDEN = {
    EducationLevel.pre_upper_secondary_short: 3, EducationLevel.pre_upper_secondary: 30,
    EducationLevel.upper_secondary_short: 20, EducationLevel.upper_secondary: 30,
    EducationLevel.post_secondary_short: 10, EducationLevel.post_secondary: 5,
    EducationLevel.unknown: 2,
}
_EDUCATION_ABROAD = {
    EducationLevel.pre_upper_secondary_short: 25, EducationLevel.pre_upper_secondary: 20,
    EducationLevel.upper_secondary_short: 10, EducationLevel.upper_secondary: 15,
    EducationLevel.post_secondary_short: 8, EducationLevel.post_secondary: 10,
    EducationLevel.doctoral: 1, EducationLevel.unknown: 11,
}
_SWEDISH_NEWLY_ARRIVED = {
    SwedishLevel.none: 15, SwedishLevel.sfi_a: 25, SwedishLevel.sfi_b: 30,
    SwedishLevel.sfi_c: 20, SwedishLevel.sfi_d: 5, SwedishLevel.unknown: 5,
}
_SWEDISH_ESTABLISHED = {
    SwedishLevel.fluent: 40, SwedishLevel.sfi_d: 28, SwedishLevel.sfi_c: 18,
    SwedishLevel.sfi_b: 8, SwedishLevel.unknown: 6,
}
_LANGUAGE_SCORE = {
    SwedishLevel.none: (1, 2), SwedishLevel.sfi_a: (1, 3), SwedishLevel.sfi_b: (2, 4),
    SwedishLevel.sfi_c: (4, 6), SwedishLevel.sfi_d: (5, 7), SwedishLevel.fluent: (8, 10),
    SwedishLevel.unknown: (3, 7),
}

# --------------------------------------------------------------------------- programmes

_JOB_OUTCOMES = {
    Outcome.job_unsubsidized: (
        ("ICA Maxi Erikslund", "Butiksmedarbetare"),
        ("Västerås stad, äldreomsorg", "Undersköterska"),
        ("Västerås stad, äldreomsorg", "Vårdbiträde"),
        ("Mälarenergi", "Kundtjänstmedarbetare"),
        ("Coop Vallby", "Kassapersonal"),
        ("Skanska", "Byggnadsarbetare"),
        ("PostNord", "Terminalarbetare"),
        ("Region Västmanland", "Lokalvårdare"),
        ("Västerås stad, förskola", "Barnskötare"),
        ("Max Hamburgerrestauranger", "Restaurangbiträde"),
        ("Willys Erikslund", "Lagerarbetare"),
        ("Coor", "Lokalvårdare"),
    ),
    Outcome.job_subsidized: (
        ("Västerås stad, park och natur", "Parkarbetare (extratjänst)"),
        ("Samhall", "Lokalvårdare"),
        ("Bostads AB Mimer", "Fastighetsskötare (lönestöd)"),
        ("Västerås stad, äldreomsorg", "Måltidsbiträde (introduktionsjobb)"),
        ("Västerås stadsmission", "Butiksbiträde (extratjänst)"),
        ("Coop Vallby", "Butiksbiträde (nystartsjobb)"),
    ),
    Outcome.self_employed: (
        ("Eget företag – städfirma", "Städare"),
        ("Eget företag – frisörsalong", "Frisör"),
        ("Eget företag – taxi", "Taxiförare"),
        ("Eget företag – catering", "Kock"),
    ),
}
_STUDY_NOTES = {
    Outcome.studies: ("Komvux, vård- och omsorgsprogrammet", "Komvux, svenska som andraspråk",
                      "Yrkeshögskolan, logistik", "Folkhögskola, allmän kurs",
                      "Komvux, barnskötare och elevassistent"),
    Outcome.training: ("Arbetsmarknadsutbildning: truckförare",
                       "Arbetsmarknadsutbildning: lokalvård",
                       "Arbetsmarknadsutbildning: yrkesförare buss",
                       "Arbetsmarknadsutbildning: svetsare"),
}
_QUALIFICATIONS = ("Truckkort A+B.", "Hygienbevis.", "Slutbetyg sfi D.",
                   "Validerat yrkeskunnande.", "Heta arbeten-certifikat.")
_NEUTRAL_NOTES = {
    NeutralReason.moved: "Flyttade från kommunen.",
    NeutralReason.parental_leave: "Föräldraledig.",
    NeutralReason.illness: "Sjukskriven, avslutad i samråd med Försäkringskassan.",
    NeutralReason.other: "Avslutad på egen begäran av känd orsak.",
}


@dataclass(frozen=True)
class _CohortSpec:
    label: str            # may use {term} (VT/HT year) and {years} (start–end)
    start_months: int     # relative to today
    end_months: int | None
    size: int
    cost_sek: int | None = None
    district: str | None = None  # over-represented district
    reuse: int = 0        # places filled by earlier leavers of other programmes


@dataclass(frozen=True)
class _ProgramSpec:
    name: str
    description: str
    target: str
    steps: tuple[tuple[str, StepKind], ...]
    profile: str
    typical_days: int
    outcomes: dict
    activity_kinds: dict
    coaches: dict
    sessions: tuple[tuple[str, ActivityKind, int], ...]
    cohorts: tuple[_CohortSpec, ...]
    exits_late: bool = False      # employment lasts until the cohort ends
    running_exit_share: float = 0.45
    plan_titles: tuple[str, ...] = ()


_COMMON_PLAN = (
    ("Uppdatera CV:t", PlanOwner.participant),
    ("Skapa profil på Platsbanken", PlanOwner.participant),
    ("Söka fem jobb den här veckan", PlanOwner.participant),
    ("Skriva ett personligt brev", PlanOwner.participant),
    ("Boka möte med Arbetsförmedlingen", PlanOwner.coach),
    ("Stämma av planen med socialsekreteraren", PlanOwner.coach),
    ("Kontakta praktikplats", PlanOwner.coach),
    ("Ta med betyg och intyg till nästa möte", PlanOwner.participant),
)

_PROGRAMS = (
    _ProgramSpec(
        name="Jobbpunkt",
        description=("Jobbcenter med drop-in: personlig profilanalys, coachning, vägledning, "
                     "kompetens, nätverkande och utbildning. Sedan 2005 har ungefär 7 av 10 "
                     "deltagare gått vidare till arbete eller studier."),
        target="0.700",
        steps=(("Profilanalys", StepKind.profile_analysis), ("Coachning", StepKind.coaching),
               ("Vägledning", StepKind.guidance),
               ("Kompetens och utbildning", StepKind.training),
               ("Nätverkande", StepKind.networking), ("Praktik", StepKind.internship)),
        profile="mixed",
        typical_days=240,
        outcomes={Outcome.job_unsubsidized: 30, Outcome.job_subsidized: 15,
                  Outcome.self_employed: 3, Outcome.studies: 12, Outcome.training: 8,
                  Outcome.job_seeking: 15, Outcome.neutral: 8, Outcome.dropout_unknown: 9},
        activity_kinds={ActivityKind.coaching: 50, ActivityKind.guidance: 20,
                        ActivityKind.network_meeting: 12, ActivityKind.internship: 10,
                        ActivityKind.other: 8},
        coaches={"anna": 45, "johan": 45, "samira": 10},
        sessions=(("CV-verkstad", ActivityKind.workshop, 120),
                  ("Intervjuträning i grupp", ActivityKind.workshop, 150),
                  ("Arbetsgivarträff med ICA och Coop", ActivityKind.network_meeting, 120)),
        cohorts=(
            _CohortSpec("Jobbpunkt Bäckby {term}", -30, -18, 22, 1_850_000, "Bäckby"),
            _CohortSpec("Jobbpunkt Råby {term}", -20, -7, 20, 1_600_000, "Råby"),
            _CohortSpec("Jobbpunkt Skallberget {term}", -8, 5, 22, 1_250_000, "Skallberget",
                        reuse=3),
            _CohortSpec("Jobbpunkt löpande intag {term}", -4, None, 14, reuse=1),
        ),
        plan_titles=("Anmäla sig till CV-verkstaden", "Förbereda intervjun hos ICA",
                     "Undersöka Komvux-kurser", "Kontakta tre arbetsgivare i nätverket"),
    ),
    _ProgramSpec(
        name="Propellern",
        description=("För nyanlända: acceptera livets nya villkor, bygga nätverk och lära sig "
                     "språket. 2016–2018 fick 50 av 133 deltagare jobb och 32 började "
                     "studera (62 % mot målet 50 %)."),
        target="0.500",
        steps=(("Profilanalys", StepKind.profile_analysis),
               ("Acceptera livets nya villkor", StepKind.coaching),
               ("Bygga nätverk", StepKind.networking),
               ("Lära sig språket", StepKind.language), ("Praktik", StepKind.internship)),
        profile="newly_arrived",
        typical_days=365,
        outcomes={Outcome.job_unsubsidized: 18, Outcome.job_subsidized: 20,
                  Outcome.self_employed: 2, Outcome.studies: 15, Outcome.training: 8,
                  Outcome.job_seeking: 20, Outcome.neutral: 8, Outcome.dropout_unknown: 9},
        activity_kinds={ActivityKind.coaching: 30, ActivityKind.language_class: 35,
                        ActivityKind.network_meeting: 20, ActivityKind.guidance: 10,
                        ActivityKind.internship: 5},
        coaches={"samira": 60, "anna": 40},
        sessions=(("Föreningsmässa – bygga nätverk", ActivityKind.network_meeting, 180),
                  ("Språkcafé: ord på arbetsplatsen", ActivityKind.language_class, 120),
                  ("Workshop: arbetslivet i Sverige", ActivityKind.workshop, 180)),
        cohorts=(
            _CohortSpec("Propellern omgång 1", -36, -22, 18, 2_400_000),
            _CohortSpec("Propellern omgång 2", -15, -3, 16, 2_100_000),
            _CohortSpec("Propellern omgång 3", -5, 7, 16),
        ),
        plan_titles=("Anmäla sig till sfi", "Ansöka om validering av utbildning hos UHR",
                     "Besöka en förening i området", "Öva på intervjufrågor på svenska"),
    ),
    _ProgramSpec(
        name="Miljövärdar",
        description=("Långtidsarbetslösa hyresgäster anställs som miljövärdar i ungefär 1,5 år. "
                     "60–75 % går vidare till annat arbete eller studier."),
        target="0.600",
        steps=(("Profilanalys", StepKind.profile_analysis),
               ("Utbildning: miljö, trygghet och bemötande", StepKind.training),
               ("Anställning som miljövärd", StepKind.internship),
               ("Vägledning mot nästa steg", StepKind.guidance)),
        profile="tenant",
        typical_days=540,
        outcomes={Outcome.job_unsubsidized: 30, Outcome.job_subsidized: 12,
                  Outcome.self_employed: 1, Outcome.studies: 10, Outcome.training: 10,
                  Outcome.job_seeking: 20, Outcome.neutral: 8, Outcome.dropout_unknown: 9},
        activity_kinds={ActivityKind.coaching: 35, ActivityKind.internship: 35,
                        ActivityKind.guidance: 20, ActivityKind.other: 10},
        coaches={"johan": 70, "anna": 30},
        sessions=(("Utbildning: konflikthantering", ActivityKind.workshop, 180),
                  ("Trygghetsvandring i området", ActivityKind.workshop, 120),
                  ("Studiebesök på Mälarenergi", ActivityKind.network_meeting, 150)),
        cohorts=(
            _CohortSpec("Miljövärdar {years}", -34, -14, 14, 4_600_000),
            _CohortSpec("Miljövärdar {years}", -9, 9, 14, reuse=2),
        ),
        exits_late=True,
        running_exit_share=0.2,
        plan_titles=("Ta truckkort", "Gå kursen i konflikthantering",
                     "Söka tjänst som fastighetsskötare"),
    ),
)

_MIMER_PROGRAM = _ProgramSpec(
    name="Miljövärdar",
    description=("Hyresgäster som står långt från arbetsmarknaden anställs som miljövärdar i "
                 "Mimers bostadsområden och får stöd vidare till arbete eller studier."),
    target="0.600",
    steps=_PROGRAMS[2].steps,
    profile="tenant",
    typical_days=540,
    outcomes=_PROGRAMS[2].outcomes,
    activity_kinds=_PROGRAMS[2].activity_kinds,
    coaches={"peter": 1},
    sessions=(("Trygghetsvandring med hyresgästföreningen", ActivityKind.workshop, 120),),
    cohorts=(_CohortSpec("Miljövärdar Mimer {years}", -9, 9, 8),),
    exits_late=True,
    running_exit_share=0.3,
    plan_titles=("Ta truckkort", "Söka tjänst som fastighetsskötare"),
)

_STAFF = (
    # key, organisation, role, email, name
    ("admin", ORG_NAME, Role.admin, "admin@journey.example", "Karin Holmgren"),
    ("chef", ORG_NAME, Role.manager, "chef@journey.example", "Lars Bergström"),
    ("anna", ORG_NAME, Role.coach, "anna.coach@journey.example", "Anna Lindqvist"),
    ("johan", ORG_NAME, Role.coach, "johan.coach@journey.example", "Johan Ekström"),
    ("samira", ORG_NAME, Role.coach, "samira.coach@journey.example", "Samira Haddad"),
    ("mimer_chef", MIMER_NAME, Role.manager, "chef@mimer.example", "Eva Nordin"),
    ("peter", MIMER_NAME, Role.coach, "peter.coach@mimer.example", "Peter Ahlgren"),
)
PORTAL_EMAIL = "deltagare@journey.example"

_ACTIVITY_NOTES = {
    ActivityKind.coaching: ("Gick igenom CV:t och satte mål för veckan.",
                            "Pratade om drömyrke och vägen dit.",
                            "Uppföljning av jobbsökandet: tre ansökningar skickade.",
                            "Förberedde inför anställningsintervju.",
                            "Mer motiverad, vill söka inom vården.",
                            "Diskuterade barnomsorg och schema.", ""),
    ActivityKind.guidance: ("Studie- och yrkesvägledning: Komvux vård och omsorg.",
                            "Gick igenom validering av utländsk utbildning.",
                            "Vägledning om yrkeshögskola.", ""),
    ActivityKind.network_meeting: ("Träffade arbetsgivare från ICA.",
                                   "Nätverksträff med föreningslivet i området.",
                                   "Mentorsträff.", ""),
    ActivityKind.language_class: ("Sfi-lektion med fokus på ord på arbetsplatsen.",
                                  "Språkcafé med volontärer.", ""),
    ActivityKind.internship: ("Praktik, positiv återkoppling från handledaren.",
                              "Arbetspass i området, gick bra.", ""),
    ActivityKind.other: ("Hembesök tillsammans med socialtjänsten.",
                         "Hjälp med ansökan om körkortstillstånd.", ""),
    ActivityKind.workshop: ("",),
}
_NO_SHOW_NOTES = ("Uteblev, nåddes inte på telefon.", "Uteblev – glömde tiden, ny tid bokad.", "")
_CANCELLED_NOTES = ("Återbud – sjukt barn.", "Återbud – krock med Arbetsförmedlingen.",
                    "Inställt av coachen.", "")
_DURATIONS = {
    ActivityKind.coaching: (45, 60, 60), ActivityKind.guidance: (60,),
    ActivityKind.network_meeting: (90, 120), ActivityKind.language_class: (120, 180),
    ActivityKind.internship: (240, 480), ActivityKind.workshop: (120, 180),
    ActivityKind.other: (30, 60),
}
_TIMES = (time(9, 0), time(10, 0), time(13, 0), time(14, 30), time(15, 30), None)

# --------------------------------------------------------------------------- helpers


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months (the day clamped to the month's end)."""
    month_index = d.year * 12 + d.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def luhn_digit(digits: str) -> int:
    """Check digit for the 9 digits YYMMDDNNN (weights 2, 1, 2, …)."""
    total = 0
    for i, ch in enumerate(digits):
        value = int(ch) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.lower().replace(" ", "").replace("'", "")


def _term(d: date) -> str:
    return f"{'VT' if d.month <= 6 else 'HT'} {d.year}"


@dataclass
class _Record:
    enrollment: Enrollment
    participant: Participant
    spec: _ProgramSpec
    cohort: Cohort
    running: bool
    outcome: Outcome | None = None
    exited_on: date | None = None
    templates: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # the latest assessment's scores


# --------------------------------------------------------------------------- seeder


@dataclass(frozen=True)
class DrawnPerson:
    """Who a made-up participant is, before an ID number is made for them."""

    origin_key: str
    gender: Gender
    first: str
    last: str
    region: BirthRegion
    birth_date: date
    arrival_year: int | None
    education: EducationLevel
    swedish: SwedishLevel
    id_kind: IdKind


def draw_person(rng, profile: str, enrolled_on: date) -> DrawnPerson:
    """Origin, name, gender, age, arrival, education, Swedish and ID kind for a profile.

    Shared with the synthetic data set (journey/synthetic), so both have the same mix.
    """
    origin_key = _weighted(rng, _PROFILE_ORIGINS[profile])
    origin = _ORIGINS[origin_key]
    gender = _weighted(rng, {Gender.woman: 48, Gender.man: 48, Gender.non_binary: 2,
                             Gender.unknown: 2})
    if gender == Gender.woman:
        first = rng.choice(origin.women)
    elif gender == Gender.man:
        first = rng.choice(origin.men)
    elif origin_key == "swedish":
        first = rng.choice(_UNISEX_SWEDISH)
    else:
        first = rng.choice(origin.women + origin.men)
    last = rng.choice(origin.last)

    region = origin.region
    if profile != "newly_arrived" and rng.random() < 0.04:
        region = BirthRegion.unknown
    if profile == "newly_arrived":
        age = int(rng.triangular(19, 56, 30))
    elif profile == "mixed":
        age = 17 if rng.random() < 0.02 else int(rng.triangular(18, 64, 30))
    else:
        age = int(rng.triangular(20, 63, 38))
    birth_date = enrolled_on - timedelta(days=int(age * 365.25) + rng.randint(0, 360))

    arrival_year = None
    if region in (BirthRegion.europe, BirthRegion.outside_europe):
        if profile == "newly_arrived":
            earliest = enrolled_on.year - 3
        else:
            earliest = max(birth_date.year + 1, 1990)
        latest = max(enrolled_on.year - (0 if profile == "newly_arrived" else 2), earliest)
        arrival_year = rng.randint(earliest, latest)

    if region == BirthRegion.sweden:
        education = _weighted(rng, _EDUCATION_SWEDEN)
        swedish = SwedishLevel.unknown if rng.random() < 0.04 else SwedishLevel.fluent
    elif region == BirthRegion.unknown:
        education = EducationLevel.unknown
        swedish = rng.choice((SwedishLevel.unknown, SwedishLevel.fluent))
    else:
        education = _weighted(rng, _EDUCATION_ABROAD)
        swedish = _weighted(rng, _SWEDISH_NEWLY_ARRIVED if profile == "newly_arrived"
                            else _SWEDISH_ESTABLISHED)

    if origin_key == "ukrainian":  # temporary protection: coordination numbers
        id_kind = IdKind.samordningsnummer
    elif region == BirthRegion.unknown:
        id_kind = rng.choice((IdKind.none, IdKind.personnummer))
    elif profile == "newly_arrived":
        id_kind = _weighted(rng, {IdKind.personnummer: 70, IdKind.samordningsnummer: 18,
                                  IdKind.none: 12})
    elif region == BirthRegion.sweden:
        id_kind = IdKind.none if rng.random() < 0.03 else IdKind.personnummer
    else:
        id_kind = _weighted(rng, {IdKind.personnummer: 88, IdKind.samordningsnummer: 5,
                                  IdKind.none: 7})
    return DrawnPerson(origin_key, gender, first, last, region, birth_date, arrival_year,
                       education, swedish, id_kind)


def draw_entry_situation(rng, profile: str) -> tuple[LabourStatus, IncomeSource, int | None]:
    """Labour status, income and months without work at entry for a programme profile.

    Shared with the synthetic data set (journey/synthetic), so both have the same mix.
    """
    months = None
    if profile == "newly_arrived":
        labour = _weighted(rng, {LabourStatus.unemployed: 80, LabourStatus.inactive: 12,
                                 LabourStatus.studying: 8})
        income = _weighted(rng, {IncomeSource.establishment_allowance: 70,
                                 IncomeSource.social_assistance: 15,
                                 IncomeSource.none: 10, IncomeSource.unknown: 5})
        low, high, mode = 0, 30, 6
    elif profile == "mixed":
        labour = _weighted(rng, {LabourStatus.unemployed: 80, LabourStatus.inactive: 10,
                                 LabourStatus.studying: 5, LabourStatus.employed: 5})
        income = _weighted(rng, {IncomeSource.social_assistance: 35,
                                 IncomeSource.unemployment_insurance: 20,
                                 IncomeSource.activity_support: 25,
                                 IncomeSource.none: 10, IncomeSource.unknown: 10})
        low, high, mode = 1, 60, 8
    else:
        labour = _weighted(rng, {LabourStatus.unemployed: 90, LabourStatus.inactive: 10})
        income = _weighted(rng, {IncomeSource.social_assistance: 60,
                                 IncomeSource.activity_support: 25,
                                 IncomeSource.none: 5, IncomeSource.unknown: 10})
        low, high, mode = 12, 120, 30
    if labour == LabourStatus.employed:
        income, months = IncomeSource.salary, 0
    elif labour == LabourStatus.studying:
        months = 0
    elif labour == LabourStatus.unemployed or rng.random() < 0.5:
        months = int(rng.triangular(low, high, mode))
    return labour, income, months

class _Seeder:
    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.objects: list = []
        self.used_ids: set[str] = set()
        self.phone_seq = 0
        self.users: dict[str, User] = {}
        self.records: list[_Record] = []
        self.password_hash: str | None = None

    # -- entry point

    def run(self) -> list[tuple[str, str, str]]:
        self._refuse_existing()
        orgs = {ORG_NAME: Organization(name=ORG_NAME), MIMER_NAME: Organization(name=MIMER_NAME)}
        self.objects.extend(orgs.values())
        for key, org_name, role, email, name in _STAFF:
            user = User(organization=orgs[org_name], email=email, name=name, role=role)
            self._set_password(user)
            self.users[key] = user
            self.objects.append(user)

        cohorts = [job for spec in _PROGRAMS
                   for job in self._program(orgs[ORG_NAME], spec, DISTRICTS)]
        cohorts += self._program(orgs[MIMER_NAME], _MIMER_PROGRAM, MIMER_DISTRICTS)
        # Finished cohorts first, so later cohorts can take back earlier leavers.
        for job in sorted(cohorts, key=lambda j: (j[1].ends_on is None or
                                                  j[1].ends_on >= self.today,
                                                  j[1].starts_on)):
            self._fill_cohort(*job)
        portal_user = self._portal_user(orgs[ORG_NAME])

        db.session.add_all(self.objects)
        db.session.flush()
        logins = []
        for key, _org_name, role, email, _name in _STAFF:
            logins.append((str(role), email, DEMO_PASSWORD))
            if key == "samira":  # the participant after the first organisation's staff
                logins.append((str(Role.participant), portal_user.email, DEMO_PASSWORD))
        return logins

    def _set_password(self, user: User) -> None:
        # Every demo login has the same published password: hash it once (scrypt is slow).
        if self.password_hash is None:
            user.set_password(DEMO_PASSWORD)
            self.password_hash = user.password_hash
        user.password_hash = self.password_hash

    def _refuse_existing(self) -> None:
        emails = [s[3] for s in _STAFF] + [PORTAL_EMAIL]
        org = db.session.scalar(
            sa.select(Organization.name).where(Organization.name.in_([ORG_NAME, MIMER_NAME]))
        )
        user = db.session.scalar(sa.select(User.email).where(User.email.in_(emails)))
        if org or user:
            raise DemoDataExists(
                f"Demo data is already present ({org or user}); seed an empty database."
            )

    # -- programmes and cohorts

    def _program(self, org: Organization, spec: _ProgramSpec, districts: dict) -> list:
        program = Program(organization=org, name=spec.name, description=spec.description,
                          is_active=True, outcome_target=Decimal(spec.target))
        templates = [StepTemplate(program=program, position=i, name=name, kind=kind)
                     for i, (name, kind) in enumerate(spec.steps, start=1)]
        self.objects.append(program)
        self.objects.extend(templates)
        jobs = []
        for cspec in spec.cohorts:
            starts_on = add_months(self.today, cspec.start_months).replace(day=1)
            ends_on = None
            if cspec.end_months is not None:
                ends_on = add_months(self.today, cspec.end_months)
                ends_on = add_months(ends_on.replace(day=1), 1) - timedelta(days=1)
            years = f"{starts_on.year}–{ends_on.year if ends_on else ''}"
            cohort = Cohort(program=program, starts_on=starts_on, ends_on=ends_on,
                            cost_sek=cspec.cost_sek,
                            name=cspec.label.format(term=_term(starts_on), years=years))
            self.objects.append(cohort)
            cohort_districts = dict(districts)
            if cspec.district:
                cohort_districts[cspec.district] *= 4
            jobs.append((spec, cohort, cspec, templates, org, cohort_districts))
        return jobs

    def _fill_cohort(self, spec, cohort, cspec, templates, org, districts) -> None:
        coaches = {self.users[k]: w for k, w in spec.coaches.items()}
        running = cohort.ends_on is None or cohort.ends_on >= self.today
        records = []
        reused = self._reuse_candidates(spec, cohort, cspec.reuse) if running else []
        for participant, enrolled_on in reused:
            records.append(self._enroll(participant, cohort, spec, templates, running,
                                        enrolled_on, coaches))
        for _ in range(cspec.size - len(reused)):
            enrolled_on = self._enrolled_on(cohort, running)
            participant = self._participant(org, spec.profile, enrolled_on, districts)
            records.append(self._enroll(participant, cohort, spec, templates, running,
                                        enrolled_on, coaches))
        self._group_sessions(cohort, spec, records, running)

    def _enrolled_on(self, cohort: Cohort, running: bool) -> date:
        rng = self.rng
        if running:
            last = min(self.today - timedelta(days=7), cohort.ends_on or self.today)
            span = max((last - cohort.starts_on).days, 0)
            return cohort.starts_on + timedelta(days=rng.randint(0, span))
        span = (cohort.ends_on - cohort.starts_on).days
        return cohort.starts_on + timedelta(days=rng.randint(0, int(span * 0.35)))

    def _reuse_candidates(self, spec: _ProgramSpec, cohort: Cohort, wanted: int):
        """Earlier leavers of another programme who enrol again (a second enrollment)."""
        if not wanted:
            return []
        taken = {id(r.participant) for r in self.records
                 if len(r.participant.enrollments) > 1}
        pool = [r for r in self.records
                if r.spec.name != spec.name and r.exited_on is not None
                and r.participant.organization is cohort.program.organization
                and r.outcome in (Outcome.job_seeking, Outcome.dropout_unknown)
                and id(r.participant) not in taken]
        chosen = []
        latest = self.today - timedelta(days=14)
        for record in self.rng.sample(pool, len(pool)):
            enrolled_on = max(cohort.starts_on,
                              record.exited_on + timedelta(days=self.rng.randint(30, 90)))
            if enrolled_on <= latest:
                chosen.append((record.participant, enrolled_on))
                taken.add(id(record.participant))
            if len(chosen) == wanted:
                break
        return chosen

    # -- participants

    def _participant(self, org: Organization, profile: str, enrolled_on: date,
                     districts: dict) -> Participant:
        rng = self.rng
        person = draw_person(rng, profile, enrolled_on)
        birth_date, national_id = person.birth_date, None
        if person.id_kind != IdKind.none:
            national_id = self._national_id(birth_date, person.gender, person.id_kind)
        elif rng.random() < 0.4:
            birth_date = None

        protected = org.name == ORG_NAME and rng.random() < 0.015
        phone = "" if protected or rng.random() < 0.12 else self._phone()
        email = ""
        roll = rng.random()
        if not protected and roll < 0.8:
            domain = "example.com" if roll < 0.62 else "example.se"
            suffix = str(rng.randint(1, 99)) if rng.random() < 0.25 else ""
            email = f"{_slug(person.first)}.{_slug(person.last)}{suffix}@{domain}"
        participant = Participant(
            organization=org, first_name=person.first, last_name=person.last,
            id_kind=person.id_kind, national_id=national_id, birth_date=birth_date,
            gender=person.gender, birth_region=person.region, arrival_year=person.arrival_year,
            district=_weighted(rng, districts), education_level=person.education,
            swedish_level=person.swedish, phone=phone, email=email, protected_identity=protected,
        )
        self.objects.append(participant)
        return participant

    def _national_id(self, birth: date, gender: Gender, kind: IdKind) -> str:
        """A valid 12-digit number with a 98x/99x birth number (test-like range)."""
        day = birth.day + (60 if kind == IdKind.samordningsnummer else 0)
        if gender == Gender.man:
            parity = 1
        elif gender == Gender.woman:
            parity = 0
        else:
            parity = self.rng.randint(0, 1)
        for _ in range(50):
            serial = 980 + 2 * self.rng.randint(0, 9) + parity
            nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
            number = f"{birth.year:04d}{birth.month:02d}{day:02d}{serial:03d}{luhn_digit(nine)}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
        raise AssertionError("could not draw a unique national id")

    def _phone(self) -> str:
        n = 5 + self.phone_seq % 95
        self.phone_seq += 7  # coprime with 95: walks through the whole range
        return f"070-174 06 {n:02d}"

    # -- enrollments

    def _enroll(self, participant, cohort, spec, templates, running, enrolled_on,
                coaches) -> _Record:
        rng = self.rng
        labour, income, months = draw_entry_situation(rng, spec.profile)
        enrollment = Enrollment(
            participant=participant, cohort=cohort, coach=_weighted(rng, coaches),
            status=EnrollmentStatus.active, enrolled_on=enrolled_on,
            labour_status_at_entry=labour, unemployed_months_at_entry=months,
            income_at_entry=income,
        )
        self.objects.append(enrollment)
        record = _Record(enrollment, participant, spec, cohort, running, templates=templates)
        self.records.append(record)

        self._exit(record)
        end = record.exited_on or self.today
        self._steps(record, end)
        self._activities(record, end)
        self._plan(record, end)
        self._assessments(record, end)
        if record.exited_on:
            self._follow_ups(record)
        return record

    def _exit(self, record: _Record) -> None:
        rng, spec, enr = self.rng, record.spec, record.enrollment
        enrolled_on = enr.enrolled_on
        if record.running:
            elapsed = (self.today - enrolled_on).days
            share = min(spec.running_exit_share, 0.1 + elapsed / spec.typical_days * 0.6)
            if elapsed < 45 or rng.random() >= share:
                if rng.random() < 0.06:
                    enr.status = EnrollmentStatus.paused
                return
            outcome = _weighted(rng, spec.outcomes)
            exited_on = enrolled_on + timedelta(days=rng.randint(30, elapsed - 3))
        else:
            outcome = _weighted(rng, spec.outcomes)
            span = (record.cohort.ends_on - enrolled_on).days
            if outcome in (Outcome.neutral, Outcome.dropout_unknown):
                days = rng.randint(21, max(22, int(span * 0.6)))
            elif outcome == Outcome.job_seeking or spec.exits_late:
                days = span - rng.randint(0, min(60, span // 4))
            else:
                days = rng.randint(int(span * 0.3), span)
            exited_on = enrolled_on + timedelta(days=min(days, span))
        record.outcome, record.exited_on = outcome, exited_on
        enr.status = EnrollmentStatus.exited

        group = OUTCOME_GROUP[outcome]
        employer = occupation = note = ""
        hours = neutral_reason = None
        if group == "job":
            employer, occupation = rng.choice(_JOB_OUTCOMES[outcome])
            if outcome == Outcome.self_employed:
                hours = rng.choice((40, 45, 30, None))
            else:
                hours = rng.choice((40, 40, 40, 35, 30, 25, 20))
        elif group == "studies":
            note = rng.choice(_STUDY_NOTES[outcome]) + "."
        elif outcome == Outcome.neutral:
            neutral_reason = _weighted(rng, {NeutralReason.moved: 35,
                                             NeutralReason.parental_leave: 30,
                                             NeutralReason.illness: 25,
                                             NeutralReason.other: 10})
            note = _NEUTRAL_NOTES[neutral_reason]
        elif outcome == Outcome.job_seeking:
            note = "Fortsatt arbetssökande via Arbetsförmedlingen."
        else:
            note = "Avbröt utan att höra av sig."
        qualification = rng.random() < (0.35 if group in ("job", "studies") else 0.08)
        if qualification:
            note = f"{note} {rng.choice(_QUALIFICATIONS)}".strip()
        self.objects.append(ExitOutcome(
            enrollment=enr, exited_on=exited_on, outcome=outcome, neutral_reason=neutral_reason,
            qualification_gained=qualification, employer=employer, occupation=occupation,
            hours_per_week=hours, note=note,
        ))

    def _steps(self, record: _Record, end: date) -> None:
        rng, enr = self.rng, record.enrollment
        templates = record.templates
        n = len(templates)
        elapsed = max((end - enr.enrolled_on).days, 1)
        progress = elapsed / record.spec.typical_days
        if record.exited_on:
            if OUTCOME_GROUP[record.outcome] in ("job", "studies"):
                done = min(n, max(2, round(progress * n) + 1))
            else:
                done = min(n, max(1, int(progress * n)))
            in_progress = 0
        else:
            done, in_progress = min(n - 1, int(progress * n)), 1
        slot = elapsed / max(done + in_progress, 1)
        for i, template in enumerate(templates):
            step = JourneyStep(enrollment=enr, name=template.name, kind=template.kind,
                               position=i + 1, status=StepStatus.not_started, note="")
            if i < done:
                step.status = StepStatus.done
                step.started_on = enr.enrolled_on + timedelta(days=int(i * slot))
                finish = int((i + 1) * slot) - rng.randint(0, int(slot / 4))
                step.completed_on = max(step.started_on,
                                        enr.enrolled_on + timedelta(days=finish))
                if template.kind == StepKind.profile_analysis and rng.random() < 0.5:
                    step.note = "Profilanalys genomförd, mål och hinder kartlagda."
            elif i == done and in_progress:
                step.status = StepStatus.in_progress
                step.started_on = enr.enrolled_on + timedelta(days=int(i * slot))
            elif record.exited_on:
                step.status = StepStatus.skipped
                if OUTCOME_GROUP[record.outcome] in ("job", "studies") and rng.random() < 0.5:
                    step.note = "Behövdes inte – gick vidare till arbete eller studier."
            self.objects.append(step)

    def _activities(self, record: _Record, end: date) -> None:
        rng, enr = self.rng, record.enrollment
        elapsed = max((end - enr.enrolled_on).days, 1)
        total = min(15, max(3, elapsed // 21 + rng.randint(0, 3)))
        future = 0 if record.exited_on else rng.randint(1, 3)
        if enr.status == EnrollmentStatus.paused:
            future = 0
        weights = ({Attendance.attended: 55, Attendance.no_show: 30, Attendance.cancelled: 15}
                   if record.outcome == Outcome.dropout_unknown else
                   {Attendance.attended: 78, Attendance.no_show: 12, Attendance.cancelled: 10})
        last_past = min(end, self.today - timedelta(days=1))
        past_span = max((last_past - enr.enrolled_on).days, 0)
        dates = sorted(enr.enrolled_on + timedelta(days=rng.randint(0, past_span))
                       for _ in range(total - future))
        dates += sorted(self.today + timedelta(days=rng.randint(1, 28)) for _ in range(future))
        for when in dates:
            kind = _weighted(rng, record.spec.activity_kinds)
            if when > self.today:
                attendance, note = Attendance.planned, ""
            else:
                attendance = _weighted(rng, weights)
                if attendance == Attendance.attended:
                    note = rng.choice(_ACTIVITY_NOTES[kind])
                elif attendance == Attendance.no_show:
                    note = rng.choice(_NO_SHOW_NOTES)
                else:
                    note = rng.choice(_CANCELLED_NOTES)
            self.objects.append(Activity(
                enrollment=enr, kind=kind, date=when, time=rng.choice(_TIMES),
                duration_minutes=rng.choice(_DURATIONS[kind]), attendance=attendance, note=note,
            ))

    def _plan(self, record: _Record, end: date) -> None:
        rng, enr = self.rng, record.enrollment
        owners = {title: owner for title, owner in _COMMON_PLAN}
        owners.update({title: PlanOwner.participant for title in record.spec.plan_titles})
        titles = rng.sample(list(owners), rng.randint(2, 5))
        horizon = end if record.exited_on else self.today + timedelta(days=45)
        span = max((horizon - enr.enrolled_on).days - 7, 1)
        for title in titles:
            due = enr.enrolled_on + timedelta(days=7 + rng.randint(0, span))
            due_on = None if rng.random() < 0.1 else due
            if record.exited_on:
                done_p = 0.8
            else:
                done_p = 0.65 if due <= self.today else 0.15
            done_on = None
            if rng.random() < done_p:
                latest = min(due + timedelta(days=7), end, self.today)
                earliest = min(max(enr.enrolled_on, due - timedelta(days=14)), latest)
                done_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            self.objects.append(PlanItem(enrollment=enr, title=title, due_on=due_on,
                                         owner=owners[title], done_on=done_on,
                                         created_by=enr.coach))

    def _assessments(self, record: _Record, end: date) -> None:
        rng, enr, participant = self.rng, record.enrollment, record.participant
        network = (1, 4) if record.spec.profile == "newly_arrived" else (2, 6)
        base = {
            AssessmentArea.job_skills: rng.randint(2, 6),
            AssessmentArea.motivation: rng.randint(4, 8),
            AssessmentArea.job_search: rng.randint(2, 5),
            AssessmentArea.language: rng.randint(*_LANGUAGE_SCORE[participant.swedish_level]),
            AssessmentArea.stability: rng.randint(3, 7),
            AssessmentArea.health: rng.randint(3, 8),
            AssessmentArea.social_network: rng.randint(*network),
        }
        elapsed = (end - enr.enrolled_on).days
        intake_on = min(enr.enrolled_on + timedelta(days=rng.randint(0, 10)), end)
        phases = [(AssessmentPhase.intake, intake_on)]
        good = record.outcome is None or OUTCOME_GROUP[record.outcome] in ("job", "studies")
        if elapsed >= 100 and rng.random() < 0.85:
            mid = enr.enrolled_on + timedelta(days=elapsed // 2 + rng.randint(-10, 10))
            phases.append((AssessmentPhase.midway, mid))
        if record.exited_on and record.outcome != Outcome.dropout_unknown and rng.random() < 0.85:
            phases.append((AssessmentPhase.exit, record.exited_on))
        scores = dict(base)
        for n, (phase, taken_on) in enumerate(phases):
            if n:
                gains = (-1, 0, 1, 1, 2, 2, 3) if good else (-1, -1, 0, 0, 1, 1, 2)
                scores = {area: max(1, min(10, value + rng.choice(gains)))
                          for area, value in scores.items()}
            assessment = Assessment(enrollment=enr, taken_on=taken_on, phase=phase)
            self.objects.append(assessment)
            self.objects.extend(AssessmentScore(assessment=assessment, area=area, score=value)
                                for area, value in scores.items())
        record.scores = scores

    def _follow_ups(self, record: _Record) -> None:
        rng, outcome = self.rng, record.outcome
        group = OUTCOME_GROUP[outcome]
        S = FollowUpStatus
        if outcome == Outcome.self_employed:
            weights = {S.self_employed: 80, S.employed: 10, S.job_seeking: 10}
        elif group == "job":
            weights = {S.employed: 80, S.job_seeking: 10, S.studies: 4, S.other: 3, S.unknown: 3}
        elif group == "studies":
            weights = {S.studies: 70, S.employed: 15, S.job_seeking: 10, S.unknown: 5}
        elif outcome == Outcome.job_seeking:
            weights = {S.job_seeking: 50, S.employed: 25, S.studies: 10, S.other: 5,
                       S.unknown: 10}
        elif outcome == Outcome.neutral:
            weights = {S.other: 40, S.job_seeking: 20, S.employed: 15, S.unknown: 25}
        else:
            weights = {S.unknown: 45, S.job_seeking: 30, S.employed: 15, S.other: 10}
        for months, record_p in ((3, 0.9), (6, 0.85), (12, 0.8)):
            due_on = add_months(record.exited_on, months)
            follow_up = FollowUp(enrollment=record.enrollment, months_after=months,
                                 due_on=due_on)
            if due_on <= self.today and rng.random() < record_p:
                status = _weighted(rng, weights)
                if status == S.unknown:
                    source = FollowUpSource.register
                elif status in (S.employed, S.self_employed):
                    source = _weighted(rng, {FollowUpSource.self_report: 50,
                                             FollowUpSource.employer: 35,
                                             FollowUpSource.register: 15})
                else:
                    source = _weighted(rng, {FollowUpSource.self_report: 80,
                                             FollowUpSource.register: 20})
                follow_up.status, follow_up.source = status, source
                follow_up.recorded_on = min(due_on + timedelta(days=rng.randint(0, 20)),
                                            self.today)
                if months == 6 and rng.random() < 0.3:
                    self._follow_up_assessment(record, follow_up.recorded_on)
            self.objects.append(follow_up)

    def _follow_up_assessment(self, record: _Record, taken_on: date) -> None:
        assessment = Assessment(enrollment=record.enrollment, taken_on=taken_on,
                                phase=AssessmentPhase.follow_up)
        self.objects.append(assessment)
        self.objects.extend(
            AssessmentScore(assessment=assessment, area=area,
                            score=max(1, min(10, score + self.rng.choice((-1, 0, 0, 1)))))
            for area, score in record.scores.items()
        )

    # -- group sessions

    def _group_sessions(self, cohort: Cohort, spec: _ProgramSpec, records: list[_Record],
                        running: bool) -> None:
        rng = self.rng
        if running:
            past = max(cohort.starts_on + timedelta(days=30), self.today - timedelta(days=40))
            past = min(past, self.today - timedelta(days=5))
            dates = [past, self.today + timedelta(days=rng.randint(5, 14))]
        else:
            span = (cohort.ends_on - cohort.starts_on).days
            dates = [cohort.starts_on + timedelta(days=int(span * 0.45))]
        titles = rng.sample(spec.sessions, min(len(dates), len(spec.sessions)))
        for when, (title, kind, minutes) in zip(dates, titles, strict=False):
            session = GroupSession(cohort=cohort, kind=kind, date=when, duration_minutes=minutes,
                                   title=title)
            self.objects.append(session)
            for record in records:
                enr = record.enrollment
                if enr.enrolled_on > when or (record.exited_on and record.exited_on < when):
                    continue
                if when > self.today:
                    if enr.status != EnrollmentStatus.active:
                        continue
                    attendance = Attendance.planned
                else:
                    attendance = _weighted(rng, {Attendance.attended: 80, Attendance.no_show: 12,
                                                 Attendance.cancelled: 8})
                self.objects.append(Activity(
                    enrollment=enr, kind=kind, date=when, time=time(13, 0),
                    duration_minutes=minutes, attendance=attendance, note="",
                    group_session=session,
                ))

    # -- participant portal

    def _portal_user(self, org: Organization) -> User:
        anna = self.users["anna"]
        candidates = [r for r in self.records
                      if r.enrollment.coach is anna and r.running
                      and r.enrollment.status == EnrollmentStatus.active
                      and r.participant.id_kind == IdKind.personnummer
                      and not r.participant.protected_identity
                      and len(r.participant.enrollments) == 1]
        if not candidates:  # not with the built-in seeds; any active enrollment will do
            candidates = [r for r in self.records if r.participant.organization is org
                          and r.enrollment.status == EnrollmentStatus.active]
        record = candidates[0]
        participant = record.participant
        user = User(organization=org, email=PORTAL_EMAIL, name=participant.full_name,
                    role=Role.participant)
        self._set_password(user)
        participant.portal_user = user
        self.users["deltagare"] = user
        self.objects.append(user)
        open_own = [o for o in self.objects
                    if isinstance(o, PlanItem) and o.enrollment is record.enrollment
                    and o.owner == PlanOwner.participant and o.done_on is None]
        if not open_own:
            self.objects.append(PlanItem(
                enrollment=record.enrollment, title="Skicka ansökan till ICA Maxi Erikslund",
                due_on=self.today + timedelta(days=10), owner=PlanOwner.participant,
                created_by=anna,
            ))
        return user


def seed_demo(seed: int = 2026, *, today: date | None = None) -> list[tuple[str, str, str]]:
    """Fill an empty database with demo data; return the logins as (role, email, password).

    Only adds and flushes: the caller commits. ``today`` (default: the real date)
    is the reference day that the cohorts and events are dated around.
    """
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not security)  # nosec B311
    return _Seeder(rng, today or date.today()).run()
