"""Invalid requests explained to a person: the problem in words, in the reader's language (the
field by its label: core/labels.py LabelBook.field; the summary: core/forms.py said). The JSON
API's `errors` list keeps pydantic's own field paths and messages, for programs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.i18n import N_

# pydantic's error types, as a reader would want to be told.
PROBLEMS = {
    "missing": N_("this is required"),
    "int_parsing": N_("enter a whole number, such as 2026"),
    "int_type": N_("enter a whole number, such as 2026"),
    "float_parsing": N_("enter a number, such as 1500000"),
    "decimal_parsing": N_("enter an amount, such as 1500000"),
    "bool_parsing": N_("choose yes or no"),
    "date_parsing": N_("enter a date, such as 2026-12-31"),
    "date_from_datetime_parsing": N_("enter a date, such as 2026-12-31"),
    "datetime_parsing": N_("enter a date and time, such as 2026-12-31 14:00"),
    "datetime_from_date_parsing": N_("enter a date and time, such as 2026-12-31 14:00"),
    "int_parsing_size": N_("this is too large"),
    "too_long": N_("this is too long"),
    "string_too_long": N_("this is too long"),
    "string_too_short": N_("this is too short"),
    "string_pattern_mismatch": N_("this is not in the expected form"),
    "greater_than": N_("this is too small"),
    "greater_than_equal": N_("this is too small"),
    "less_than": N_("this is too large"),
    "less_than_equal": N_("this is too large"),
    "literal_error": N_("choose one of the options offered"),
    "enum": N_("choose one of the options offered"),
}


def is_address(errors: Iterable[Mapping[str, Any]]) -> bool:
    """Does the problem lie in the page's address itself (/tenders/abc): nothing is there."""
    return any(error["loc"] and error["loc"][0] == "path" for error in errors)
