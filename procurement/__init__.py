"""Tenders, clarifications, amendments, sealed bids, opening, awards, contracts and OCDS."""
