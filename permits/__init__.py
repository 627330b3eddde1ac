"""Permit types and their stage workflows, applications, deadlines and live status."""
