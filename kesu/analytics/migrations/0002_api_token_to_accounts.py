"""ApiToken now belongs to accounts (accounts.0003 takes over and renames the table); only the state moves here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0001_initial"),
        ("accounts", "0003_api_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ApiToken")],
                                            database_operations=[]),
    ]
