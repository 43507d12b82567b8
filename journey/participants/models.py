from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import TimestampMixin, enum_column
from journey.enums import (
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    SwedishLevel,
)
from journey.extensions import db
from journey.participants import crypto


class Participant(TimestampMixin, db.Model):
    __tablename__ = "participant"
    __table_args__ = (
        # One record per person and organisation (by the keyed hash of the number);
        # NULLs (no number) do not collide. The constraint's index serves exact search.
        sa.UniqueConstraint("organization_id", "national_id_hash"),
        sa.Index("ix_participant_org_name", "organization_id", "last_name", "first_name"),
        sa.Index("ix_participant_org_birth_date", "organization_id", "birth_date"),
        # A coach's own intakes (the participant scope, journey/auth/access.py).
        sa.Index("ix_participant_created_by", "created_by_id"),
        sa.CheckConstraint(
            "(id_kind = 'none' AND national_id_encrypted IS NULL) OR id_kind != 'none'",
            name="national_id_matches_kind",
        ),
        sa.CheckConstraint(
            "(national_id_encrypted IS NULL AND national_id_hash IS NULL "
            "AND national_id_prefix IS NULL) OR (national_id_encrypted IS NOT NULL "
            "AND national_id_hash IS NOT NULL AND national_id_prefix IS NOT NULL)",
            name="national_id_columns_together",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    id_kind: Mapped[IdKind] = mapped_column(enum_column(IdKind, "id_kind"), default=IdKind.none)
    # The personnummer/samordningsnummer (12 digits, YYYYMMDDNNNC) is never stored in
    # clear: AES-256-GCM ciphertext "v<key id>:<base64url>", the HMAC-SHA256 of the
    # digits for exact search and the date part (YYYYMMDD) for the masked display.
    # Read and write it through the ``national_id`` property; never in URLs or logs.
    national_id_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    national_id_hash: Mapped[str | None] = mapped_column(sa.String(64))
    national_id_prefix: Mapped[str | None] = mapped_column(sa.String(8))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"), default=Gender.unknown)
    birth_region: Mapped[BirthRegion] = mapped_column(
        enum_column(BirthRegion, "birth_region"), default=BirthRegion.unknown
    )
    arrival_year: Mapped[int | None] = mapped_column(sa.Integer)
    district: Mapped[str] = mapped_column(sa.String(100), default="")
    education_level: Mapped[EducationLevel] = mapped_column(
        enum_column(EducationLevel, "education_level"), default=EducationLevel.unknown
    )
    swedish_level: Mapped[SwedishLevel] = mapped_column(
        enum_column(SwedishLevel, "swedish_level"), default=SwedishLevel.unknown
    )
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    portal_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    protected_identity: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Who registered the record: a coach sees their own intakes before enrollment.
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    anonymized_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Optimistic locking: a save based on an old version is refused (no lost update).
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    organization = relationship("Organization")
    portal_user = relationship("User", foreign_keys=[portal_user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    enrollments = relationship(
        "Enrollment", back_populates="participant", order_by="Enrollment.enrolled_on"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def national_id(self) -> str | None:
        """The 12 digits, decrypted with the configured keys (None: no number)."""
        stored = self.national_id_encrypted
        if stored is None:
            return None
        cached = self.__dict__.get("_national_id_clear")
        if cached is not None and cached[0] == stored:
            return cached[1]
        digits = crypto.cipher().decrypt(stored)
        self.__dict__["_national_id_clear"] = (stored, digits)
        return digits

    @national_id.setter
    def national_id(self, digits: str | None) -> None:
        """Encrypt, hash and keep the date part; None (or "") clears all three."""
        self.__dict__.pop("_national_id_clear", None)
        if not digits:
            self.national_id_encrypted = None
            self.national_id_hash = None
            self.national_id_prefix = None
            return
        sealed = crypto.cipher().seal(digits)
        self.national_id_encrypted = sealed.encrypted
        self.national_id_hash = sealed.hash
        self.national_id_prefix = sealed.prefix

    @classmethod
    def national_id_matches(cls, digits: str):
        """SQL condition: the record's number is exactly these 12 digits."""
        return cls.national_id_hash == crypto.national_id_hash(digits)

    @property
    def masked_national_id(self) -> str:
        """``YYYYMMDD-****``: the form shown everywhere but the edit form."""
        if not self.national_id_prefix:
            return ""
        return f"{self.national_id_prefix}-****"


class Enrollment(TimestampMixin, db.Model):
    __tablename__ = "enrollment"
    __table_args__ = (
        # The caseload's statements read only these columns of a coach's enrollments,
        # so they come from the index alone (migration 0b6c7d8e9f0a); SQLite keeps
        # the id (its rowid) in every index anyway.
        sa.Index("ix_enrollment_coach_status", "coach_id", "status", "cohort_id",
                 "enrolled_on", "participant_id", postgresql_include=["id"]),
        sa.Index("ix_enrollment_cohort_enrolled", "cohort_id", "enrolled_on"),
        sa.Index("ix_enrollment_participant", "participant_id"),
        sa.CheckConstraint(
            "unemployed_months_at_entry IS NULL OR unemployed_months_at_entry >= 0",
            name="unemployed_months_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE")
    )
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="RESTRICT"))
    coach_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.active
    )
    enrolled_on: Mapped[date] = mapped_column(sa.Date)
    labour_status_at_entry: Mapped[LabourStatus] = mapped_column(
        enum_column(LabourStatus, "labour_status"), default=LabourStatus.unemployed
    )
    unemployed_months_at_entry: Mapped[int | None] = mapped_column(sa.Integer)
    income_at_entry: Mapped[IncomeSource] = mapped_column(
        enum_column(IncomeSource, "income_source"), default=IncomeSource.unknown
    )
    # The outcome the participant works towards, in their own words or the coach's
    # ("Arbete inom äldreomsorgen"); shown in the portal.
    goal: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    participant = relationship("Participant", back_populates="enrollments")
    cohort = relationship("Cohort", back_populates="enrollments")
    coach = relationship("User")
    steps = relationship(
        "JourneyStep", back_populates="enrollment", order_by="JourneyStep.position"
    )
    activities = relationship("Activity", back_populates="enrollment")
    plan_items = relationship("PlanItem", back_populates="enrollment")
    assessments = relationship("Assessment", back_populates="enrollment")
    exit_outcome = relationship("ExitOutcome", back_populates="enrollment", uselist=False)
    notes = relationship("Note", back_populates="enrollment", order_by="Note.created_at.desc()")
    follow_ups = relationship(
        "FollowUp", back_populates="enrollment", order_by="FollowUp.months_after"
    )
