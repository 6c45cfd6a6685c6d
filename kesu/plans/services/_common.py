"""Helpers shared by the plans services."""

from django.core.exceptions import PermissionDenied

from kesu.accounts.scope import Scope


def require_manage(actor, region) -> None:
    """The actor must manage ``region`` (an office of it or above, or an admin).

    ``actor=None`` is the system itself (the loader, a management command, the demo); views check the scope
    before calling, so this is the second line of defence.
    """
    if actor is None:
        return
    if not Scope.for_user(actor).manages_region(region):
        raise PermissionDenied


def visible_to_region(obj_region, region) -> bool:
    """Built-in rows (no region) and rows of ``region`` or one of its ancestors are usable in ``region``."""
    return obj_region is None or region.path.startswith(obj_region.path)
