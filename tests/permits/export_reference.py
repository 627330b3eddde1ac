"""The BLDS export as it was built before it streamed: every application loaded, its public
view built one by one (several queries each), the whole body in memory. Kept as the reference
the streamed downloads (permits/exports.py) must equal byte for byte."""

from __future__ import annotations

import io
import json
from datetime import datetime

from sqlmodel import Session, col, select

from core import spreadsheet
from core.settings import Settings
from permits import queries
from permits.exports import BLDS_COLUMNS
from permits.models import Application
from permits.rules import BLDS_STATUS


def export_rows(
    session: Session, *, settings: Settings, now: datetime, ids: list[int] | None = None
) -> list[dict]:
    """Every application in BLDS fields where they fit, with its stage history (or only
    those of `ids`: the full pass takes milliseconds an application)."""
    rows = []
    statement = select(Application).order_by(col(Application.id))
    if ids is not None:
        statement = statement.where(col(Application.id).in_(ids))
    for application in session.exec(statement):
        view = queries.public_view(session, application, settings=settings, now=now)
        issued = view.decided_at if view.status == "approved" else None
        rows.append(
            {
                "PermitNum": view.tracking_number,
                "Description": view.description,
                "AppliedDate": view.submitted_at.date().isoformat(),
                "IssuedDate": issued.date().isoformat() if issued else None,
                "CompletedDate": view.decided_at.date().isoformat() if view.decided_at else None,
                "StatusCurrent": BLDS_STATUS[view.status],
                "OriginalStatus": view.status,
                "StatusDate": application.updated_at.date().isoformat(),
                "PermitType": view.type_code,
                "PermitTypeDesc": view.type_name,
                "Link": view.link,
                "StageHistory": [
                    {
                        "stage": s.code,
                        "department": s.department,
                        "officer": s.officer,
                        "started_at": s.started_at,
                        "due_at": s.due_at,
                        "ended_at": s.ended_at,
                        "outcome": s.outcome,
                        "delay_days": s.delay_days,
                        "delay_reason": s.delay_reason,
                    }
                    for s in view.stages
                    if s.started_at
                ],
            }
        )
    return rows


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def json_body(rows: list[dict]) -> str:
    """The body GET /api/permits/export.json answered."""
    return json.dumps({"permits": rows}, default=_iso, ensure_ascii=False)


def csv_body(rows: list[dict]) -> str:
    """The body GET /api/permits/export.csv answered."""
    out = io.StringIO()
    writer = spreadsheet.dict_writer(out, BLDS_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                "StageHistory": json.dumps(row["StageHistory"], default=_iso, ensure_ascii=False),
            }
        )
    return out.getvalue()
