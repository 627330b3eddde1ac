"""Publishing: the log and outbox seam, OCDS releases, open data and PDFs."""
