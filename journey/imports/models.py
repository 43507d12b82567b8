from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import utcnow
from journey.extensions import db


class ImportBatch(db.Model):
    """One imported spreadsheet; its hash makes a second import of the same file refused."""

    __tablename__ = "import_batch"
    __table_args__ = (sa.UniqueConstraint("organization_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE")
    )
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    row_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    cohort = relationship("Cohort")
    created_by = relationship("User")
