import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from journey.db import TimestampMixin, enum_column
from journey.enums import Locale, Role
from journey.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Organization(TimestampMixin, db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # "Needs attention" thresholds of the caseload, configurable per organisation.
    attention_no_contact_days: Mapped[int] = mapped_column(sa.Integer, default=14)
    attention_no_show_streak: Mapped[int] = mapped_column(sa.Integer, default=2)
    attention_no_step_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    attention_follow_up_days: Mapped[int] = mapped_column(sa.Integer, default=7)
    # GDPR retention: anonymise participants this many months after their last exit
    # (`flask journey retention`); None keeps records until someone decides.
    retention_months_after_exit: Mapped[int | None] = mapped_column(sa.Integer)

    users: Mapped[list["User"]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        # Case-insensitive uniqueness: emails are stored lower-cased and unique.
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[Locale] = mapped_column(enum_column(Locale, "locale"), default=Locale.sv)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Part of the session cookie: rotating it logs out every copy of old cookies.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    organization: Mapped[Organization] = relationship(back_populates="users")

    @validates("email")
    def _normalise_email(self, _key, value: str) -> str:
        return value.strip().lower()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
