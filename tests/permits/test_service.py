from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core.errors import InvalidInput, PermissionDenied
from core.ledger import service as ledger_service
from permits import casework, certificates, information, overdue, queries, service
from permits.exceptions import ApplicationNotFound, NotYourDepartment, TransitionNotAllowed
from permits.models import Notification, Stage
from permits.rules import Action
from tests.permits import factories


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def stages(session, application):
    return list(
        session.exec(
            select(Stage).where(Stage.application_id == application.id).order_by(Stage.position)
        )
    )


def test_an_application_runs_through_pause_overdue_extension_late_entry_and_approval(
    session, clock, settings, health_officer, health_supervisor
):
    app = factories.food_application(session, now=clock(), settings=settings)
    number = app.tracking_number
    assert number.startswith("FOD-2026-")
    assert app.status == "in_progress"
    # Thursday 26 Nov 10:00 Bangkok + 2 business days: due at the end of Monday 30 Nov.
    assert stages(session, app)[0].due_at == utc(2026, 11, 30, 17)

    service.claim(session, number=number, officer=health_officer, now=clock(), settings=settings)
    clock.set(utc(2026, 11, 30, 3))
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note="Documents complete",
    )
    inspection = stages(session, app)[1]
    service.claim(session, number=number, officer=health_officer, now=clock(), settings=settings)
    # 10 business days from Mon 30 Nov, skipping 5, 7 and 10 Dec and weekends: end of 16 Dec.
    assert inspection.due_at == utc(2026, 12, 16, 17)

    clock.set(utc(2026, 12, 1, 3))
    paused = service.act(
        session,
        number=number,
        action=Action.REQUEST_INFORMATION,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note="The floor plan does not show the grease trap",
    )
    assert paused.status == "paused"
    with pytest.raises(TransitionNotAllowed, match="Allowed: resume, reject, withdraw"):
        service.act(
            session,
            number=number,
            action=Action.ADVANCE,
            actor=health_officer,
            now=clock(),
            settings=settings,
        )

    clock.set(utc(2026, 12, 3, 3))
    applicant = casework.my_applications  # the applicant answers with a document
    owner = session.get(type(health_officer), app.applicant_id)
    assert applicant(session, applicant=owner)[0].tracking_number == number
    information.respond(
        session,
        number=number,
        applicant=owner,
        now=clock(),
        settings=settings,
        files=[factories.Upload("floor_plan", "plan-v2.pdf", factories.PDF)],
    )
    session.refresh(inspection)
    # Two business days paused (2 and 3 Dec) push the due date to the end of 18 Dec.
    assert inspection.paused_units == 2
    assert inspection.due_at == inspection.original_due_at == utc(2026, 12, 18, 17)

    assert overdue.mark_overdue(session, now=utc(2026, 12, 18, 16, 59, 59), settings=settings) == 0
    assert overdue.mark_overdue(session, now=utc(2026, 12, 18, 17), settings=settings) == 1
    inbox = session.exec(select(Notification).where(Notification.user_id.is_not(None))).all()
    assert {n.user_id for n in inbox} == {health_officer.id, health_supervisor.id}

    clock.set(utc(2026, 12, 19, 3))
    service.explain_delay(
        session,
        number=number,
        officer=health_officer,
        now=clock(),
        settings=settings,
        reason="Inspector on sick leave",
    )
    service.act(
        session,
        number=number,
        action=Action.EXTEND,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note="Second inspection needed",
        expected_date=date(2026, 12, 23),
    )
    session.refresh(inspection)
    assert inspection.due_at == utc(2026, 12, 23, 17)
    with pytest.raises(TransitionNotAllowed):
        service.act(
            session,
            number=number,
            action=Action.EXTEND,
            actor=health_officer,
            now=clock(),
            settings=settings,
            note="again",
            expected_date=date(2026, 12, 30),
        )

    # Entered on 28 Dec, effective 22 Dec: more than 3 days late, so flagged publicly.
    clock.set(utc(2026, 12, 28, 3))
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=settings,
        effective_at=utc(2026, 12, 22, 3),
    )
    decision = stages(session, app)[2]
    # 5 business days from Tue 22 Dec: 23, 24, 25, 28, 29 Dec.
    assert decision.started_at == utc(2026, 12, 22, 3)
    assert decision.due_at == utc(2026, 12, 29, 17)
    approved = service.act(
        session,
        number=number,
        action=Action.APPROVE,
        actor=health_officer,
        now=clock(),
        settings=settings,
    )
    assert approved.status == "approved"

    public = queries.permit(session, number=number, settings=settings, now=clock())
    assert [s.outcome for s in public.stages] == ["advanced", "advanced", "approved"]
    assert public.stages[1].pauses[0].reason.startswith("The floor plan")
    assert public.stages[1].pauses[0].days == 2
    assert public.stages[1].delay_reason == "Inspector on sick leave"
    assert public.stages[1].extension_reason == "Second inspection needed"
    assert public.late_entries == 1
    assert public.status_blds == "Permit Issued"
    digest = public.certificate_url.rsplit("/", 1)[1]
    check = certificates.verify(session, digest=digest)
    assert check.genuine
    assert check.facts["tracking_number"] == number
    logged = ledger_service.entries_about(session, subject=number)
    assert [e.entry_type for e in logged][:3] == [
        "permits.application.received",
        "permits.stage.assigned",
        "permits.stage.advanced",
    ]
    assert "permits.certificate.issued" in {e.entry_type for e in logged}


def test_overdue_job_skips_paused_stages(session, clock, settings, health_officer):
    app = factories.food_application(session, now=clock(), settings=settings)
    service.act(
        session,
        number=app.tracking_number,
        action=Action.REQUEST_INFORMATION,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note="Missing page",
    )
    assert overdue.mark_overdue(session, now=clock() + timedelta(days=30), settings=settings) == 0


def test_a_transition_not_allowed_answers_with_the_allowed_ones(
    session, clock, settings, health_officer
):
    app = factories.food_application(session, now=clock(), settings=settings)
    with pytest.raises(TransitionNotAllowed) as error:
        service.act(
            session,
            number=app.tracking_number,
            action=Action.APPROVE,
            actor=health_officer,
            now=clock(),
            settings=settings,
        )
    assert error.value.allowed == ["advance", "request_information", "reject", "withdraw"]


def test_reject_needs_a_note_and_ends_the_application(session, clock, settings, health_officer):
    app = factories.food_application(session, now=clock(), settings=settings)
    with pytest.raises(InvalidInput, match="note is required"):
        service.act(
            session,
            number=app.tracking_number,
            action=Action.REJECT,
            actor=health_officer,
            now=clock(),
            settings=settings,
            note="  ",
        )
    rejected = service.act(
        session,
        number=app.tracking_number,
        action=Action.REJECT,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note="Premises are not a food shop",
    )
    assert rejected.status == "rejected"
    assert rejected.decided_at == clock()


def test_only_the_applicant_withdraws_and_only_their_own(session, clock, settings, health_officer):
    app = factories.food_application(session, now=clock(), settings=settings)
    stranger = factories.applicant(session, now=clock())
    with pytest.raises(PermissionDenied):
        service.act(
            session,
            number=app.tracking_number,
            action=Action.WITHDRAW,
            actor=stranger,
            now=clock(),
            settings=settings,
        )
    with pytest.raises(PermissionDenied):
        service.act(
            session,
            number=app.tracking_number,
            action=Action.WITHDRAW,
            actor=health_officer,
            now=clock(),
            settings=settings,
        )
    owner = session.get(type(stranger), app.applicant_id)
    done = service.act(
        session,
        number=app.tracking_number,
        action=Action.WITHDRAW,
        actor=owner,
        now=clock(),
        settings=settings,
        note="I moved abroad",
    )
    assert done.status == "withdrawn"
    public = queries.permit(session, number=app.tracking_number, settings=settings, now=clock())
    assert "moved abroad" not in public.model_dump_json()


def test_an_officer_of_another_department_is_refused(session, clock, settings, works_officer):
    app = factories.food_application(session, now=clock(), settings=settings)
    with pytest.raises(NotYourDepartment):
        service.act(
            session,
            number=app.tracking_number,
            action=Action.ADVANCE,
            actor=works_officer,
            now=clock(),
            settings=settings,
        )
    with pytest.raises(NotYourDepartment):
        service.claim(
            session,
            number=app.tracking_number,
            officer=works_officer,
            now=clock(),
            settings=settings,
        )


@pytest.mark.usefixtures("setup")
def test_unknown_and_mistyped_tracking_numbers(session, clock, settings):
    app = factories.food_application(session, now=clock(), settings=settings)
    number = app.tracking_number
    typo = number[:-1] + ("A" if number[-1] != "A" else "B")
    with pytest.raises(ApplicationNotFound, match="check character"):
        service.get_application(session, number=typo)
    from permits.rules import tracking_number

    with pytest.raises(ApplicationNotFound, match="There is no application"):
        service.get_application(session, number=tracking_number("FOD", 2026, 999_999))


@pytest.mark.usefixtures("setup")
def test_a_new_type_version_leaves_applications_in_progress_on_theirs(session, clock, settings):
    from pathlib import Path

    from permits import catalogue

    app = factories.food_application(session, now=clock(), settings=settings)
    text = (Path(catalogue.DEFINITIONS) / "food.toml").read_text()
    changed = text.replace("version = 1", "version = 2").replace("duration = 10", "duration = 3")
    with pytest.raises(InvalidInput, match="new version"):
        catalogue.load_type(
            session, text=text.replace("duration = 10", "duration = 3"), now=clock()
        )
    assert catalogue.load_type(session, text=changed, now=clock())
    public = queries.permit(session, number=app.tracking_number, settings=settings, now=clock())
    assert public.type_version == 1
    assert public.stages[1].duration == 10
    newer = factories.food_application(session, now=clock(), settings=settings)
    view = queries.permit(session, number=newer.tracking_number, settings=settings, now=clock())
    assert view.type_version == 2
    assert view.stages[1].duration == 3


@pytest.mark.usefixtures("setup")
def test_a_stage_that_fails_to_be_marked_overdue_stops_no_other(
    session, clock, settings, monkeypatch, caplog
):
    first = factories.food_application(session, now=clock(), settings=settings)
    second = factories.food_application(
        session, now=clock() + timedelta(minutes=1), settings=settings
    )
    real_record = overdue.record

    def record_or_fail(session, application, stage, **kwargs):
        if application.id == first.id:
            raise RuntimeError("the log's lock timed out")
        return real_record(session, application, stage, **kwargs)

    monkeypatch.setattr(overdue, "record", record_or_fail)
    later = clock() + timedelta(days=60)
    assert overdue.mark_overdue(session, now=later, settings=settings) == 1
    assert "could not be marked overdue" in caplog.text
    session.expire_all()
    assert stages(session, first)[0].overdue_at is None
    assert stages(session, second)[0].overdue_at is not None
    monkeypatch.setattr(overdue, "record", real_record)
    assert overdue.mark_overdue(session, now=later, settings=settings) == 1  # the next run
    assert overdue.mark_overdue(session, now=later, settings=settings) == 0
