"""Procurement's e-mails to suppliers, in both languages (core.i18n.bilingual): each function
gives a message's subject and body, every word of each half in that half's language (field
codes as their labels, an organisation by its Thai name where it has one)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.auth.models import Organisation
from core.formatting import format_when
from core.i18n import bilingual, current_locale, gettext
from core.labels import make_book
from core.settings import Settings
from procurement.labels import LABELS

WORDS = make_book(LABELS)


def name_of(organisation: Organisation) -> str:
    """An organisation's name in the language being written: its Thai name in Thai, if any."""
    if current_locale() == "th" and organisation.name_th:
        return organisation.name_th
    return organisation.name


def invited(
    settings: Settings,
    *,
    tender_id: int,
    title: str,
    buyer: Organisation,
    supplier: Organisation,
    deadline: datetime,
    questions: datetime,
    link: str,
) -> tuple[str, str]:
    """A supplier on a selective tender's invitation list may bid."""

    def render() -> tuple[str, str]:
        values = {"id": tender_id, "title": title}
        values.update(buyer=name_of(buyer), supplier=name_of(supplier))
        when = {
            "deadline": format_when(deadline, "datetime", zone=settings.zone),
            "questions": format_when(questions, "datetime", zone=settings.zone),
        }
        return gettext("You are invited to bid on tender %(id)s: %(title)s") % values, (
            gettext("%(buyer)s invites %(supplier)s to bid on a selective tender.") % values
            + f"\n\n{title}\n"
            + gettext("Bid deadline: %(deadline)s\nQuestions until: %(questions)s") % when
            + f"\n\n{link}"
        )

    return bilingual(settings.default_locale, render)


def cancelled(
    settings: Settings, *, tender_id: int, title: str, buyer: Organisation, reason: str, link: str
) -> tuple[str, str]:
    """A tender a supplier bid on is cancelled: by whom, and the reason it published (as the
    buyer wrote it)."""

    def render() -> tuple[str, str]:
        values = {"id": tender_id, "title": title, "buyer": name_of(buyer), "link": link}
        return gettext("Tender %(id)s was cancelled") % values, (
            gettext("%(buyer)s cancelled tender %(id)s, “%(title)s”, on which you bid.") % values
            + "\n\n"
            + gettext("The reason it published:")
            + f"\n\n{reason}\n\n{link}"
        )

    return bilingual(settings.default_locale, render)


def amended(
    settings: Settings, *, tender_id: int, rationale: str, fields: Iterable[str], link: str
) -> tuple[str, str]:
    """A tender a supplier bid on is amended: what changed (by the fields' labels), why (as
    the buyer wrote it), and that the bid may be sent again."""
    changed = list(fields)

    def render() -> tuple[str, str]:
        words = ", ".join(WORDS.label(name, "field") for name in changed)
        return gettext("Tender %(id)s was amended: you may resubmit your bid") % {
            "id": tender_id
        }, (
            gettext("Changed: %(fields)s") % {"fields": words}
            + "\n\n"
            + gettext("The reason it published:")
            + f"\n\n{rationale}\n\n{link}"
        )

    return bilingual(settings.default_locale, render)


def award_decided(
    settings: Settings,
    *,
    tender_id: int,
    lot: int | None,
    winner: Organisation,
    until: datetime,
    link: str,
) -> tuple[str, str]:
    """The award of a tender (or of one of its lots), told to its bidders, with the end of the
    standstill in which they may complain."""

    def render() -> tuple[str, str]:
        values = {"id": tender_id, "lot": lot, "winner": name_of(winner)}
        values["until"] = format_when(until, "datetime", zone=settings.zone)
        subject = gettext("Award decided on tender %(id)s, lot %(lot)s") if lot else None
        subject = subject or gettext("Award decided on tender %(id)s")
        said = gettext("Awarded to %(winner)s. Complaints may be lodged until %(until)s.")
        return subject % values, said % values + f"\n\n{link}"

    return bilingual(settings.default_locale, render)


def tender_link(settings: Settings, tender_id: int) -> str:
    """The tender's public page."""
    return f"{str(settings.public_base_url).rstrip('/')}/tenders/{tender_id}"
