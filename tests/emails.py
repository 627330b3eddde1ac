"""What every e-mail must be: both languages, the deployment's default first (core.i18n.bilingual),
each half wholly in its own language and every placeholder filled."""

from __future__ import annotations

import re

from core.i18n import LANGUAGE_DIVIDERS

THAI = re.compile(r"[\u0e00-\u0e7f]")
# What a half may hold in the other script: links, addresses, numbers and names given as values.
NOT_WORDS = re.compile(r"https?://\S+|\S+@\S+|\b[A-Z]{2,}(?:-[0-9A-Z]+)+\b")
# Words that stay in Latin letters in a Thai sentence (the product's name, acronyms).
KEPT = {"Prongsai", "PDF", "API", "SHA", "JSON"}


def halves(subject: str, body: str, *, first: str = "en") -> dict[str, tuple[str, str]]:
    """The e-mail's (subject, body) in each language, after checking its bilingual shape."""
    second = "th" if first == "en" else "en"
    subjects = subject.split(" / ")
    assert len(subjects) == 2, f"a subject in two languages: {subject!r}"
    divider = f"\n\n{LANGUAGE_DIVIDERS[second]}\n\n"
    bodies = body.split(divider)
    assert len(bodies) == 2, f"a body in two languages, divided by {divider!r}: {body!r}"
    return {first: (subjects[0], bodies[0]), second: (subjects[1], bodies[1])}


def assert_bilingual(
    subject: str, body: str, *, first: str = "en", values: tuple[str, ...] = ()
) -> dict[str, tuple[str, str]]:
    """Both halves there, the Thai one in Thai (not the English repeated) and the English one
    in English; `values` are what the message quotes as given (names, titles, a reason)."""
    said = halves(subject, body, first=first)
    for part in (subject, body):
        assert not re.search(r"%\(\w+\)[sd]|%[sd]\b|\{\w*\}", part), f"a placeholder left: {part!r}"
    for language, (one_subject, one_body) in said.items():
        text = NOT_WORDS.sub(" ", f"{one_subject}\n{one_body}")
        for value in sorted(values, key=len, reverse=True):
            text = text.replace(value, " ")
        if language == "th":
            assert THAI.search(one_subject), f"the Thai subject is not Thai: {one_subject!r}"
            assert THAI.search(one_body), f"the Thai body is not Thai: {one_body!r}"
            english = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in KEPT]
            assert english == [], f"English in the Thai half: {english} in {text!r}"
        else:
            assert not THAI.search(text), f"Thai in the English half: {text!r}"
    assert said["en"] != said["th"]
    return said
