"""Test data shared by the apps' test suites (imported by tests only)."""

from kesu.regions.models import Region


def make_region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    """A region with its materialized path and depth, as the region services would store it."""
    path = f"{parent.path if parent else ''}{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path,
                                 depth=parent.depth + 1 if parent else 0)
