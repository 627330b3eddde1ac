import pytest

from tests.permits import factories


@pytest.fixture
def setup(session, clock):
    factories.departments(session, now=clock())


@pytest.fixture
def health_supervisor(session, clock, setup):  # noqa: ARG001 -- requested for its effect; marks do not apply to fixtures
    return factories.officer(session, department="bma-health", now=clock())


@pytest.fixture
def health_officer(session, clock, health_supervisor):
    return factories.officer(
        session, department="bma-health", now=clock(), supervisor=health_supervisor
    )


@pytest.fixture
def works_officer(session, clock, setup):  # noqa: ARG001 -- requested for its effect; marks do not apply to fixtures
    return factories.officer(session, department="bma-public-works", now=clock())
