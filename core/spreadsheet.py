"""CSV that a spreadsheet opens as data, never as formulas (OWASP, "CSV Injection").

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula: a tender titled `=HYPERLINK(...)` would become a live
link in every journalist's download. Such a cell is prefixed with a single quote, which the
spreadsheet shows as text. Numbers (`-5`, `+1.50`) stay numbers. Every CSV export writes through
`writer` or `dict_writer`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """The value, made safe to open: a text cell that would start a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Rows:
    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Sequence[Any]) -> Any:
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictRows:
    def __init__(self, writer: csv.DictWriter) -> None:
        self._writer = writer

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        return self._writer.writerow({k: cell(v) for k, v in row.items()})


def writer(out: IO[str], **options: Any) -> _Rows:
    """`csv.writer`, with every cell made safe."""
    return _Rows(csv.writer(out, **options))


def dict_writer(out: IO[str], fieldnames: Sequence[str], **options: Any) -> _DictRows:
    """`csv.DictWriter`, with every value made safe."""
    return _DictRows(csv.DictWriter(out, fieldnames=fieldnames, **options))
