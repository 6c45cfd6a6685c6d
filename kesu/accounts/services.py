"""Writes for users."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from .models import Role, User


@transaction.atomic
def user_create(*, actor, username: str, password: str, role: str, region=None, unit=None, full_name: str = "",
                validate: bool = True, password_is_hashed: bool = False) -> User:
    """Create a user with a role and its scope: an office/viewer needs a region, a filler needs a unit.

    ``password_is_hashed`` takes a hash made once by ``make_password`` (bulk set-ups such as the demo).
    """
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"用户名“{username}”已被使用。", field="username")
    if role not in Role.values:
        raise ApplicationError(f"角色“{role}”不存在。", field="role")
    if role == Role.FILLER and unit is None:
        raise ApplicationError("填报员必须指定所属单位。", field="unit")
    if role in (Role.OFFICE, Role.VIEWER) and region is None:
        raise ApplicationError(f"{Role(role).label}必须指定所属区域。", field="region")
    user = User(username=username, role=role, full_name=full_name, unit=unit,
                region=unit.region if unit is not None and region is None else region)
    if validate and not password_is_hashed:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError("密码不符合要求：" + "；".join(exc.messages), field="password") from exc
    if password_is_hashed:
        user.password = password
    else:
        user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    audit.record(actor=actor, action="创建用户", instance=user, changes={"role": [None, role]})
    return user
