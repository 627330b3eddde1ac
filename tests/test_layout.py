"""The house plan of ARCHITECTURE.md: imports point one way, downward, and route modules hold
no table model."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"core", "procurement", "permits", "public_site", "prongsai"}
# package -> the packages of ours it may import
ALLOWED = {
    "core": {"core"},
    "procurement": {"core", "procurement"},
    "permits": {"core", "permits"},
    "public_site": {"core", "public_site", "procurement", "permits"},
    "prongsai": OURS,
}
# The modules a domain writes for the public site to read; everything else is its internals.
READ_MODULES = {"queries", "schemas", "public_index", "activity"}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from procurement import queries` imports procurement.queries, not procurement.
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_point_downward(package):
    wrong = []
    for path in (ROOT / package).rglob("*.py"):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in OURS and top not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
            reads_internals = not READ_MODULES & set(name.split(".")[1:])
            if package == "public_site" and top in {"procurement", "permits"} and reads_internals:
                wrong.append(f"{path.relative_to(ROOT)} reads {name}, not its queries")
    assert wrong == []
