"""What a user may see and change. Every selector and view takes a ``Scope`` explicitly.

- 系统管理员 (or a superuser): everything.
- 办公室: manages the region subtree rooted at ``user.region``.
- 查看: reads that subtree, changes nothing.
- 填报员: works for ``user.unit`` only; reads the plan of the unit's region.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from kesu.orgs.models import Unit
from kesu.orgs.selectors import unit_held
from kesu.regions.models import Region, ancestor_paths
from kesu.regions.selectors import region_held

from .models import Role, User


@dataclass(frozen=True)
class Scope:
    role: str
    region_id: int | None = None
    region_path: str | None = None
    unit_id: int | None = None
    user_id: int | None = None

    @classmethod
    def for_user(cls, user) -> "Scope":
        if not getattr(user, "is_authenticated", False):
            raise PermissionDenied
        if user.is_superuser or user.role == Role.ADMIN:
            return cls(role=Role.ADMIN, user_id=user.pk)
        if user.role == Role.FILLER:
            unit = _unit_of(user)
            if unit is None:
                raise PermissionDenied
            return cls(role=Role.FILLER, region_id=unit.region_id, region_path=unit.region.path, unit_id=unit.pk,
                       user_id=user.pk)
        region = _region_of(user)
        if region is None:
            raise PermissionDenied
        return cls(role=user.role, region_id=user.region_id, region_path=region.path, user_id=user.pk)

    # -- who is this ---------------------------------------------------------------------------------------------

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE

    @property
    def is_filler(self) -> bool:
        return self.role == Role.FILLER

    @property
    def can_manage(self) -> bool:
        """May create and change plans, units, regions (within the scope)."""
        return self.role in (Role.ADMIN, Role.OFFICE)

    # -- regions -------------------------------------------------------------------------------------------------

    def region_q(self, prefix: str = "") -> Q:
        """A filter for rows whose region (reached through ``prefix``) lies in the scope's subtree."""
        if self.is_admin:
            return Q()
        if self.is_filler:
            return Q(**{f"{prefix}pk" if not prefix else f"{prefix}id": self.region_id})
        return Q(**{f"{prefix}path__startswith": self.region_path})

    def region_or_ancestor_q(self, prefix: str = "") -> Q:
        """Rows whose region is in the scope's subtree or above it: plans, frameworks, indicators and documents of an
        upper region are read (not changed) below it. A filler sees its own region and those above."""
        if self.is_admin:
            return Q()
        up = Q(**{f"{prefix}path__in": [*ancestor_paths(self.region_path), self.region_path]})
        if self.is_filler:
            return up
        return up | Q(**{f"{prefix}path__startswith": self.region_path})

    def regions(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.region_q())

    def sees_region(self, region) -> bool:
        if self.is_admin:
            return True
        if self.is_filler:
            return region.pk == self.region_id
        return region.path.startswith(self.region_path)

    def manages_region(self, region) -> bool:
        return self.can_manage and self.sees_region(region)

    def sees_region_or_ancestor(self, region) -> bool:
        """Plans and indicators of an upper region are visible to the regions below it (read-only)."""
        if self.is_admin or self.sees_region(region):
            return True
        return bool(self.region_path) and self.region_path.startswith(region.path)

    # -- units ---------------------------------------------------------------------------------------------------

    def unit_q(self, prefix: str = "") -> Q:
        """A filter for rows belonging to a unit the scope may see (``prefix`` reaches the unit)."""
        if self.is_admin:
            return Q()
        if self.is_filler:
            return Q(**{f"{prefix}id" if prefix else "pk": self.unit_id})
        return Q(**{f"{prefix}region__path__startswith": self.region_path})

    def sees_unit(self, unit) -> bool:
        if self.is_admin:
            return True
        if self.is_filler:
            return unit.pk == self.unit_id
        return unit.region.path.startswith(self.region_path)

    def manages_unit(self, unit) -> bool:
        return self.can_manage and self.sees_unit(unit)

    # -- guards --------------------------------------------------------------------------------------------------

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied


# A user's unit and region are read on every page. They are configuration (kesu/core/configuration.py): inside a
# configuration block (a cell save) they come from what the process keeps for the version; elsewhere a filler's unit
# comes with its region in one statement. Either way they are left on the user, so ``user.unit`` reads nothing again.

def _unit_of(user) -> Unit | None:
    if user.unit_id is not None and not User.unit.is_cached(user):
        user.unit = unit_held(user.unit_id)
    return user.unit


def _region_of(user) -> Region | None:
    if user.region_id is not None and not User.region.is_cached(user):
        user.region = region_held(user.region_id)
    return user.region
