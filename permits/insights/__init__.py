"""Reads behind the public site's department rankings and permit charts.

The public site imports only `permits.insights.queries` and `permits.insights.schemas`.
"""
