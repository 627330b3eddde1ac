"""PDFs of procurement: the tender notice, the bid receipt, the opening report, the award notice.

Each renders from a template under procurement/pdf/ that extends core/pdf/document.html, from
the same public view the pages show, so a PDF never says more than the page may. A document
names the log entry that recorded what it states: the notice's publication (or latest
amendment or cancellation), the opening, the award.
"""

from __future__ import annotations

from jinja2 import Environment

from core.errors import NotFound
from core.i18n import gettext
from core.pdf import render_pdf
from procurement.bids.schemas import BidReceipt
from procurement.public.schemas import TenderView

NOTICE_ENTRIES = (
    "procurement.tender.published",
    "procurement.tender.amended",
    "procurement.tender.cancelled",
)
OPENING_ENTRIES = ("procurement.bids.opened",)
AWARD_ENTRIES = ("procurement.award.decided", "procurement.award.final")


def log_index(tender: TenderView, entry_types: tuple[str, ...]) -> int | None:
    """The index of the tender's latest log entry of one of `entry_types`, if it has one."""
    found = [e.index for e in tender.log_entries if e.entry_type in entry_types]
    return max(found) if found else None


def notice(env: Environment, tender: TenderView) -> bytes:
    """The tender notice: what is bought, when, how, and the sealing key."""
    return render_pdf(
        env,
        "procurement/pdf/notice.html",
        {"tender": tender, "log_index": log_index(tender, NOTICE_ENTRIES)},
    )


def opening(env: Environment, tender: TenderView) -> bytes:
    """The bid opening report: every bidder, price, rank; only after the opening."""
    if tender.opening is None:
        raise NotFound(
            gettext(
                "Tender %(tender)s has not been opened, so there is no opening report yet. "
                "The sealed bids are opened at the opening time."
            )
            % {"tender": tender.id}
        )
    return render_pdf(
        env,
        "procurement/pdf/opening.html",
        {"tender": tender, "log_index": log_index(tender, OPENING_ENTRIES)},
    )


def award(env: Environment, tender: TenderView) -> bytes:
    """The award notice: winner, value, standstill, complaints and contract."""
    if not tender.awards:
        raise NotFound(
            gettext("Tender %(tender)s has no award decision yet.") % {"tender": tender.id}
        )
    return render_pdf(
        env,
        "procurement/pdf/award.html",
        {"tender": tender, "log_index": log_index(tender, AWARD_ENTRIES)},
    )


def receipt(env: Environment, receipt: BidReceipt) -> bytes:
    """A supplier's bid receipt: the commitment and its log entry, proof and checkpoint; the
    bid in clear and the salt only when the receipt carries them (the submission's own)."""
    return render_pdf(env, "procurement/pdf/receipt.html", {"receipt": receipt})
