"""Pure decisions of accounts: registration numbers, the password policy, who may invite whom."""

from __future__ import annotations

from zxcvbn import zxcvbn

from core.auth.models import ROLE_ORGANISATION, OrganisationKind, Role, User
from core.errors import PermissionDenied
from core.i18n import N_, Translatable, gettext, joined

# People register themselves only as these; every other role is given by an admin.
SELF_REGISTERED_ROLES = frozenset({Role.SUPPLIER, Role.APPLICANT})
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's score 0–4; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_PASSWORD_SCORE = 3
# zxcvbn's cost grows with the length; what it sees past this cannot lower the score.
_SCORED_PREFIX = 100
# What zxcvbn may say of a weak password (its own sentences, in English only), for the catalogue.
ZXCVBN_FEEDBACK = (
    N_("A word by itself is easy to guess."),
    N_("Add another word or two. Uncommon words are better."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Avoid dates and years that are associated with you."),
    N_("Avoid recent years."),
    N_("Avoid repeated words and characters."),
    N_("Avoid sequences."),
    N_("Avoid years that are associated with you."),
    N_("Capitalization doesn't help very much."),
    N_("Common names and surnames are easy to guess."),
    N_("Dates are often easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    N_("Recent years are easy to guess."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Reversed words aren't much harder to guess."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Short keyboard patterns are easy to guess."),
    N_("Straight rows of keys are easy to guess."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("Use a few words, avoid common phrases."),
    N_("Use a longer keyboard pattern with more turns."),
)


def juristic_number_problem(number: str) -> str | None:
    """Why a Thai juristic-person registration number is wrong, or None when it is right.

    13 digits; the last is the check digit: (11 − Σ dᵢ·(13 − i) mod 11) mod 10 over the
    first twelve digits dᵢ (i from 0), as the Department of Business Development issues them."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return Translatable(N_("must be 13 digits"))
    total = sum(int(d) * (13 - i) for i, d in enumerate(number[:12]))
    if (11 - total % 11) % 10 != int(number[12]):
        return Translatable(
            N_("has a wrong check digit: check the number on the company's certificate")
        )
    return None


def password_problem(password: str, *, user_inputs: list[str]) -> str | None:
    """Why a new password is refused, in words a person can act on, or None to accept it.

    Length first, then zxcvbn's estimate, which knows the most common passwords, keyboard
    patterns, dates and the person's own name and e-mail (`user_inputs`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Translatable(
            N_("The password must be at least %(length)s characters long."),
            length=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return Translatable(
            N_("The password must be at most %(length)s characters long."),
            length=MAX_PASSWORD_LENGTH,
        )
    verdict = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[u for u in user_inputs if u])
    if verdict["score"] >= MIN_PASSWORD_SCORE:
        return None
    feedback = verdict["feedback"]
    said = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    advice = [Translatable(sentence.strip()) for sentence in said if sentence.strip()]
    return Translatable(
        N_("This password is too easy to guess. %(advice)s"),
        advice=joined(" ", advice)
        if advice
        else Translatable(N_("Choose a longer, less common one.")),
    )


def membership_problem(
    *, role: Role, organisation_id: int | None, organisation_kind: OrganisationKind | None
) -> str | None:
    """Why a person of this role cannot belong to that organisation (or to none), or None."""
    wanted = ROLE_ORGANISATION[role]
    if wanted is not None and organisation_kind != wanted:
        return Translatable(
            N_("A %(role)s must belong to a %(kind)s: name an organisation of that kind."),
            role=role,
            kind=wanted,
        )
    if wanted is None and organisation_id is not None:
        return Translatable(
            N_("A %(role)s belongs to no organisation: leave the organisation out."), role=role
        )
    return None


def member_organisation_id(user: User) -> int:
    """The organisation of a buyer or a supplier: their role requires one (membership_problem)."""
    if user.organisation_id is None:
        raise PermissionDenied(
            gettext("Your account (%(role)s) belongs to no organisation.") % {"role": user.role}
        )
    return user.organisation_id


def inviter_problem(
    *,
    inviter_role: Role,
    inviter_is_lead: bool,
    inviter_organisation_id: int | None,
    role: Role,
    organisation_id: int | None,
) -> str | None:
    """Why this person may not invite someone into that organisation and role, or None.

    An admin invites anyone; an organisation's lead buyer or head officer invites colleagues
    into their own organisation, in their own role."""
    if inviter_role == Role.ADMIN:
        return None
    if not inviter_is_lead or inviter_role not in (Role.BUYER, Role.PERMIT_OFFICER):
        return Translatable(
            N_("Only an admin, or an organisation's lead buyer or head officer, may invite people.")
        )
    if organisation_id != inviter_organisation_id or role != inviter_role:
        return Translatable(
            N_("You may invite colleagues only into your own organisation, as %(role)s."),
            role=inviter_role,
        )
    return None
