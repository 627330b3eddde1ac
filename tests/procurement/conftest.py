"""Every page a procurement test renders is checked: no template receives a table row."""

from __future__ import annotations

import pytest
from fastapi.templating import Jinja2Templates

from tests.test_layout import tables_in_context


@pytest.fixture(autouse=True)
def templates_receive_no_table(monkeypatch):
    """Fail the test whose request renders a template with a table instance in its context."""
    original = Jinja2Templates.TemplateResponse

    def checked(self, *args, **kwargs):
        context = kwargs.get("context") or next((a for a in args if isinstance(a, dict)), {})
        name = kwargs.get("name") or next((a for a in args if isinstance(a, str)), "?")
        found = tables_in_context(context)
        assert found == [], f"{name} was given table rows: {found}"
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Jinja2Templates, "TemplateResponse", checked)
