"""PDFs of procurement: the tender notice, the bid receipt, the opening report, the award notice.

Each renders from a template under procurement/pdf/ that extends core/pdf/document.html, from
the same public view the pages show, so a PDF never says more than the page may.
"""

from __future__ import annotations

from jinja2 import Environment

from core.errors import NotFound
from core.pdf import render_pdf
from procurement.bids.schemas import BidReceipt
from procurement.public.schemas import TenderView


def notice(env: Environment, tender: TenderView) -> bytes:
    """The tender notice: what is bought, when, how, and the sealing key."""
    return render_pdf(env, "procurement/pdf/notice.html", {"tender": tender})


def opening(env: Environment, tender: TenderView) -> bytes:
    """The bid opening report: every bidder, price, rank; only after the opening."""
    if tender.opening is None:
        raise NotFound(
            f"Tender {tender.id} has not been opened, so there is no opening report yet. "
            f"The sealed bids are opened at the opening time."
        )
    return render_pdf(env, "procurement/pdf/opening.html", {"tender": tender})


def award(env: Environment, tender: TenderView) -> bytes:
    """The award notice: winner, value, standstill, complaints and contract."""
    if not tender.awards:
        raise NotFound(f"Tender {tender.id} has no award decision yet.")
    return render_pdf(env, "procurement/pdf/award.html", {"tender": tender})


def receipt(env: Environment, receipt: BidReceipt) -> bytes:
    """A supplier's bid receipt: the commitment and its log entry, proof and checkpoint; the
    bid in clear and the salt only when the receipt carries them (the submission's own)."""
    return render_pdf(env, "procurement/pdf/receipt.html", {"receipt": receipt})
