from datetime import timedelta

import pytest

from core.auth import service
from core.auth.models import OrganisationKind, Role, TokenKind
from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from tests import factories


def test_password_is_stored_as_argon2id_never_in_clear(session, clock):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_authenticate_accepts_the_right_password_case_insensitive_email(session, clock):
    user = factories.user(session, role=Role.AUDITOR, now=clock())
    found = service.authenticate(session, email=user.email.upper(), password=factories.PASSWORD)
    assert found.id == user.id


@pytest.mark.parametrize("password", ["wrong password", "", factories.PASSWORD.upper()])
def test_wrong_password_is_refused_with_the_same_message(session, clock, password):
    user = factories.user(session, role=Role.AUDITOR, now=clock())
    with pytest.raises(NotAuthenticated, match="Wrong email or password"):
        service.authenticate(session, email=user.email, password=password)
    with pytest.raises(NotAuthenticated, match="Wrong email or password"):
        service.authenticate(session, email="nobody@test.example", password=password)


def test_a_buyer_must_belong_to_a_buying_entity(session, clock):
    supplier = factories.organisation(session, kind=OrganisationKind.SUPPLIER, now=clock())
    with pytest.raises(InvalidInput, match="buying_entity"):
        service.create_user(
            session,
            email="b@test.example",
            display_name="B",
            role=Role.BUYER,
            password=factories.PASSWORD,
            organisation_slug=supplier.slug,
            now=clock(),
        )
    with pytest.raises(InvalidInput, match="needs an organisation"):
        service.create_user(
            session,
            email="b@test.example",
            display_name="B",
            role=Role.BUYER,
            password=factories.PASSWORD,
            now=clock(),
        )
    with pytest.raises(NotFound, match="no-such-org"):
        service.create_user(
            session,
            email="b@test.example",
            display_name="B",
            role=Role.BUYER,
            password=factories.PASSWORD,
            organisation_slug="no-such-org",
            now=clock(),
        )
    assert service.get_user_by_email(session, email="b@test.example") is None


def test_duplicate_email_and_short_password_are_refused(session, clock):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    with pytest.raises(Conflict):
        service.create_user(
            session,
            email=user.email,
            display_name="X",
            role=Role.APPLICANT,
            password=factories.PASSWORD,
            now=clock(),
        )
    with pytest.raises(InvalidInput, match="at least 10"):
        service.create_user(
            session,
            email="short@test.example",
            display_name="X",
            role=Role.APPLICANT,
            password="short",
            now=clock(),
        )


def test_token_is_stored_hashed_and_expires_at_its_exact_end(session, clock):
    user = factories.user(session, role=Role.SUPPLIER, now=clock())
    raw, token = service.issue_token(
        session, user=user, kind=TokenKind.API, now=clock(), lifetime=timedelta(hours=1)
    )
    assert raw not in token.token_hash
    assert token.token_hash == service.hash_token(raw)
    one_second_before = clock() + timedelta(hours=1) - timedelta(seconds=1)
    assert service.resolve_token(session, raw=raw, kind=TokenKind.API, now=one_second_before)
    with pytest.raises(NotAuthenticated, match="expired"):
        service.resolve_token(session, raw=raw, kind=TokenKind.API, now=token.expires_at)


def test_revoked_token_stops_working_and_a_session_is_not_an_api_token(session, clock):
    user = factories.user(session, role=Role.SUPPLIER, now=clock())
    raw, token = service.issue_token(
        session, user=user, kind=TokenKind.SESSION, now=clock(), lifetime=timedelta(hours=1)
    )
    with pytest.raises(NotAuthenticated, match="not valid"):
        service.resolve_token(session, raw=raw, kind=TokenKind.API, now=clock())
    service.revoke_token(session, user=user, token_id=token.id, now=clock())
    with pytest.raises(NotAuthenticated, match="revoked"):
        service.resolve_token(session, raw=raw, kind=TokenKind.SESSION, now=clock())


def test_a_user_cannot_revoke_another_users_token(session, clock):
    owner = factories.user(session, role=Role.SUPPLIER, now=clock())
    other = factories.user(session, role=Role.SUPPLIER, now=clock())
    _, token = service.issue_token(
        session, user=owner, kind=TokenKind.API, now=clock(), lifetime=None
    )
    with pytest.raises(NotFound):
        service.revoke_token(session, user=other, token_id=token.id, now=clock())
    session.refresh(token)
    assert token.revoked_at is None
