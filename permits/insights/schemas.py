"""Department performance and processing times, as the public site shows them: no person."""

from __future__ import annotations

from pydantic import BaseModel


class DepartmentRanking(BaseModel):
    rank: int
    slug: str
    name: str
    name_th: str | None = None
    completed: int  # stages ended (advanced, approved or rejected) in the period
    on_time: int
    on_time_share: float | None
    median_days: float | None  # business days a stage took, clock stops excluded
    backlog: int  # stages open now
    overdue: int  # of those, past their due date while the application is in progress


class DaysBucket(BaseModel):
    days: str  # "0–5", …, "61+"
    applications: int


class MonthMedian(BaseModel):
    month: str  # YYYY-MM of the decision
    decided: int
    median_days: float


class PermitCharts(BaseModel):
    processing_days: list[DaysBucket]
    processing_trend: list[MonthMedian]
