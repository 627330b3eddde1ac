"""Reads behind the public site's profiles, rankings, red flags and charts.

The public site imports only `procurement.insights.queries` and `procurement.insights.schemas`
(its layout rule admits query and schema modules); the other modules here serve those two.
"""
