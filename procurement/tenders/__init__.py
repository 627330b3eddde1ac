"""Tenders: drafts, publication, documents, questions, amendments and cancellation."""
