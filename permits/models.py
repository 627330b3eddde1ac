"""Tables of permits: types, applications, their stages, pauses, transitions and documents."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class ApplicationStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class PermitType(SQLModel, table=True):
    """One version of a permit type, as loaded from its definition file; never edited."""

    __tablename__ = "permits_type"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(8), index=True)
    version: int
    name: str = Field(sa_type=sa.String(200))
    name_th: str = Field(sa_type=sa.String(200))
    definition: str = Field(sa_type=sa.Text)  # canonical JSON of the checked definition
    source_sha256: str = Field(sa_type=sa.String(64))
    loaded_at: datetime = Field(sa_type=UTCDateTime)


class Closure(SQLModel, table=True):
    """A local office closure (not a national holiday): no business day."""

    __tablename__ = "permits_closure"

    id: int | None = Field(default=None, primary_key=True)
    closure_date: date = Field(unique=True)
    reason: str = Field(sa_type=sa.String(200))
    created_at: datetime = Field(sa_type=UTCDateTime)


class OfficerProfile(SQLModel, table=True):
    """What the public may know of a permit officer: a badge number and a supervisor."""

    __tablename__ = "permits_officer_profile"

    user_id: int = Field(primary_key=True, foreign_key="auth_user.id", ondelete="CASCADE")
    badge_number: str = Field(sa_type=sa.String(32), unique=True)
    supervisor_id: int | None = Field(default=None, foreign_key="auth_user.id", ondelete="SET NULL")


class Application(SQLModel, table=True):
    """A permit application; its personal data (form_data) never leaves the private views."""

    __tablename__ = "permits_application"
    __table_args__ = (
        sa.UniqueConstraint("type_code", "year", "sequence"),
        # the public list (permits.listing): newest first within each filter, the columns
        # the other filters test carried along; overdue ones by due instant; by change time
        sa.Index("ix_permits_application_status_submitted_at", "status", "submitted_at", "id"),
        sa.Index(
            "ix_permits_application_type_code_submitted_at", "type_code", "submitted_at", "id"
        ),
        sa.Index(
            "ix_permits_application_type_code_status_submitted_at",
            "type_code",
            "status",
            "submitted_at",
            "id",
        ),
        sa.Index(
            "ix_permits_application_current_department_id_submitted_at",
            "current_department_id",
            "submitted_at",
            "id",
            "type_code",
            "status",
        ),
        sa.Index(
            "ix_permits_application_status_current_due_at",
            "status",
            "current_due_at",
            "id",
            "type_code",
            "current_department_id",
        ),
        sa.Index("ix_permits_application_updated_at", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_number: str = Field(sa_type=sa.String(32), unique=True)
    type_id: int = Field(foreign_key="permits_type.id", index=True, ondelete="RESTRICT")
    type_code: str = Field(sa_type=sa.String(8))
    year: int
    sequence: int
    applicant_id: int = Field(foreign_key="auth_user.id", index=True, ondelete="RESTRICT")
    status: ApplicationStatus = Field(sa_type=sa.String(16))
    description: str = Field(sa_type=sa.String(500))  # public: built from public fields only
    form_data: str = Field(sa_type=sa.Text)  # private JSON
    submitted_at: datetime = Field(sa_type=UTCDateTime, index=True)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # The stage in progress, copied here in the transaction that starts, ends or moves it
    # (permits.record.follow_stage), so the public list filters and orders without a join.
    current_stage: str | None = Field(default=None, sa_type=sa.String(32))
    current_department_id: int | None = Field(default=None, sa_type=sa.Integer)
    current_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Stage(SQLModel, table=True):
    """One stage of one application, created as the application reaches it."""

    __tablename__ = "permits_stage"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "position"),
        # the home page's stages that fell overdue, most recent first: open ones only
        sa.Index(
            "ix_permits_stage_open_overdue_at",
            "overdue_at",
            "id",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", index=True, ondelete="CASCADE"
    )
    position: int
    code: str = Field(sa_type=sa.String(32))
    department_id: int = Field(foreign_key="auth_organisation.id", index=True, ondelete="RESTRICT")
    officer_id: int | None = Field(
        default=None, foreign_key="auth_user.id", index=True, ondelete="SET NULL"
    )
    started_at: datetime = Field(sa_type=UTCDateTime)
    original_due_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    expected_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, sa_type=sa.String(32))
    paused_units: int = 0  # business days (or working hours) the clock was stopped
    extension_reason: str | None = Field(default=None, sa_type=sa.String(1000))
    extended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delay_reason: str | None = Field(default=None, sa_type=sa.String(1000))
    delay_reason_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Pause(SQLModel, table=True):
    """A stop of a stage's clock: a request for information until the applicant answers."""

    __tablename__ = "permits_pause"

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="permits_stage.id", index=True, ondelete="CASCADE")
    reason: str = Field(sa_type=sa.String(1000))
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    units: int | None = None
    # What the officer asked for (None: any of the type's documents, as before they named it).
    asks: str | None = Field(default=None, sa_type=sa.String(20))
    asked_for: str | None = Field(default=None, sa_type=sa.String(300))
    # The applicant's written answer: private, like the applicant's own data.
    answer: str | None = Field(default=None, sa_type=sa.Text)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Transition(SQLModel, table=True):
    """Every action taken on an application, with its note, as the public log records it."""

    __tablename__ = "permits_transition"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", index=True, ondelete="CASCADE"
    )
    stage_id: int | None = Field(default=None, foreign_key="permits_stage.id", ondelete="CASCADE")
    action: str = Field(sa_type=sa.String(32))
    note: str | None = Field(default=None, sa_type=sa.String(1000))
    actor_id: int | None = Field(default=None, foreign_key="auth_user.id", ondelete="SET NULL")
    effective_at: datetime = Field(sa_type=UTCDateTime)
    entered_at: datetime = Field(sa_type=UTCDateTime)
    late_entry: bool = False
    ledger_index: int | None = Field(default=None, sa_type=sa.BigInteger)


class Document(SQLModel, table=True):
    """An uploaded document; the file is stored by its SHA-256, never by its given name."""

    __tablename__ = "permits_document"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", index=True, ondelete="CASCADE"
    )
    requirement: str = Field(sa_type=sa.String(64))
    sha256: str = Field(sa_type=sa.String(64))
    content_type: str = Field(sa_type=sa.String(64))
    size_bytes: int
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
    # The name the applicant's file had, shown to them and to the officers who open it; the
    # file itself is stored by its hash.
    filename: str | None = Field(default=None, sa_type=sa.String(255))


class DataAccess(SQLModel, table=True):
    """An officer opened an applicant's personal data: who, when, why; the applicant sees it."""

    __tablename__ = "permits_data_access"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", index=True, ondelete="CASCADE"
    )
    officer_id: int = Field(foreign_key="auth_user.id", ondelete="RESTRICT")
    reason: str = Field(sa_type=sa.String(500))
    accessed_at: datetime = Field(sa_type=UTCDateTime)


class Subscription(SQLModel, table=True):
    """An email address that wants to hear of an application's public changes."""

    __tablename__ = "permits_subscription"
    __table_args__ = (sa.UniqueConstraint("application_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", index=True, ondelete="CASCADE"
    )
    email: str = Field(sa_type=sa.String(254))
    token: str = Field(sa_type=sa.String(64), unique=True)  # for the confirm and unsubscribe links
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Double opt-in: no change is e-mailed until the address confirms from the link sent to it.
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    """A message to send (email outbox) or show (an officer's or supervisor's inbox)."""

    __tablename__ = "permits_notification"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", index=True, ondelete="CASCADE"
    )
    user_id: int | None = Field(
        default=None, foreign_key="auth_user.id", index=True, ondelete="CASCADE"
    )
    email: str | None = Field(default=None, sa_type=sa.String(254))
    subject: str = Field(sa_type=sa.String(300))
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class Certificate(SQLModel, table=True):
    """The permit certificate issued at approval; its digest is in the transparency log."""

    __tablename__ = "permits_certificate"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(
        foreign_key="permits_application.id", unique=True, ondelete="CASCADE"
    )
    digest: str = Field(sa_type=sa.String(64), unique=True)
    facts: str = Field(sa_type=sa.Text)  # canonical JSON of what the certificate states
    issued_at: datetime = Field(sa_type=UTCDateTime)
    ledger_index: int = Field(sa_type=sa.BigInteger)
