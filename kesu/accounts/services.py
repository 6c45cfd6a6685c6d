"""Writes for users and their personal access tokens."""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from .models import ApiToken, Role, User
from .scope import Scope


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


# -- personal access tokens ------------------------------------------------------------------------------------------

TOKEN_DAYS = (30, 90, 365)  # the validities a user may choose; 90 unless asked otherwise
MAX_ACTIVE_TOKENS = 20


def token_create(*, actor, name: str, days: int = 90) -> tuple[ApiToken, str]:
    """A new token for ``actor``, valid ``days`` days; returns (row, raw token). The raw token is never stored.

    A 查看 account may have one only when its office allowed it (``user_api_access_set``).
    """
    name = (name or "").strip()
    if not name:
        raise ApplicationError("请填写令牌名称（例如：数据交换脚本）。", field="name")
    if len(name) > 60:
        raise ApplicationError("令牌名称不能超过 60 个字。", field="name")
    if days not in TOKEN_DAYS:
        raise ApplicationError(f"有效期应为 {'、'.join(map(str, TOKEN_DAYS))} 天之一。", field="days")
    if actor.role == Role.VIEWER and not actor.is_superuser and not actor.api_access:
        raise PermissionDenied("查看账号默认不能创建接口令牌；如需通过接口读取数据，请联系本级办公室开通。")
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True, expires_at__gt=timezone.now()).count() \
            >= MAX_ACTIVE_TOKENS:
        raise ApplicationError(f"有效令牌已达 {MAX_ACTIVE_TOKENS} 个，请先撤销不用的令牌。", field="name")
    raw = ApiToken.PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, prefix=raw[:10], digest=ApiToken.hash(raw),
                                        expires_at=timezone.now() + timedelta(days=days),
                                        auth_hash=actor.get_session_auth_hash())
        audit.record(actor=actor, action="create", instance=token,
                     changes={"name": [None, name], "expires_at": [None, token.expires_at.isoformat()]})
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("只能撤销自己的令牌")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit.record(actor=actor, action="revoke", instance=token, changes={"revoked_at": [None, "now"]})
    return token


def token_user(raw: str):
    """The user of a valid token (and mark it used), or None: unknown, revoked, expired, the user inactive or
    their password changed since the token was made."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    now = timezone.now()
    token = (ApiToken.objects.select_related("user")
             .filter(digest=ApiToken.hash(raw), revoked_at__isnull=True, expires_at__gt=now).first())
    if token is None or not token.user.is_active or token.auth_hash != token.user.get_session_auth_hash():
        return None
    if token.user.role == Role.VIEWER and not token.user.api_access and not token.user.is_superuser:
        return None  # the office withdrew the grant
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, at most every 5 minutes
    return token.user


def user_api_access_set(*, actor, user: User, allowed: bool) -> User:
    """An office lets a 查看 account of its area read through the API (or withdraws that)."""
    scope = Scope.for_user(actor)
    if user.role != Role.VIEWER:
        raise ApplicationError("只有查看账号需要开通接口权限。", field="api_access")
    if user.region is None or not scope.manages_region(user.region):
        raise PermissionDenied("只能为本辖区的查看账号开通接口权限")
    with transaction.atomic():
        if user.api_access != allowed:
            audit.record(actor=actor, action="update", instance=user, object_repr=user.display_name,
                         changes={"api_access": [user.api_access, allowed]})
            user.api_access = allowed
            user.save(update_fields=["api_access"])
    return user
