"""Request and response models of permits (never tables), and the permit-type file format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.types import Input
from permits.rules import Action, Asks, Unit

FieldKind = Literal["text", "textarea", "number", "date", "email", "phone", "choice"]
DocumentKind = Literal["pdf", "png", "jpeg"]


# ---------------------------------------------------------------- permit-type definitions
class FormField(BaseModel):
    """One typed field of an application form; personal unless declared public."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str
    label_th: str
    kind: FieldKind = "text"
    required: bool = True
    public: bool = False  # may appear in the public description (never personal data)
    choices: tuple[str, ...] = ()
    max_length: int = Field(default=200, ge=1, le=5000)


class DocumentRequirement(BaseModel):
    """A document the applicant uploads, with the file kinds accepted (checked by content)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str
    label_th: str
    accept: tuple[DocumentKind, ...] = ("pdf",)
    required: bool = True


class StageDefinition(BaseModel):
    """One stage of a workflow: who handles it, for how long, and what may happen from it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str
    name_th: str
    department: str  # an organisation slug
    duration: int = Field(ge=1, le=365)
    unit: Unit = Unit.BUSINESS_DAYS
    transitions: tuple[Action, ...]


class TypeDefinition(BaseModel):
    """A permit type as its versioned definition file declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z]{2,8}$")
    version: int = Field(ge=1)
    name: str
    name_th: str
    fields: tuple[FormField, ...]
    documents: tuple[DocumentRequirement, ...] = ()
    stages: tuple[StageDefinition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> TypeDefinition:
        for label, names in (
            ("field", [f.name for f in self.fields]),
            ("document", [d.code for d in self.documents]),
            ("stage", [s.code for s in self.stages]),
        ):
            if len(set(names)) != len(names):
                raise ValueError(f"two {label}s share a name in {self.code}")
        last = self.stages[-1]
        if Action.APPROVE not in last.transitions:
            raise ValueError(f"the last stage of {self.code} ({last.code}) must allow approve")
        for stage in self.stages[:-1]:
            if Action.ADVANCE not in stage.transitions:
                raise ValueError(f"stage {stage.code} of {self.code} must allow advance")
        for field in self.fields:
            if field.kind == "choice" and not field.choices:
                raise ValueError(f"choice field {field.name} of {self.code} lists no choices")
        return self

    def stage(self, position: int) -> StageDefinition:
        """The stage at a position (0-based)."""
        return self.stages[position]


# ---------------------------------------------------------------- public responses
class PausePublic(BaseModel):
    started_at: datetime
    ended_at: datetime | None
    reason: str
    days: int | None = Field(description="business days (or working hours) the clock stopped")
    asks: Asks | None = Field(default=None, description="a named document, or a written answer")
    asked_for: str | None = Field(default=None, description="the document's name, or the question")


class TransitionPublic(BaseModel):
    action: str
    stage: str | None
    note: str | None
    effective_at: datetime
    entered_at: datetime
    late_entry: bool
    ledger_index: int | None


class StagePublic(BaseModel):
    position: int
    code: str
    name: str
    name_th: str
    department: str
    department_name: str
    department_name_th: str | None = None
    unit: Unit
    duration: int
    officer: str | None
    supervisor: str | None
    started_at: datetime | None
    due_at: datetime | None
    due_date: date | None
    original_due_at: datetime | None
    expected_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    paused: bool
    pauses: list[PausePublic]
    extension_reason: str | None
    overdue: bool
    delay_days: int
    delay_reason: str | None


class PermitPublic(BaseModel):
    """An application as anyone may see it: no personal data of the applicant."""

    tracking_number: str
    type_code: str
    type_name: str
    type_name_th: str
    type_version: int
    description: str
    description_th: str | None = Field(
        default=None, description="the description with the type's and fields' Thai names"
    )
    status: str
    status_blds: str
    submitted_at: datetime
    decided_at: datetime | None
    decision: str | None
    current_stage: str | None
    department: str | None  # the current stage's department, by its (English) name
    department_name_th: str | None = None
    department_slug: str | None = None
    officer: str | None
    supervisor: str | None
    overdue: bool
    late_entries: int
    stages: list[StagePublic]
    transitions: list[TransitionPublic]
    certificate_url: str | None
    link: str


class PermitSummary(BaseModel):
    tracking_number: str
    type_code: str
    description: str
    description_th: str | None = None
    status: str
    current_stage: str | None
    department: str | None
    due_at: datetime | None
    overdue: bool
    submitted_at: datetime
    link: str


class PermitPage(BaseModel):
    items: list[PermitSummary]
    page: int | None = Field(description="the page number asked for; null when paged by cursor")
    per_page: int
    total: int = Field(description="how many match, or 10,000 when total_exact is false")
    total_exact: bool = Field(
        default=True, description="false when the count stopped at 10,000: there are more"
    )
    order: str = Field(
        default="s",
        description="s: newest first; d: longest overdue first (overdue=true); "
        "u: oldest change first (since=)",
    )
    next: str | None = Field(description="the query of the next page: its `after` cursor")


class StatisticsRow(BaseModel):
    type_code: str
    department: str
    completed: int
    median_days: float | None
    p90_days: float | None
    on_time_share: float | None
    backlog: int
    overdue: int
    late_entries: int


class TransitionRequest(Input):
    """An officer's (or applicant's) action on an application, through the JSON API."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    note: str | None = Field(default=None, max_length=1000)
    effective_at: datetime | None = None
    expected_date: date | None = None
    # A request for information names what it asks for: a document or a written answer.
    asks: Asks | None = None
    asked_for: str | None = Field(default=None, max_length=300)


class ClosureIn(Input):
    closure_date: date
    reason: str = Field(min_length=3, max_length=200)


class ClosurePublic(BaseModel):
    closure_date: date
    reason: str


class QueueRow(BaseModel):
    """One running stage on a department's work queue."""

    tracking_number: str
    description: str
    description_th: str | None = None
    status: str
    stage_code: str
    due_at: datetime
    overdue: bool
    officer: str
    reason_needed: bool


class InboxMessage(BaseModel):
    """A message on an officer's queue page."""

    created_at: datetime
    subject: str


class PageOf(BaseModel):
    """Where a page of a listing stands: its number, its size and the listing's total."""

    number: int = 1
    per_page: int = 25
    total: int = 0

    @property
    def pages(self) -> int:
        """How many pages the listing has (one, when it is empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first row, from 1."""
        return min(self.total, (self.number - 1) * self.per_page + 1)

    @property
    def last(self) -> int:
        """The position of the page's last row."""
        return min(self.total, self.number * self.per_page)


class OfficerQueue(BaseModel):
    """What an officer sees first: a page of the department's running stages (the ones due
    first on the first page) and their own messages."""

    rows: list[QueueRow]
    inbox: list[InboxMessage]
    page: PageOf = PageOf()


class MyApplications(BaseModel):
    """A page of an applicant's own applications, and those waiting for their answer."""

    applications: list[PermitSummary]
    waiting: list[str]
    page: PageOf


class Colleague(BaseModel):
    """An officer of the same department, to hand a stage to."""

    id: int
    display_name: str


class AnswerPrivate(BaseModel):
    """The applicant's written answer to a request for information: for the applicant and the
    department's officers, never public."""

    asked_for: str | None
    answer: str
    answered_at: datetime


class WorkPage(BaseModel):
    """An application on an officer's desk."""

    permit: PermitPublic
    stage_code: str | None
    mine: bool
    allowed: list[Action]
    colleagues: list[Colleague]
    personal: dict | None
    definition: TypeDefinition
    overdue: bool
    documents: list[DocumentPublic] = []
    answers: list[AnswerPrivate] = []


class DocumentFile(BaseModel):
    """Where a document's bytes are, and how to hand them over."""

    path: str
    content_type: str
    download_name: str


class OpenDocument(Input):
    reason: str = Field(min_length=5, max_length=400)


class DocumentPublic(BaseModel):
    """A document of an application, shown to its applicant and the officers handling it."""

    id: int
    filename: str | None = None
    requirement: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class AccessPublic(BaseModel):
    """An officer's opening of an applicant's data, as the applicant sees it."""

    accessed_at: datetime
    officer: str | None
    reason: str


class MyApplication(BaseModel):
    """The applicant's own application in full."""

    permit: PermitPublic
    values: dict[str, object]
    definition: TypeDefinition
    documents: list[DocumentPublic]
    accesses: list[AccessPublic]
    answers: list[AnswerPrivate] = []


class TypeVersion(BaseModel):
    """A version of a permit type, as loaded from its definition file."""

    code: str
    version: int
    name: str
    name_th: str
    source_sha256: str
    loaded_at: datetime
    in_force: bool


class Holiday(BaseModel):
    holiday_date: date
    name: str


class PermitsSetup(BaseModel):
    """What decides permit clocks, as an admin reviews it."""

    types: list[TypeVersion]
    closures: list[ClosurePublic]
    holidays: list[Holiday]
    country: str
