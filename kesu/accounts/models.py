from django.contrib.auth.models import AbstractUser
from django.db import models


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
