"""The human label of every procurement code a page shows, in both languages."""

from __future__ import annotations

from core.i18n import N_

LABELS = {
    "status": {
        "draft": N_("Draft"),
        "active": N_("Open for bids"),
        "opened": N_("Bids opened"),
        "awarded": N_("Awarded"),
        "contracted": N_("Contracted"),
        "cancelled": N_("Cancelled"),
        "sealed": N_("Sealed"),
        "superseded": N_("Superseded"),
        "withdrawn": N_("Withdrawn"),
        "valid": N_("Valid"),
        "invalid": N_("Invalid"),
        "disqualified": N_("Disqualified"),
        "standstill": N_("Standstill period"),
        "final": N_("Final"),
        "signed": N_("Signed"),
        "scheduled": N_("Scheduled"),
        "met": N_("Met"),
        "notMet": N_("Not met"),
        "pending": N_("Pending"),
        "won": N_("Won"),
    },
    "category": {"goods": N_("Goods"), "works": N_("Works"), "services": N_("Services")},
    "method": {"open": N_("Open"), "selective": N_("Selective")},
    "criteria": {"lowest_price": N_("Lowest price"), "best_value": N_("Best value")},
    "field": {
        "title": N_("Title"),
        "description": N_("Description"),
        "eligibility": N_("Eligibility"),
        "estimated_value": N_("Estimated value"),
        "enquiry_end_at": N_("Questions close"),
        "tender_start_at": N_("Bids open from"),
        "tender_end_at": N_("Bids close"),
        "opening_at": N_("Public opening"),
    },
    "entry": {
        "procurement.tender.published": N_("Tender published"),
        "procurement.tender.amended": N_("Tender amended"),
        "procurement.tender.cancelled": N_("Tender cancelled"),
        "procurement.clarification.answered": N_("Question answered"),
        "procurement.bid.sealed": N_("Bid sealed"),
        "procurement.bid.withdrawn": N_("Bid withdrawn"),
        "procurement.bid.disqualified": N_("Bid disqualified"),
        "procurement.key.released": N_("Opening key released"),
        "procurement.bids.opened": N_("Bids opened"),
        "procurement.reserve.drawn": N_("Reserve price drawn"),
        "procurement.award.decided": N_("Award decided"),
        "procurement.award.final": N_("Award final"),
        "procurement.complaint.lodged": N_("Complaint lodged"),
        "procurement.complaint.answered": N_("Complaint answered"),
        "procurement.contract.signed": N_("Contract signed"),
        "procurement.contract.amended": N_("Contract amended"),
        "procurement.milestone.planned": N_("Milestone planned"),
        "procurement.milestone.completed": N_("Milestone completed"),
        "procurement.payment.made": N_("Payment made"),
    },
}
# Terms shown in sentence case in tables and facts: a tender's category, method, criteria.
LABELS["term"] = {
    **LABELS["category"],
    **LABELS["method"],
    **LABELS["criteria"],
    **LABELS["status"],
}
