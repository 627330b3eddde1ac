"""Account e-mails whose wording would crowd the module that sends them, in both languages."""

from __future__ import annotations

from core.i18n import bilingual, gettext, ngettext
from core.labels import make_book
from core.settings import Settings

ROLE_WORDS = make_book()


def invitation(
    settings: Settings,
    *,
    name: str,
    inviter: str | None,
    role: str,
    organisation: str | None,
    link: str,
    days: int,
) -> tuple[str, str]:
    """The invitation's subject and body: who invites whom, as what, and the link."""

    def render() -> tuple[str, str]:
        values = {
            "name": name,
            "inviter": inviter or gettext("An administrator"),
            "role": ROLE_WORDS.label(role, "role"),  # a word in the language being written
            "organisation": organisation or "",
            "link": link,
            "days": days,
        }
        invites = (
            gettext("%(inviter)s invites you to Prongsai as %(role)s of %(organisation)s.")
            if organisation
            else gettext("%(inviter)s invites you to Prongsai as %(role)s.")
        )
        return gettext("You are invited to Prongsai"), (
            gettext("Hello %(name)s,") % values
            + "\n\n"
            + invites % values
            + " "
            + gettext("To choose your password, open\n\n%(link)s\n\n") % values
            + ngettext(
                "The link works once, within %(days)s day.",
                "The link works once, within %(days)s days.",
                days,
            )
            % values
        )

    return bilingual(settings.default_locale, render)
