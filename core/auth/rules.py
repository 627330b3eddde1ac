"""Pure decisions of accounts: registration numbers, the password policy, who may invite whom."""

from __future__ import annotations

from zxcvbn import zxcvbn

from core.auth.models import ROLE_ORGANISATION, OrganisationKind, Role, User
from core.errors import PermissionDenied

# People register themselves only as these; every other role is given by an admin.
SELF_REGISTERED_ROLES = frozenset({Role.SUPPLIER, Role.APPLICANT})
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's score 0–4; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_PASSWORD_SCORE = 3
# zxcvbn's cost grows with the length; what it sees past this cannot lower the score.
_SCORED_PREFIX = 100


def juristic_number_problem(number: str) -> str | None:
    """Why a Thai juristic-person registration number is wrong, or None when it is right.

    13 digits; the last is the check digit: (11 − Σ dᵢ·(13 − i) mod 11) mod 10 over the
    first twelve digits dᵢ (i from 0), as the Department of Business Development issues them."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return "must be 13 digits"
    total = sum(int(d) * (13 - i) for i, d in enumerate(number[:12]))
    if (11 - total % 11) % 10 != int(number[12]):
        return "has a wrong check digit: check the number on the company's certificate"
    return None


def password_problem(password: str, *, user_inputs: list[str]) -> str | None:
    """Why a new password is refused, in words a person can act on, or None to accept it.

    Length first, then zxcvbn's estimate, which knows the most common passwords, keyboard
    patterns, dates and the person's own name and e-mail (`user_inputs`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password must be at most {MAX_PASSWORD_LENGTH} characters long."
    verdict = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[u for u in user_inputs if u])
    if verdict["score"] >= MIN_PASSWORD_SCORE:
        return None
    feedback = verdict["feedback"]
    advice = " ".join([feedback.get("warning") or "", *feedback.get("suggestions", [])]).strip()
    return f"This password is too easy to guess. {advice or 'Choose a longer, less common one.'}"


def membership_problem(
    *, role: Role, organisation_id: int | None, organisation_kind: OrganisationKind | None
) -> str | None:
    """Why a person of this role cannot belong to that organisation (or to none), or None."""
    wanted = ROLE_ORGANISATION[role]
    if wanted is not None and organisation_kind != wanted:
        return f"A {role} must belong to a {wanted}: name an organisation of that kind."
    if wanted is None and organisation_id is not None:
        return f"A {role} belongs to no organisation: leave the organisation out."
    return None


def member_organisation_id(user: User) -> int:
    """The organisation of a buyer or a supplier: their role requires one (membership_problem)."""
    if user.organisation_id is None:
        raise PermissionDenied(f"Your account ({user.role}) belongs to no organisation.")
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
        return "Only an admin, or an organisation's lead buyer or head officer, may invite people."
    if organisation_id != inviter_organisation_id or role != inviter_role:
        return f"You may invite colleagues only into your own organisation, as {inviter_role}."
    return None
