"""A form's errors as its page shows them (the GOV.UK pattern): each message at its field, and
all of them in a summary titled "There is a problem" at the top, each linking to its field.

Views build a FormErrors from what went wrong (a pydantic ValidationError, a DomainError naming
its `field`) and render the form again with what was typed; core/templates/core/_forms.html
draws the summary, each field's message and its aria attributes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from core.errors import DomainError, InvalidInput
from core.i18n import N_, Translatable, current_locale, gettext, localized
from core.labels import LabelBook, make_book
from core.problems import PROBLEMS, meant

T = TypeVar("T")


@dataclass(frozen=True)
class FormErrors:
    """Messages by field (the control's id, which is its name unless a page says otherwise),
    those about the whole form, and the fields' labels where the view knows them better than the
    template (a row of a table, a form repeated per record)."""

    fields: dict[str, str] = field(default_factory=dict)
    general: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def ordered(self, names: Iterable[str]) -> FormErrors:
        """The same problems with the fields in the form's order (`names`), as the summary lists
        them; a field not named keeps its place after those."""
        rank = {name: i for i, name in enumerate(names)}
        fields = sorted(self.fields.items(), key=lambda pair: rank.get(pair[0], len(rank)))
        return FormErrors(fields=dict(fields), general=self.general, labels=self.labels)

    def __or__(self, other: FormErrors) -> FormErrors:
        """Both forms' problems; a field's first message stands."""
        fields = dict(self.fields)
        for name, text in other.fields.items():
            fields.setdefault(name, text)
        return FormErrors(
            fields=fields,
            general=self.general + other.general,
            labels={**other.labels, **self.labels},
        )


def sentence(text: str) -> str:
    """A problem as a sentence in the reader's language: "The bid deadline must be…"."""
    if current_locale() == "th":  # Thai ends a sentence with no full stop
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# Problems whose limit the reader needs, with the limit pydantic gives in the error's ctx.
BOUNDED = {
    "string_too_short": N_("Enter at least %(min_length)s characters."),
    "string_too_long": N_("Enter at most %(max_length)s characters."),
    "greater_than": N_("Enter more than %(gt)s."),
    "greater_than_equal": N_("Enter %(ge)s or more."),
    "less_than": N_("Enter less than %(lt)s."),
    "less_than_equal": N_("Enter %(le)s or less."),
}


EMAIL_PROBLEM = N_("enter an email address in the correct form, such as name@example.com")


def problem_text(problem: Mapping[str, Any]) -> str:
    """One pydantic problem in words, in the reader's language (its own message when it has no
    better one: a rule's own sentence)."""
    bounded, limits = BOUNDED.get(problem["type"]), problem.get("ctx") or {}
    empty = problem["type"] == "string_too_short" and problem.get("input") == ""
    if empty or (problem["type"] == "string_too_short" and limits.get("min_length") == 1):
        return sentence(gettext(PROBLEMS["missing"]))  # an empty field: "at least 1 characters"
    if bounded:
        try:
            return gettext(bounded) % limits
        except (KeyError, TypeError):
            pass
    said = PROBLEMS.get(problem["type"])
    if str(problem.get("msg", "")).startswith("value is not a valid email address"):
        said = EMAIL_PROBLEM  # pydantic's EmailStr: the library's own reason is English only
    if said:
        return sentence(gettext(said))
    reason = (problem.get("ctx") or {}).get("error")
    if (
        isinstance(reason, ValueError)
        and reason.args
        and isinstance(reason.args[0], str)
        and reason.args[0]
    ):
        # A validator's own sentence, a catalogue message (N_ or Translatable): in words.
        text = reason.args[0]
        return sentence(localized(text) if isinstance(text, Translatable) else gettext(text))
    return sentence(str(problem["msg"]).removeprefix("Value error, "))


# The fields of core's own forms and requests; the app's book adds every domain's.
CORE_BOOK = make_book()


def said(problems: Iterable[Mapping[str, Any]], book: LabelBook | None = None) -> list[str]:
    """Each of a request's problems (pydantic's) as "Label: what to do" in the reader's
    language: the field by its label (LabelBook.field), never by its code or path."""
    lines = []
    for problem in meant(problems):  # of a union, the member the request meant
        label = (book or CORE_BOOK).field(problem.get("loc") or ())
        text = problem_text(problem).rstrip(".")
        if label:
            text = gettext("%(field)s: %(problem)s") % {"field": label, "problem": text}
        lines.append(text)
    return lines


def from_validation(
    error: ValidationError,
    *,
    known: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> FormErrors:
    """A pydantic error: each field's first message at that field (`organisation.name` for a
    nested one, or the control `names` gives for that path); a field the form does not have, or
    none, about the whole form, named by its label and never by its code."""
    allowed = set(known) if known is not None else None
    fields: dict[str, str] = {}
    general: list[str] = []
    for problem in meant(error.errors()):
        path = ".".join(str(part) for part in problem["loc"])
        name = (names or {}).get(path, path)
        text = problem_text(problem)
        if name and (allowed is None or name in allowed):
            fields.setdefault(name, text)
        elif labels and name in labels:
            general.append(f"{labels[name]}: {text}")
        else:
            general.append(text)
    return FormErrors(fields=fields, general=tuple(general), labels=dict(labels or {}))


class Invalid(InvalidInput):
    """Several problems of one form at once (a Checker's), raised through code that expects a
    domain error; from_domain gives them back field by field."""

    def __init__(self, errors: FormErrors, message: str | None = None) -> None:
        super().__init__(message or " ".join([*errors.general, *errors.fields.values()]))
        self.errors = errors


def from_domain(
    error: DomainError,
    *,
    known: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> FormErrors:
    """A domain error: at the field it names (`field=`), if the form has it; else for the form."""
    if isinstance(error, Invalid):
        return error.errors | FormErrors(labels=dict(labels or {}))
    name = error.details.get("field")
    if isinstance(name, str):
        name = (names or {}).get(name, name)
        if known is None or name in set(known):
            return FormErrors(fields={name: error.message}, labels=dict(labels or {}))
    return FormErrors(general=(error.message,), labels=dict(labels or {}))


def from_error(
    error: ValidationError | DomainError,
    *,
    known: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> FormErrors:
    """Either kind of refusal a use case gives a form, read by the reader above that fits it."""
    if isinstance(error, ValidationError):
        return from_validation(error, known=known, names=names)
    return from_domain(error, known=known, names=names)


def message(text: str, *, field_name: str | None = None) -> FormErrors:
    """One message, at a field or about the whole form."""
    if field_name:
        return FormErrors(fields={field_name: text})
    return FormErrors(general=(text,))


class Checker:
    """Reads a form field by field and keeps every problem, so the page names them all at once
    rather than the first: `checker.read("price", minor_units, text, field="price")`."""

    def __init__(self, labels: Mapping[str, str] | None = None) -> None:
        self.errors = FormErrors(labels=dict(labels or {}))

    def add(self, name: str | None, text: str) -> None:
        """A problem at a field (or, without one, about the whole form)."""
        self.errors = self.errors | message(text, field_name=name)

    def read(self, name: str, convert: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """convert(...)'s value, or None with its problem kept at `name`."""
        try:
            return convert(*args, **kwargs)
        except InvalidInput as error:
            field_name = error.details.get("field")
            self.add(field_name if isinstance(field_name, str) else name, error.message)
            return None
        except ValidationError as error:
            for problem in error.errors():
                self.add(name, problem_text(problem))
            return None
