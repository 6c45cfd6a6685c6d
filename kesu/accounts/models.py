import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from kesu.core.models import TimeStampedModel


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    OFFICE = "office", "办公室"
    FILLER = "filler", "填报员"
    VIEWER = "viewer", "查看"


class User(AbstractUser):
    """A person who signs in. The scope is a region subtree (办公室, 查看) or one member unit (填报员).

    A 系统管理员 sees everything. An office user manages the subtree rooted at ``region``; a viewer reads it;
    a filler works for ``unit`` only.
    """

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.VIEWER)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区域", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField("电话", max_length=30, blank=True)
    # A 查看 account reads pages only; its office may let it read through the API too (a personal access token).
    api_access = models.BooleanField("允许使用接口令牌", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class LoginFailure(models.Model):
    """One failed sign-in, kept in the database so that throttling holds across processes and restarts."""

    username = models.CharField("用户名", max_length=150)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        indexes = [models.Index(fields=["username", "ip", "at"])]


class ApiToken(TimeStampedModel):
    """A personal access token for the REST API. Only its SHA-256 digest is stored; the token is shown once.

    A token ends at ``expires_at``, when revoked, and when its user's password changes: ``auth_hash`` is the
    user's session hash at creation (the value Django uses to end sessions on a password change).
    """

    PREFIX = "ksu_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("前缀", max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    expires_at = models.DateTimeField("有效期至")
    auth_hash = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return (self.revoked_at is None and self.expires_at > timezone.now()
                and self.auth_hash == self.user.get_session_auth_hash())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        if self.expires_at <= timezone.now():
            return "已过期"
        if self.auth_hash != self.user.get_session_auth_hash():
            return "密码已修改，已失效"
        return "有效"
