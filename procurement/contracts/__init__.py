"""Contracts: signature, amendments, milestones and payments."""
