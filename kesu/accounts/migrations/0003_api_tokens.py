"""Personal access tokens move from analytics to accounts (same rows, table renamed), and gain an expiry, the
password fingerprint that ends them on a password change, and the office's grant for 查看 accounts."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone
from django.utils.crypto import salted_hmac

# What AbstractBaseUser.get_session_auth_hash computes (historical models have no methods).
SESSION_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
EXISTING_TOKEN_DAYS = 90


def fill(apps, schema_editor):
    """Existing tokens keep working for 90 days from now and end on their user's next password change."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    until = timezone.now() + timedelta(days=EXISTING_TOKEN_DAYS)
    for token in ApiToken.objects.select_related("user"):
        token.expires_at = until
        token.auth_hash = salted_hmac(SESSION_SALT, token.user.password, algorithm="sha256").hexdigest()
        token.save(update_fields=["expires_at", "auth_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_login_failure"),
        ("analytics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("name", models.CharField(max_length=60, verbose_name="名称")),
                        ("prefix", models.CharField(max_length=12, verbose_name="前缀")),
                        ("digest", models.CharField(max_length=64, unique=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="最近使用")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="api_tokens", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"verbose_name": "访问令牌", "verbose_name_plural": "访问令牌",
                             "ordering": ["-created_at"], "db_table": "analytics_apitoken"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="apitoken", table=None),
        migrations.AddField(model_name="apitoken", name="expires_at",
                            field=models.DateTimeField(null=True, verbose_name="有效期至")),
        migrations.AddField(model_name="apitoken", name="auth_hash",
                            field=models.CharField(blank=True, default="", max_length=128), preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at",
                              field=models.DateTimeField(verbose_name="有效期至")),
        migrations.AddField(model_name="user", name="api_access",
                            field=models.BooleanField(default=False, verbose_name="允许使用接口令牌")),
    ]
