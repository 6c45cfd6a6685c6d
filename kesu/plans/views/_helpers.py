from django.core.exceptions import PermissionDenied

from kesu.accounts.scope import Scope


def scope_of(request) -> Scope:
    return Scope.for_user(request.user)


def require_manager(scope: Scope, region=None) -> None:
    """Forms are for offices (and admins) only; with ``region``, for one that manages it. Others get 403."""
    if not scope.can_manage or (region is not None and not scope.manages_region(region)):
        raise PermissionDenied
