"""Tables of the permit aggregates: what each application adds to the public figures.

Kept by the refresh job (permits.insights.aggregates) from the applications changed since its
cursor, never written by a page; rebuilt from the record at any time (`prongsai insights
rebuild`). Only public facts: departments, types, statuses, dates and counts, no applicant.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class InsightApplication(SQLModel, table=True):
    """One application as the figures count it: the totals it adds to, as JSON."""

    __tablename__ = "permits_insight_application"

    application_id: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    kept: str = Field(sa_type=sa.Text)  # [[kind, department, key, period, days, n, on_time]…]
    updated_at: datetime = Field(sa_type=UTCDateTime, description="the application's, when read")


class InsightSum(SQLModel, table=True):
    """A running total of one kind, by department (0: none), key, period and business days.

    The kinds are listed in permits.insights.aggregates.
    """

    __tablename__ = "permits_insight_sum"

    kind: str = Field(primary_key=True, sa_type=sa.String(16))
    department_id: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    key: str = Field(primary_key=True, sa_type=sa.String(16))  # a type code or a status
    period: str = Field(primary_key=True, sa_type=sa.String(7))  # "", YYYY or YYYY-MM
    days: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # -1: none
    n: int = Field(default=0, sa_type=sa.BigInteger)
    on_time: int = Field(default=0, sa_type=sa.BigInteger)


class InsightOpen(SQLModel, table=True):
    """An open stage of an application in progress: overdue once its due instant passes.

    Counted through its indexes by the pages that say how many stages are overdue now.
    """

    __tablename__ = "permits_insight_open"
    __table_args__ = (
        sa.Index(
            "ix_permits_insight_open_department_due_type",
            "department_id",
            "due_at",
            "type_code",
        ),
        sa.Index("ix_permits_insight_open_due_application", "due_at", "application_id"),
    )

    stage_id: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    application_id: int = Field(sa_type=sa.BigInteger)
    department_id: int = Field(sa_type=sa.BigInteger)
    type_code: str = Field(sa_type=sa.String(8))
    due_at: datetime = Field(sa_type=UTCDateTime)


class InsightCursor(SQLModel, table=True):
    """How far the refresh job has read the applications' changes, and with which calendar."""

    __tablename__ = "permits_insight_cursor"

    source: str = Field(primary_key=True, sa_type=sa.String(64))
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_id: int = Field(default=0, sa_type=sa.BigInteger)
    # the closed days (ordinals, JSON) the business days kept were counted with
    calendar: str = Field(default="[]", sa_type=sa.Text)
    updated_at: datetime = Field(sa_type=UTCDateTime)
