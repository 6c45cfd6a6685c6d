"""Declared dependencies match imports: every third-party package kesu imports is declared in pyproject.toml (the
product's in `dependencies`, the suite's and the benchmark's in their extras), and every declared package is used.

A package that arrives only as another's dependency breaks kesu the day that other package drops it; a declared
package nothing uses is weight on every installation.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# Declared packages kesu reaches by name, not by an import statement.
USED_BY_NAME = {
    "psycopg": "Django's PostgreSQL backend imports it when KESU_DATABASE_URL names PostgreSQL",
    "whitenoise": "a middleware named in settings.MIDDLEWARE",
    "django-htmx": "a middleware named in settings.MIDDLEWARE",
    "gunicorn": "`kesu serve` starts it as a program",
    "docxcompose": "docxtpl imports it for sub-documents (the report body) and does not declare it",
}
# Import names of extras that `make install` does not install (so their distribution cannot be looked up).
NOT_INSTALLED = {"dhis2": "dhis2.py"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    groups = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    return {group: {_norm(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]) for spec in specs}
            for group, specs in groups.items()}


def _group_of(path: Path) -> str:
    """Which declaration a file may draw on: tests use the test extra, the benchmark its own extras."""
    parts = path.relative_to(REPO).parts
    if "tests" in parts or parts[0] == "conftest.py":
        return "test"
    if parts[:2] == ("kesu", "bench"):
        return "bench"
    return "dependencies"


def _imports():
    """(file, distribution) for each absolute import of a third-party module."""
    dists = packages_distributions()
    for path in [*sorted((REPO / "kesu").rglob("*.py")), REPO / "conftest.py"]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "kesu":
                    continue
                for dist in dists.get(top) or [NOT_INSTALLED.get(top, top)]:
                    yield path, _norm(dist)


def test_every_imported_package_is_declared_where_the_importer_may_use_it():
    declared = _declared()
    allowed = {
        "dependencies": declared["dependencies"],
        "test": declared["dependencies"] | declared["test"],
        "bench": declared["dependencies"] | declared["bench"] | declared["interop"],
    }
    undeclared = sorted({f"{path.relative_to(REPO)}: {dist}" for path, dist in _imports()
                         if dist not in allowed[_group_of(path)]})
    assert undeclared == [], "imported but not declared in pyproject.toml:\n" + "\n".join(undeclared)


def test_every_declared_package_is_used():
    used = {dist for _, dist in _imports()} | set(USED_BY_NAME)
    unused = sorted((_declared()["dependencies"]) - used)
    assert unused == [], f"declared in pyproject.toml but never imported: {unused}"
