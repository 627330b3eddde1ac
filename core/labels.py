"""Words, not codes: the human label of every code a page shows (a status, a log entry's type,
a permit stage, an amendment's field), in the reader's language.

Each domain lists its codes' labels (`procurement/labels.py`, `permits/labels.py`); the app
hands them to the templates, which write `{{ tender.status | human("status") }}`. A label is
either a catalogue message (translated when shown) or a pair of names a definition file gives
in both languages (a permit stage)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.i18n import N_, current_locale, gettext

# Codes every package shares: the log's own entries, and the search index's kinds.
CORE_LABELS: Mapping[str, Mapping[str, str]] = {
    "entry": {
        "core.organisation.registered": N_("Organisation registered"),
        "core.organisation.renamed": N_("Organisation renamed"),
        "core.organisation.deactivated": N_("Organisation deactivated"),
        "ledger.checkpoint.sign": N_("Checkpoint signed"),
    },
    "role": {
        "buyer": N_("buyer"),
        "supplier": N_("supplier"),
        "permit_officer": N_("permit officer"),
        "applicant": N_("applicant"),
        "auditor": N_("auditor"),
        "admin": N_("administrator"),
    },
    "kind": {
        "tender": N_("Tender"),
        "award": N_("Award"),
        "contract": N_("Contract"),
        "buyer": N_("Buyer"),
        "supplier": N_("Supplier"),
        "permit": N_("Permit"),
    },
}


@dataclass
class LabelBook:
    """Every code's label, by kind of code."""

    messages: dict[tuple[str, str], str] = field(default_factory=dict)
    names: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def add(self, labels: Mapping[str, Mapping[str, str]]) -> None:
        """Catalogue messages (marked with N_), translated when shown."""
        for kind, mapping in labels.items():
            for code, message in mapping.items():
                self.messages[(kind, code)] = message

    def add_names(self, kind: str, names: Iterable[tuple[str, str, str]]) -> None:
        """(code, English name, Thai name) triples, as definition files give them."""
        for code, name, name_th in names:
            self.names.setdefault((kind, code), (name, name_th))

    def label(self, value: object, kind: str = "status") -> str:
        """`value`'s label in the current language; an unknown code in words, never raw."""
        if value is None or value == "":
            return ""
        code = str(getattr(value, "value", value))
        if (kind, code) in self.messages:
            return gettext(self.messages[(kind, code)])
        if (kind, code) in self.names:
            name, name_th = self.names[(kind, code)]
            return name_th if current_locale() == "th" and name_th else name
        words = code.rsplit(".", 1)[-1].replace("_", " ")
        return words[:1].upper() + words[1:]


def make_book(*labels: Mapping[str, Mapping[str, str]]) -> LabelBook:
    """A label book holding core's labels and each domain's."""
    book = LabelBook()
    for mapping in (CORE_LABELS, *labels):
        book.add(mapping)
    return book
