"""The house plan of ARCHITECTURE.md: imports point one way, downward, route modules hold no
table model, and no module passes 400 lines."""

import ast
import dataclasses
import importlib
from pathlib import Path
from types import ModuleType

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


# Route modules may not hold a table model: they receive schemas from queries and services.
# The packages whose route modules are checked today; permits and public_site join when their
# routes are through the same move.
ROUTE_PACKAGES = {"core": True, "procurement": True, "permits": True, "public_site": True}
# The signed-in user from the authentication dependency is the one table a route may hold.
ROUTE_TABLE_ALLOWED = {("core.auth.models", "User")}


def is_route_module(path: Path) -> bool:
    """An `api.py` or `views.py`, a module that makes an APIRouter, or procurement's pages.py."""
    if path.name in {"api.py", "views.py"} or path == ROOT / "procurement" / "pages.py":
        return True
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) == "APIRouter"
        for node in ast.walk(ast.parse(path.read_text()))
    )


def route_modules(package: str) -> list[Path]:
    """Every route module of a package, in a stable order."""
    return sorted(p for p in (ROOT / package).rglob("*.py") if is_route_module(p))


def is_table(value) -> bool:
    """A SQLModel (or SQLAlchemy) class mapped to a table; enums and schemas are not."""
    if not isinstance(value, type):
        return False
    config = getattr(value, "model_config", None)
    return getattr(value, "__table__", None) is not None or (
        isinstance(config, dict) and bool(config.get("table"))
    )


def tables_in(value) -> list[str]:
    """The table classes a name brings in: the class itself, or those of a models module."""
    if isinstance(value, ModuleType):
        return [
            f"{value.__name__}.{name}"
            for name, member in vars(value).items()
            if is_table(member) and member.__module__ == value.__name__
        ]
    return [f"{value.__module__}.{value.__name__}"] if is_table(value) else []


def imported_tables(path: Path) -> list[str]:
    """`module.Name` of every table class a module imports, by name or through its module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = importlib.import_module(node.module)
            for alias in node.names:
                if (node.module, alias.name) in ROUTE_TABLE_ALLOWED:
                    continue
                value = getattr(module, alias.name, None)
                if value is None:  # `from package import module`, not yet loaded
                    value = importlib.import_module(f"{node.module}.{alias.name}")
                found += tables_in(value)
        elif isinstance(node, ast.Import):
            found += [t for a in node.names for t in tables_in(importlib.import_module(a.name))]
    return found


@pytest.mark.parametrize("package", sorted(p for p, covered in ROUTE_PACKAGES.items() if covered))
def test_route_modules_hold_no_table_model(package):
    wrong = [
        f"{path.relative_to(ROOT)} imports the table {name}"
        for path in route_modules(package)
        for name in imported_tables(path)
    ]
    assert route_modules(package), f"{package} has no route module: is the walk right?"
    assert wrong == []


def test_the_table_check_sees_tables_and_not_enums():
    from core.auth.models import Organisation, Role, User
    from procurement.public.schemas import TenderView
    from procurement.tenders.models import Tender, TenderStatus

    assert is_table(Tender)
    assert is_table(Organisation)
    assert is_table(User)
    assert not is_table(TenderStatus)
    assert not is_table(Role)
    assert not is_table(TenderView)


def queries_run(path: Path) -> list[str]:
    """The calls in a module that run a query: `select(...)`, `session.get/exec/execute(...)`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            found.append(f"line {node.lineno}: select(...)")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in {"get", "exec", "execute", "scalar", "scalars", "query"}
            and isinstance(func.value, ast.Name)
            and func.value.id == "session"
        ):
            found.append(f"line {node.lineno}: session.{func.attr}(...)")
    return found


@pytest.mark.parametrize("package", sorted(p for p, covered in ROUTE_PACKAGES.items() if covered))
def test_route_modules_run_no_query_of_their_own(package):
    wrong = [
        f"{path.relative_to(ROOT)} {call}"
        for path in route_modules(package)
        for call in queries_run(path)
    ]
    assert wrong == []


def tables_in_context(value, where: str = "context", seen: set[int] | None = None) -> list[str]:
    """Where a template context holds a table instance: directly, in a container or a schema.

    The signed-in `User` is the one table a page may be given (for the layout)."""
    from pydantic import BaseModel

    from core.auth.models import User

    seen = set() if seen is None else seen
    if id(value) in seen or isinstance(value, User):
        return []
    seen.add(id(value))
    if is_table(type(value)):
        return [f"{where}: {type(value).__name__}"]
    if isinstance(value, dict):
        items = [(f"{where}[{k!r}]", v) for k, v in value.items()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = [(f"{where}[{i}]", v) for i, v in enumerate(value)]
    elif isinstance(value, BaseModel):
        items = [(f"{where}.{k}", getattr(value, k)) for k in type(value).model_fields]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(f"{where}.{f.name}", getattr(value, f.name)) for f in dataclasses.fields(value)]
    else:
        return []
    return [found for name, item in items for found in tables_in_context(item, name, seen)]


def test_the_context_check_finds_a_table_inside_containers_but_not_the_user():
    from core.auth.models import Organisation, OrganisationKind, User
    from procurement.public.schemas import OrgRef

    org = Organisation(slug="x", name="X", kind=OrganisationKind.BUYING_ENTITY)
    context = {
        "user": User(email="a@b.c"),
        "rows": [("a", {"k": org})],
        "ref": OrgRef(slug="x", name="X"),
    }
    assert tables_in_context(context) == ["context['rows'][0][1]['k']: Organisation"]


MAX_MODULE_LINES = 400  # a module a reader can hold; past it, split by what changes together


@pytest.mark.parametrize("package", sorted(OURS))
def test_no_product_module_is_over_400_lines(package):
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these modules (lines): {long}"
