"""Accounts, roles, password hashing, web sessions and API tokens."""
