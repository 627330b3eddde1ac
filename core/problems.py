"""Invalid requests explained to a person: the problem in words, in the reader's language (the
field by its label: core/labels.py LabelBook.field; the summary: core/forms.py said). The JSON
API's `errors` list keeps pydantic's own field paths and messages, for programs."""

from __future__ import annotations

import re
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
    "bool_type": N_("choose yes or no"),
    "string_type": N_("enter text"),
    "list_type": N_("give a list"),
    "dict_type": N_("give a JSON object of its fields, by name"),
    "model_type": N_("give a JSON object of its fields, by name"),
    "model_attributes_type": N_("give a JSON object of its fields, by name"),
    "json_invalid": N_("the request is not valid JSON"),
}


def is_address(errors: Iterable[Mapping[str, Any]]) -> bool:
    """Does the problem lie in the page's address itself (/tenders/abc): nothing is there."""
    return any(error["loc"] and error["loc"][0] == "path" for error in errors)


# A union's member in pydantic's path: a model's class name (`BidIn`) or a type's tag
# (`list[int]`, `function-after[...]`); a field is named in snake_case.
_BRANCH = re.compile(r"^[A-Z][A-Za-z0-9]*$|\[")


def is_branch(part: object) -> bool:
    """Is this part of a problem's path a union's member rather than a field?"""
    return isinstance(part, str) and bool(_BRANCH.search(part))


def meant(problems: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The problems of the member of each union that the request meant: pydantic reports every
    member's (a plain bid refused is also a sealed bid without its commitment). The member
    meant is the one the request left the fewest required fields of (the first on a tie): a
    body without `ciphertext_base64` is a plain bid."""
    problems = list(problems)
    missing: dict[tuple[Any, ...], dict[str, int]] = {}
    for problem in problems:
        loc = tuple(problem.get("loc") or ())
        for at, part in enumerate(loc):
            if is_branch(part):
                counts = missing.setdefault(loc[:at], {})
                counts[part] = counts.get(part, 0) + (problem.get("type") == "missing")
    chosen = {
        where: min(counts, key=lambda branch: counts[branch])  # dicts keep the first on a tie
        for where, counts in missing.items()
    }
    return [
        problem
        for problem in problems
        if all(
            chosen.get(tuple(problem["loc"][:at]), part) == part
            for at, part in enumerate(problem.get("loc") or ())
            if is_branch(part)
        )
    ]
