"""A form's errors as its page shows them (the GOV.UK pattern): each message at its field, and
all of them in a summary titled "There is a problem" at the top, each linking to its field.

Views build a FormErrors from what went wrong (a pydantic ValidationError, a DomainError naming
its `field`) and render the form again with what was typed; core/templates/core/_forms.html
draws the summary, each field's message and its aria attributes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from core.errors import DomainError


@dataclass(frozen=True)
class FormErrors:
    """Messages by field name (the form control's `name`), and those about the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    general: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def from_validation(error: ValidationError, *, known: Iterable[str] | None = None) -> FormErrors:
    """A pydantic error: each field's first message at that field (`organisation.name` for a
    nested one); a field the form does not have, or none, about the whole form."""
    names = set(known) if known is not None else None
    fields: dict[str, str] = {}
    general: list[str] = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        message = message[:1].upper() + message[1:]
        if name and (names is None or name in names):
            fields.setdefault(name, message if message.endswith(".") else message + ".")
        else:
            general.append(f"{name}: {message}" if name else message)
    return FormErrors(fields=fields, general=tuple(general))


def from_domain(error: DomainError, *, known: Iterable[str] | None = None) -> FormErrors:
    """A domain error: at the field it names (`field=`), if the form has it; else for the form."""
    name = error.details.get("field")
    if isinstance(name, str) and (known is None or name in set(known)):
        return FormErrors(fields={name: error.message})
    return FormErrors(general=(error.message,))


def message(text: str, *, field_name: str | None = None) -> FormErrors:
    """One message, at a field or about the whole form."""
    if field_name:
        return FormErrors(fields={field_name: text})
    return FormErrors(general=(text,))
