"""Writes for users and their personal access tokens: creation with a role and scope, password reset, deactivation.

An office manages the accounts of its own region's subtree: 填报员 of the member units there, and 办公室/查看 accounts
of its region and the regions below it. Only a 系统管理员 creates another 系统管理员. Each write is one transaction and
leaves an audit event; an office's refusal names the field.
"""

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

# Letters and digits without the look-alikes (0/O, 1/l/I), so a password read out over the phone is typed right.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _check_manages(actor, *, role: str, region=None, unit=None) -> None:
    """Refuses an account the actor may not give: outside its subtree, or a role above an office's."""
    if actor is None:  # set-up code (the demo, the command line) runs without a user
        return
    scope = Scope.for_user(actor)
    if not scope.can_manage:
        raise PermissionDenied("只有办公室和系统管理员可以管理账号")
    if scope.is_admin:
        return
    if role == Role.ADMIN:
        raise ApplicationError("办公室不能创建系统管理员账号。", field="role")
    if unit is not None and not scope.manages_unit(unit):
        raise ApplicationError(f"单位“{unit}”不在本级及下级区域内。", field="unit")
    if region is not None and not scope.manages_region(region):
        raise ApplicationError(f"区域“{region}”不在本级及下级区域内。", field="region")


def _check_target(actor, user: User) -> None:
    """The actor may change this account: an office, accounts in its subtree that are not administrators."""
    if actor is None:
        return
    if user.pk == actor.pk:
        raise ApplicationError("不能在这里停用或重置自己的账号；修改自己的密码请联系上级办公室或系统管理员。")
    if (user.is_superuser or user.role == Role.ADMIN) and not Scope.for_user(actor).is_admin:
        raise PermissionDenied("办公室不能管理系统管理员账号")
    _check_manages(actor, role=user.role, region=user.region if user.unit_id is None else None, unit=user.unit)


def password_generate() -> str:
    """A 14-character random password that passes the password rules (shown once to the office that reset it)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(14))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@transaction.atomic
def user_create(*, actor, username: str, password: str, role: str, region=None, unit=None, full_name: str = "",
                phone: str = "", validate: bool = True, password_is_hashed: bool = False) -> User:
    """Create a user with a role and its scope: an office/viewer needs a region, a filler needs a unit.

    ``password_is_hashed`` takes a hash made once by ``make_password`` (bulk set-ups such as the demo).
    """
    username = (username or "").strip()
    if not username:
        raise ApplicationError("请填写用户名。", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"用户名“{username}”已被使用。", field="username")
    if role not in Role.values:
        raise ApplicationError(f"角色“{role}”不存在。", field="role")
    if role == Role.FILLER and unit is None:
        raise ApplicationError("填报员必须指定所属单位。", field="unit")
    if role in (Role.OFFICE, Role.VIEWER) and region is None:
        raise ApplicationError(f"{Role(role).label}必须指定所属区域。", field="region")
    if role != Role.FILLER:
        unit = None  # only a filler works for a unit; an office or viewer is scoped by its region alone
    _check_manages(actor, role=role, region=region, unit=unit)
    user = User(username=username, role=role, full_name=full_name, phone=phone, unit=unit,
                region=unit.region if unit is not None else region)
    if validate and not password_is_hashed:
        _validate(password, user)
    if password_is_hashed:
        user.password = password
    else:
        user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    audit.record(actor=actor, action="创建用户", instance=user, region_path=user.region.path if user.region else "",
                 changes={"role": [None, role], "region": [None, str(user.region or "")],
                          "unit": [None, str(user.unit or "")]})
    return user


def _validate(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("密码不符合要求：" + "；".join(exc.messages), field="password") from exc


@transaction.atomic
def user_reset_password(*, actor, user: User, password: str | None = None) -> str:
    """Set a new password (a generated one when none is given) and return it; the user's sessions end with it."""
    _check_target(actor, user)
    password = password or password_generate()
    _validate(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="重置密码", instance=user, region_path=user.region.path if user.region else "")
    return password


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) an account: a deactivated one cannot sign in; its records and history stay."""
    _check_target(actor, user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor=actor, action="启用用户" if active else "停用用户", instance=user, reason=reason,
                 region_path=user.region.path if user.region else "", changes={"is_active": [not active, active]})
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
    """End a token: its owner's, or — from the account page — one of an account the actor's office manages."""
    if token.user_id != actor.pk and not actor.is_superuser:
        try:
            _check_manages(actor, role=token.user.role, region=token.user.region if token.user.unit_id is None
                           else None, unit=token.user.unit)
        except ApplicationError:
            raise PermissionDenied("只能撤销自己或本辖区账号的令牌") from None
        if token.user.is_superuser or token.user.role == Role.ADMIN:
            raise PermissionDenied("办公室不能管理系统管理员账号的令牌")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit.record(actor=actor, action="revoke", instance=token, object_repr=f"{token.user.display_name}：{token}",
                         changes={"revoked_at": [None, "now"]})
    return token


def token_user(raw: str):
    """The user of a valid token (and mark it used), or None: unknown, revoked, expired, the user inactive or
    their password changed since the token was made."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    now = timezone.now()
    # The user's region and unit come in the same read: the caller's scope is built from them next. ``get`` on the
    # unique digest, not ``first``: no ORDER BY to build for the five joined tables, on every API call.
    try:
        token = (ApiToken.objects.select_related("user", "user__region", "user__unit__region")
                 .get(digest=ApiToken.hash(raw), revoked_at__isnull=True, expires_at__gt=now))
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active or token.auth_hash != token.user.get_session_auth_hash():
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
