"""Tables of the public site's pages, and their downloads: one table, three formats.

A page builds its tables once; the same rows render as the HTML table, the CSV file and the
JSON document, so a download holds exactly what the page shows. `?format=csv&table=name`
(or json) downloads one table with the page's own filters; `?format=json` alone gives the
whole page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response

from core import spreadsheet
from core.errors import InvalidInput
from core.i18n import gettext
from core.templating import render

Format = Annotated[Literal["html", "csv", "json"], Query(alias="format")]
TableName = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


def N_(message: str) -> str:  # the gettext marker Babel looks for
    """Mark a label for translation; the template translates it when it renders."""
    return message


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, money, percent, decimal, date, datetime
    link: Callable[[dict], str | None] | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in {"int", "money", "percent", "decimal"}


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, row: dict, column: Column) -> str:
        """The cell as the CSV file has it (the page adds thousands separators)."""
        return text(row.get(column.key), column.kind)

    def shown(self, row: dict, column: Column) -> str:
        """The cell as the page shows it."""
        value = row.get(column.key)
        if value is None:
            return "—"
        if column.kind in {"int", "money"}:
            whole, _, cents = text(value, column.kind).partition(".")
            grouped = f"{int(whole):,}"
            return f"{grouped}.{cents}" if cents else grouped
        return text(value, column.kind)

    def href(self, row: dict, column: Column) -> str | None:
        return column.link(row) if column.link else None

    def json_rows(self) -> list[dict[str, Any]]:
        return [{c.key: typed(row.get(c.key), c.kind) for c in self.columns} for row in self.rows]

    def csv(self) -> str:
        out = io.StringIO()
        writer = spreadsheet.writer(out, lineterminator="\r\n")
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:
            writer.writerow(
                [self.text(row, c) if row.get(c.key) is not None else "" for c in self.columns]
            )
        return out.getvalue()


def text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value) / 100:.2f}"
    if kind == "percent":
        return f"{value * 100:.1f}"
    if kind == "decimal":
        return f"{value:.1f}"
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def typed(value: Any, kind: str) -> Any:
    """The cell in JSON: numbers as numbers, money as a decimal string (never a float)."""
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind in {"percent", "decimal"}:
        return float(text(value, kind))
    if kind == "datetime" and isinstance(value, datetime):
        return value.isoformat()
    return text(value, kind)


def download_url(request: Request, table: str, fmt: str) -> str:
    """This page's URL, same filters, asking for one table in one format."""
    return str(request.url.include_query_params(format=fmt, table=table))


def respond(
    request: Request,
    *,
    template: str,
    context: dict[str, Any],
    tables: list[Table],
    fmt: str,
    table: str | None,
    filename: str,
    meta: dict[str, Any],
) -> Response:
    """The page in the asked format: HTML, one table as CSV or JSON, or the page as JSON."""
    by_name = {t.name: t for t in tables}
    if table is not None and table not in by_name:
        raise InvalidInput(
            gettext("table: there is no table %(table)s on this page; choose one of %(tables)s.")
            % {"table": repr(table), "tables": ", ".join(sorted(by_name))}
        )
    if fmt == "csv" and table is None:
        if len(tables) != 1:
            raise InvalidInput(
                gettext("table: a CSV file holds one table; add table= one of %(tables)s.")
                % {"tables": ", ".join(sorted(by_name))}
            )
        table = tables[0].name
    if fmt == "csv":
        assert table is not None  # named, or the page's only table
        return Response(
            by_name[table].csv(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{filename}-{table}.csv"'},
        )
    if fmt == "json":
        if table is not None:
            chosen = by_name[table]
            body = {
                **meta,
                "table": chosen.name,
                "title": chosen.title,
                "columns": [c.key for c in chosen.columns],
                "rows": chosen.json_rows(),
            }
        else:
            body = {**meta, "tables": {t.name: t.json_rows() for t in tables}}
        return JSONResponse(body)
    return render(
        request,
        template,
        {
            **context,
            **meta,
            "tables": by_name,
            "download_url": lambda name, fmt: download_url(request, name, fmt),
            "json_url": str(request.url.include_query_params(format="json")),
        },
    )
