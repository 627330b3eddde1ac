"""Bids: supplier registration, sealing, submission (online and offline) and opening."""
