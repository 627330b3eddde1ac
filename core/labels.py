"""Words, not codes: the human label of every code a page shows (a status, a log entry's type,
a permit stage, an amendment's field), in the reader's language.

Each domain lists its codes' labels (`procurement/labels.py`, `permits/labels.py`); the app
hands them to the templates, which write `{{ tender.status | human("status") }}`. A label is
either a catalogue message (translated when shown) or a pair of names a definition file gives
in both languages (a permit stage)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.i18n import N_, current_locale, gettext
from core.problems import is_branch

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
    # Fields of forms and requests by code, as a summary of problems names them (LabelBook.field).
    # A domain adds its own (procurement/labels.py, permits/labels.py).
    "field": {
        "role": N_("Role"),
        "email": N_("Email"),
        "name": N_("Name"),
        "name_th": N_("Name in Thai"),
        "password": N_("Password"),
        "current_password": N_("Current password"),
        "new_password": N_("New password"),
        "token": N_("Link code"),
        "token_id": N_("Token number"),
        "expires_in_days": N_("Days until it expires"),
        "organisation": N_("Organisation"),
        "organisation.name": N_("Legal name"),
        "organisation.name_th": N_("Legal name in Thai (optional)"),
        "organisation.registration_number": N_("Juristic-person registration number (13 digits)"),
        "address": N_("Address"),
        "contact_name": N_("Contact name"),
        "contact_email": N_("Contact email"),
        "contact_phone": N_("Contact phone"),
        "registration_id": N_("Registration id"),
        "kind": N_("Kind"),
        "lead": N_("Lead of the organisation"),
        "reason": N_("Reason"),
        "slug": N_("Short name in addresses (a-z, 0-9 and -)"),
        "user_id": N_("Account number"),
        "code": N_("Code"),
        "number": N_("Number"),
        "next": N_("Page to return to"),
        "to": N_("Language"),
        "done": N_("Notice"),
        "problem": N_("Notice"),
        "saved": N_("Notice"),
        "year": N_("Year"),
        "page": N_("Page"),
        "per_page": N_("Rows per page"),
        "status": N_("Status"),
        "format": N_("Format"),
        "table": N_("Table"),
        "type": N_("Permit type"),
        "buyer": N_("Buyer"),
        "department": N_("Department"),
        "q": N_("Words to find"),
        "start": N_("First entry"),
        "end": N_("Last entry"),
        "first": N_("First tree size"),
        "second": N_("Second tree size"),
        "tree_size": N_("Tree size"),
        "index": N_("Log index"),
        "before": N_("Show entries before"),
        "after": N_("Show entries after"),
        "after_index": N_("Show entries after"),
        "since": N_("Changed since"),
        "limit": N_("How many"),
        "cursor": N_("Where the list goes on"),
        "idempotency-key": N_("Idempotency key"),
        "idempotency_key": N_("Idempotency key"),
        "receipt": N_("Receipt file (JSON)"),
        "digest": N_("Digest"),
    },
    "organisation_kind": {
        "buying_entity": N_("buying entity"),
        "department": N_("government department"),
        "supplier": N_("supplier company"),
    },
    "organisation_status": {
        "active": N_("Active"),
        "pending": N_("Waiting for a check"),
        "rejected": N_("Not approved"),
        "deactivated": N_("Deactivated"),
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


# Where in a request pydantic says a problem lies, before the field's own path.
WHERE = frozenset({"body", "query", "path", "header", "cookie", "form"})


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
        words = code.rsplit(".", 1)[-1].replace("_", " ").replace("-", " ")
        return words[:1].upper() + words[1:]

    def field(self, loc: Sequence[str | int]) -> str:
        """A field as a summary of problems names it, by its label in the current language:
        `loc` is pydantic's (`("body", "organisation", "name")`, `("query", "page")`,
        `("items", 0, "unit")`; a union's member, `BidIn`, is passed over). The longest known
        path wins (`organisation.name` before `name`); a row of a list says which (`Items,
        row 1: Unit`); an unknown code is written as words. Empty for a problem with the whole
        request (its body is not JSON)."""
        parts = [part for part in loc if part not in WHERE and not is_branch(part)]
        names = [str(part) for part in parts if not isinstance(part, int)]
        if not names:
            return ""
        label = next(
            (
                self.label(".".join(names[start:]), "field")
                for start in range(len(names))
                if ("field", ".".join(names[start:])) in self.messages
            ),
            self.label(names[-1], "field"),
        )
        rows = [(i, part) for i, part in enumerate(parts) if i and isinstance(part, int)]
        if not rows:
            return label
        at, row = rows[-1]  # the row of a list: "Items, row 2: Unit", or the row itself
        values = {"list": self.field(parts[:at]), "row": row + 1, "field": label}
        if at == len(parts) - 1:
            return gettext("%(list)s, row %(row)s") % values
        return gettext("%(list)s, row %(row)s: %(field)s") % values


def make_book(*labels: Mapping[str, Mapping[str, str]]) -> LabelBook:
    """A label book holding core's labels and each domain's."""
    book = LabelBook()
    for mapping in (CORE_LABELS, *labels):
        book.add(mapping)
    return book
