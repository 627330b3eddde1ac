"""Tables of what procurement publishes: OCDS releases and the notification outbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class Release(SQLModel, table=True):
    """An OCDS release, as published: immutable once written."""

    __tablename__ = "procurement_release"

    id: int | None = Field(default=None, primary_key=True)
    release_id: str = Field(sa_type=sa.String(120), unique=True)
    ocid: str = Field(sa_type=sa.String(120), index=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    date: datetime = Field(sa_type=UTCDateTime)
    tags: str = Field(sa_type=sa.String(200))
    body: str = Field(sa_type=sa.Text)


class Notification(SQLModel, table=True):
    """The outbox: sent by SMTP when configured, otherwise written to the data folder."""

    __tablename__ = "procurement_notification"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="auth_organisation.id", index=True, ondelete="CASCADE")
    subject: str = Field(sa_type=sa.String(300))
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
